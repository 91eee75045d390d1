"""``/healthz``, ``/readyz`` and ``/metrics`` on the real app in-process, over SQLite and PostgreSQL."""

from __future__ import annotations

import re
import socket
from typing import Any

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import text

import inbox_factories
from ecoute.jobs import defer, job
from ecoute.jobs.registry import JobContext
from ecoute.jobs.runner import run_due
from ecoute.ops.metrics import watch_jobs
from ecoute.settings import Settings
from ecoute.store import repo
from ecoute.store.db import alembic_config
from ecoute.web.app import create_app
from web_helpers import session_client

LOCAL = ("127.0.0.1", 40000)
FAR = ("203.0.113.7", 40000)


@job("test.ops_metrics", queue="bulk")
def _counted(ctx: JobContext, payload: dict[str, Any]) -> None:
    if payload.get("fail"):
        raise ValueError("this one fails")


def _client(app, client: tuple[str, int] = LOCAL) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False, client=client)


def _sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (labels given must all match)."""
    for line in body.splitlines():
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    raise AssertionError(f"no sample {name} {labels} in the metrics")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_without_login_or_database(app):
    app.state.db.dispose()
    response = _client(app, FAR).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_schema_and_queue(app, db):
    response = _client(app, FAR).get("/readyz")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": True, "detail": db.dialect}
    head = ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    assert checks["migrations"]["ok"] and checks["migrations"]["detail"] == head
    assert checks["queue"]["ok"]


def test_readyz_refuses_a_schema_behind_the_latest_migration(app, db):
    head = ScriptDirectory.from_config(alembic_config(db.engine)).get_current_head()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'an_old_revision'"))
    try:
        response = _client(app).get("/readyz")
    finally:  # the PostgreSQL schema is shared by the tests that follow in this process
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["migrations"]["ok"] is False
    assert "an_old_revision" in body["checks"]["migrations"]["detail"]


def test_readyz_refuses_an_unreachable_queue_store(db, tmp_path):
    settings = Settings(
        {"data_dir": str(tmp_path / "d"), "queue_url": f"redis://127.0.0.1:{_closed_port()}/0"}
    )
    response = _client(create_app(db, settings)).get("/readyz")
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False and "unreachable" in queue["detail"]


def test_metrics_are_for_loopback_clients_only(app):
    assert _client(app, FAR).get("/metrics").status_code == 403
    proxied = _client(app).get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"})
    assert proxied.status_code == 403
    assert _client(app).get("/metrics").status_code == 200


def test_metrics_token_lets_any_client_in_with_it_only(db, tmp_path):
    settings = Settings(
        {"data_dir": str(tmp_path / "d"), "secret_key": "k", "metrics_token": "s3cret-scrape"}
    )
    app = create_app(db, settings)
    far = _client(app, FAR)
    assert far.get("/metrics").status_code == 401
    assert far.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _client(app).get("/metrics").status_code == 401  # the token applies to loopback too
    answer = far.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")


def test_metrics_report_queues_requests_jobs_sources_and_mentions(app, db, workspace, jobs_wait):
    watch_jobs()
    inbox_factories.conversation(db, workspace, replies=["et toujours rien"])
    with db.session() as session:
        repo.ensure_source(session, workspace.id, "avis", kind="file", platform="web", settings={})
        failing = repo.ensure_source(session, workspace.id, "flux", kind="rss", platform="rss", settings={})
        repo.record_source_failure(session, workspace.id, failing.id, "timed out")
        for n in range(3):
            defer(session, "test.ops_metrics", {}, key=f"ops-metrics-wait-{n}")
    owner = session_client(app, db, workspace)
    assert owner.get(f"/w/{workspace.slug}/").status_code == 200

    body = _client(app).get("/metrics").text

    assert _sample(body, "ecoute_queue_jobs", queue="bulk", state="waiting") == 3
    assert _sample(body, "ecoute_queue_oldest_wait_seconds", queue="bulk") >= 0
    assert _sample(body, "ecoute_mentions", workspace="acme") == 2
    assert _sample(body, "ecoute_source_up", workspace="acme", source="avis") == 1
    assert _sample(body, "ecoute_source_up", workspace="acme", source="flux") == 0
    assert _sample(body, "ecoute_source_consecutive_failures", source="flux") == 1
    route = "/w/{slug}/"
    assert _sample(body, "ecoute_http_request_duration_seconds_count", route=route, status="200") >= 1
    assert f'route="/w/{workspace.slug}/"' not in body  # templates, never paths

    with db.session() as session:
        defer(session, "test.ops_metrics", {"fail": True}, key="ops-metrics-fail")
    outcomes = run_due(db, app.state.settings, queues=("bulk",))
    assert sorted(o.state for o in outcomes) == ["done", "done", "done", "pending"]
    after = _client(app).get("/metrics").text
    assert _sample(after, "ecoute_job_runs_total", kind="test.ops_metrics", outcome="done") >= 3
    assert _sample(after, "ecoute_job_runs_total", kind="test.ops_metrics", outcome="pending") >= 1
    assert _sample(after, "ecoute_job_duration_seconds_count", kind="test.ops_metrics") >= 4
    assert _sample(after, "ecoute_queue_jobs", queue="bulk", state="waiting") == 0
    assert _sample(after, "ecoute_queue_jobs", queue="bulk", state="scheduled") == 1
    assert _sample(after, "ecoute_workers_seen") == 1
