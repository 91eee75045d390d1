"""``ecoute demo`` in a real subprocess: it loads the demo with its rules and, unless told
``--no-serve``, serves it with a demo login that works, printed next to the URL."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select

from ecoute.store.people import Rule

LOGIN = re.compile(r"Open\s+(http://\S+)\s.*?E-mail\s+(\S+)\s.*?Password\s+(\S+)", re.S)


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "120",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_demo_no_serve_loads_the_demo_and_its_rules_fire(db_url, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ecoute", "demo", "--no-serve", "--no-analysis", "--json"],
        env=_env(db_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    summary = json.loads(done.stdout)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        rules = {name: hits for name, hits in connection.execute(select(Rule.name, Rule.hits))}
    engine.dispose()
    assert done.returncode == 0, done.stderr
    assert summary["stored"] == summary["mentions"] > 300
    # Without analysis there is no sentiment, so only the rule on sentiment stays silent.
    assert sorted(name for name, hits in rules.items() if hits == 0) == ["Grands comptes mécontents"]
    assert len(rules) == 5 and rules["Spam : argent facile, faux abonnés, faux cadeaux"] >= 10


def test_demo_serves_the_workspace_with_a_printed_login_that_works(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ecoute", "demo", "--no-analysis", "--port", str(port)],
        env=_env(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = ""
        deadline = time.monotonic() + 120
        while not LOGIN.search(printed) and time.monotonic() < deadline:
            printed += server.stdout.readline()  # type: ignore[union-attr]
        url, email, password = LOGIN.search(printed).groups()  # type: ignore[union-attr]
        with httpx.Client(follow_redirects=False, timeout=10) as client:
            login_page = _wait_for(client, f"http://127.0.0.1:{port}/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login_page.text).group(1)  # type: ignore[union-attr]
            logged_in = client.post(
                f"http://127.0.0.1:{port}/login",
                data={"email": email, "password": password, "csrf_token": token, "next": "/w/demo/"},
            )
            inbox = client.get(url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert url == f"http://127.0.0.1:{port}/w/demo/"
    assert (logged_in.status_code, logged_in.headers["location"]) == (303, "/w/demo/")
    assert inbox.status_code == 200 and "Cyclune" in inbox.text


def _wait_for(client: httpx.Client, url: str) -> httpx.Response:
    for _ in range(100):
        try:
            return client.get(url)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")
