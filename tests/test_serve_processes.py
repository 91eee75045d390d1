"""``ecoute serve --processes 2``: the web app in two uvicorn processes over one database, started
even on a busy machine (slow to build the app), serving pages with their security headers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_two_web_processes_serve_the_app(tmp_path):
    port = _free_port()
    env = {**os.environ, "ECOUTE_DATA_DIR": str(tmp_path / "data"), "ECOUTE_WEB_WORKERS": "off"}
    env.pop("ECOUTE_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "ecoute", "serve", "--port", str(port), "--processes", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + 180
        while answer is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
            except httpx.HTTPError:
                time.sleep(0.5)
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid), "-f", "multiprocessing.spawn"], capture_output=True, text=True
        ).stdout.split()
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0]

    assert answer is not None and answer.status_code == 200
    assert answer.headers["x-frame-options"] == "DENY"
    assert len(children) == 2
    assert "with 2 web process(es)" in output
