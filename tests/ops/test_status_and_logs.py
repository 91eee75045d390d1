"""``ecoute status`` in a real subprocess, and log lines as JSON (``ECOUTE_LOG_FORMAT=json``)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

from cli_run import ecoute
from ecoute.ops.logs import REDACTED, JsonFormatter
from ecoute.ops.multiproc import drop_stale
from ecoute.store import repo


def test_status_prints_readiness_queues_sources_and_last_ingest(db, db_url, workspace, tmp_path):
    with db.session() as session:
        repo.ensure_source(session, workspace.id, "avis-clients", kind="file", platform="web", settings={})

    shown = ecoute(["status"], db_url, tmp_path)
    as_json = ecoute(["status", "--json"], db_url, tmp_path)

    assert shown.returncode == 0, shown.stderr
    assert "migrations: ok" in shown.stdout
    assert "interactive" in shown.stdout and "avis-clients" in shown.stdout
    assert "last ingest: never" in shown.stdout
    data = json.loads(as_json.stdout)
    assert data["ready"] is True
    assert [q["queue"] for q in data["queues"]] == ["interactive", "delivery", "poll", "ingest", "bulk"]
    assert data["sources"][0]["name"] == "avis-clients" and data["sources"][0]["health"] == "new"
    assert data["workers"] == [] and data["last_ingest_at"] is None


def test_status_says_what_is_not_ready(db_url, tmp_path):
    shown = ecoute(["status", "--json"], db_url, tmp_path, ECOUTE_QUEUE_URL="redis://127.0.0.1:1/0")
    data = json.loads(shown.stdout)
    assert data["ready"] is False
    assert data["checks"]["queue"]["ok"] is False


def test_json_log_lines_from_a_command_are_each_an_object(db_url, tmp_path):
    ran = ecoute(["status"], db_url, tmp_path, ECOUTE_LOG_FORMAT="json")
    lines = [json.loads(line) for line in ran.stderr.splitlines() if line.strip()]
    assert ran.returncode == 0
    assert lines, "info lines are logged in JSON mode"
    assert {"time", "level", "logger", "event"} <= set(lines[0])


def test_an_unknown_log_format_is_refused_by_name(db_url, tmp_path):
    ran = ecoute(["status"], db_url, tmp_path, ECOUTE_LOG_FORMAT="xml")
    assert ran.returncode != 0
    assert "ECOUTE_LOG_FORMAT='xml'" in ran.stderr + ran.stdout


def test_json_formatter_keeps_extras_and_never_writes_secrets():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("ecoute.test.json_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info(
            "webhook.sent",
            extra={"endpoint_id": 7, "signing_secret": "whsec-123", "api_token": "t", "ms": 12.5},
        )
    finally:
        logger.removeHandler(handler)

    line = json.loads(stream.getvalue())
    assert line["event"] == "webhook.sent" and line["level"] == "info"
    assert line["endpoint_id"] == 7 and line["ms"] == 12.5
    assert line["signing_secret"] == REDACTED and line["api_token"] == REDACTED
    assert "whsec-123" not in stream.getvalue()


def test_serve_drops_the_counters_of_finished_processes_only(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    gone = tmp_path / f"counter_{finished.stdout.strip()}.db"
    running = tmp_path / f"histogram_{os.getpid()}.db"
    gone.write_bytes(b"x")
    running.write_bytes(b"x")

    assert drop_stale(tmp_path) == [gone]
    assert running.exists() and not gone.exists()
