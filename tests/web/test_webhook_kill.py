"""A webhook acknowledged is never lost: the real server (``ecoute serve``) receives signed
requests from many senders at once, is killed with SIGKILL mid-stream, and every request it had
answered 202 is in the job ledger; once the jobs run, each of those items is stored once, and a
sender's retry of one of them is answered as a duplicate."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from ecoute.jobs.models import Job
from ecoute.jobs.runner import run_due
from ecoute.settings import Settings
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Mention
from ecoute.webhooks.signing import standard_sign
from live_helpers import free_port

SECRET_KEY = "kill-test-secret-key-" + "x" * 24
HOOK_SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
SENDERS = 12
ACKED_BEFORE_KILL = 150


def _signed(n: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {"items": [{"id": f"k{n}", "text": f"Colis {n} jamais arrivé", "created_at": "2026-12-01T10:00:00Z"}]}
    ).encode()
    stamp, message_id = int(time.time()), f"msg_{n}"
    return body, {
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": standard_sign(b"k" * 32, message_id, stamp, body),
        "content-type": "application/json",
    }


def _serve(db_url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(data_dir),
        "ECOUTE_SECRET_KEY": SECRET_KEY,
        "ECOUTE_WEB_WORKERS": "off",  # the jobs stay in the ledger, where this test reads them
        "ECOUTE_ANALYSIS": "off",
        "ECOUTE_WEB_PROCESSES": "1",
    }
    env.pop("ECOUTE_QUEUE_URL", None)
    command = [sys.executable, "-m", "ecoute", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600  # a loaded machine starts the app slowly
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped while starting"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise AssertionError("the server did not answer within 600 s")


def test_every_acknowledged_webhook_survives_a_kill_9(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")
    db = Database.open(db_url, run_migrations=False)
    settings = Settings(overrides={"secret_key": SECRET_KEY}, environ={})
    with db.session() as session:
        workspace = repo.create_workspace(session, "kill", "Kill")
        sealed = seal_secrets({"secret": HOOK_SECRET, "keep_unmatched": True}, settings)
        source_id = repo.ensure_source(
            session, workspace.id, "shop", kind="webhook", platform="webhook", settings=sealed
        ).id
    port = free_port()
    server = _serve(db_url, tmp_path / "data", port)
    acked: list[int] = []
    failed: list[int] = []
    lock = threading.Lock()
    counter = iter(range(1_000_000))
    stop = threading.Event()

    def sender() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while not stop.is_set():
                with lock:
                    n = next(counter)
                body, headers = _signed(n)
                try:
                    status = client.post("/hooks/kill/shop", content=body, headers=headers).status_code
                except httpx.HTTPError:
                    status = None
                with lock:
                    (acked if status == 202 else failed).append(n)
                if status is None:
                    return  # the server is gone

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 240
        while len(acked) < ACKED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)  # mid-stream: senders have requests in flight
        server.wait(timeout=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        if server.poll() is None:
            server.kill()

    assert len(acked) >= ACKED_BEFORE_KILL
    assert failed, "the kill landed between requests: nothing was in flight"
    with db.session() as session:
        keys = set(session.scalars(select(Job.key).where(Job.kind == "ingest.items")))
    assert {f"webhook:{source_id}:msg_{n}" for n in acked} <= keys  # every 202 was recorded

    run_due(db, Settings())  # the jobs run as a worker would after the restart
    with db.session() as session:
        stored = list(
            session.scalars(select(Mention.external_id).where(Mention.workspace_id == workspace.id))
        )
    assert len(stored) == len(set(stored))  # stored once each
    assert {f"k{n}" for n in acked} <= set(stored)
    assert len(stored) == len(keys)  # and nothing that was not recorded

    server = _serve(db_url, tmp_path / "data", port)  # a sender retrying an acknowledged request
    try:
        body, headers = _signed(acked[0])
        answer = httpx.post(
            f"http://127.0.0.1:{port}/hooks/kill/shop", content=body, headers=headers, timeout=30
        )
        assert (answer.status_code, answer.json()) == (200, {"duplicate": True, "accepted": 0})
    finally:
        server.terminate()
        server.wait(timeout=30)
    db.dispose()
