"""Two real ``ecoute serve`` processes over one data folder (SQLite, and its default live bus): a
page open on one hears a note written through the other, and mentions that an ``ecoute ingest``
command (a third process) stored."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import factories
import inbox_factories
from ecoute.store import repo
from ecoute.store.db import Database
from live_helpers import WAIT_S, free_port, session_cookie, stream

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def _serve(data: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "ECOUTE_DATA_DIR": str(data), "ECOUTE_WEB_WORKERS": "off", "ECOUTE_SECRET_KEY": "k"}
    for name in ("ECOUTE_DATABASE_URL", "ECOUTE_QUEUE_URL", "ECOUTE_EVENTS_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "ecoute", "serve", "--port", str(port), "--processes", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_up(server: subprocess.Popen[str], base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError(f"{base} did not start")


@pytest.mark.slow
def test_an_event_from_one_web_process_reaches_a_stream_of_the_other(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = Database.open(f"sqlite:///{data / 'ecoute.db'}")
    with db.session() as session:
        workspace = repo.create_workspace(session, "acme", "Acme", locale="fr", timezone="Europe/Paris")
    conversation = inbox_factories.conversation(db, workspace)
    cookie = session_cookie(db, workspace)
    db.dispose()
    one, two = free_port(), free_port()
    servers = [_serve(data, one), _serve(data, two)]
    try:
        base_one, base_two = f"http://127.0.0.1:{one}", f"http://127.0.0.1:{two}"
        _wait_up(servers[0], base_one)
        _wait_up(servers[1], base_two)
        with stream(base_one, "/w/acme/events", cookie) as events:
            with httpx.Client(base_url=base_two, cookies={"ecoute_session": cookie}, timeout=WAIT_S) as other:
                page = other.get(f"/w/acme/c/{conversation.id}").text
                token = CSRF_META.search(page).group(1)
                written = other.post(
                    f"/w/acme/c/{conversation.id}/notes", data={"text": "Je prends", "csrf_token": token}
                )
            assert written.status_code == 303, written.text
            assert events.next_live() == {"kind": "changed", "conversation": conversation.id, "count": 0}

            rows = factories.write_jsonl(
                tmp_path / "new.jsonl", [factories.row("cli-1"), factories.row("cli-2")]
            )
            env = {**os.environ, "ECOUTE_DATA_DIR": str(data), "ECOUTE_QUEUE_URL": "immediate"}
            env.pop("ECOUTE_DATABASE_URL", None)
            ran = subprocess.run(
                [sys.executable, "-m", "ecoute", "ingest", str(rows), "--workspace", "acme", "--no-analysis"],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert ran.returncode == 0, ran.stderr
            assert events.next_live() == {"kind": "mentions", "conversation": None, "count": 2}
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)
        for server in servers:
            server.communicate(timeout=60)
