"""Refresh tokens that rotate (X, Bluesky): two worker processes needing a token at once send one
refresh to the platform, both use its access token, and the new refresh token is sealed in the
source's settings; the old one, revoked by the platform, is never sent again. A refusal stores
nothing. Both databases."""

from __future__ import annotations

import base64
import multiprocessing

import httpx
import pytest
from sqlalchemy import select

from ecoute.settings import Settings
from ecoute.sources.base import SourceError
from ecoute.sources.connect import refresh
from ecoute.sources.credentials import seal_secrets, secret
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Source
from fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuth, running_oauth

SETTINGS = Settings({"secret_key": "rotation-test-key"})
WORKERS = 2


def refresher(server: FakeOAuth):
    def ask(refresh_token: str):
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        response = httpx.post(
            server.token_url,
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            headers={"Authorization": f"Basic {basic}"},
        )
        body = response.json()
        if "error" in body:
            raise SourceError(f"refused: {body['error']}", retriable=False, kind="auth")
        return body

    return ask


@pytest.fixture
def server():
    with running_oauth(client_auth="basic", rotate_refresh=True) as httpd:
        yield httpd


@pytest.fixture
def source_id(db, workspace, server) -> int:
    first = server.issue()["refresh_token"]
    with db.session() as session:
        source = repo.ensure_source(
            session,
            workspace.id,
            "x",
            kind="x",
            platform="x",
            settings=seal_secrets({"refresh_token": first}, SETTINGS),
        )
        return source.id


def stored_refresh(db, source_id) -> str:
    with db.session() as session:
        return secret(session.get(Source, source_id).settings, "refresh_token", SETTINGS)


def _worker(url, workspace_id, source_id, ask, barrier, results) -> None:
    db = Database.open(url, run_migrations=False)
    try:
        barrier.wait(timeout=60)
        results.put(refresh.access_token(db, workspace_id, source_id, ask, settings=SETTINGS))
    except (SourceError, httpx.HTTPError) as error:  # reported to the test, which fails on it
        results.put(f"failed: {error!r}")
    finally:
        db.dispose()


def test_two_processes_refreshing_at_once_send_one_refresh(db, db_url, workspace, server, source_id):
    revoked = stored_refresh(db, source_id)
    server.refresh_delay_s = 0.5  # both are waiting before the first answer comes
    db.dispose()  # the children open their own connections
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(
            target=_worker, args=(db_url, workspace.id, source_id, refresher(server), barrier, results)
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    got = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    assert server.refreshes == 1
    assert got == [server.issued[-1]["access_token"]] * WORKERS
    rotated = stored_refresh(db, source_id)
    assert rotated == server.issued[-1]["refresh_token"] and rotated != revoked
    assert revoked not in server.refresh_tokens  # the platform revoked it


def test_the_rotated_token_is_used_next_and_a_refusal_stores_nothing(db, workspace, server, source_id):
    ask = refresher(server)
    first = refresh.access_token(db, workspace.id, source_id, ask, settings=SETTINGS)
    assert refresh.access_token(db, workspace.id, source_id, ask, settings=SETTINGS) == first  # held
    assert server.refreshes == 1

    refresh.forget(db, workspace.id, source_id)  # the platform refused it before its time
    second = refresh.access_token(db, workspace.id, source_id, ask, settings=SETTINGS)

    assert server.refreshes == 2 and second != first and second == server.issued[-1]["access_token"]
    before = stored_refresh(db, source_id)
    server.refresh_tokens.clear()  # the user revoked the app
    refresh.forget(db, workspace.id, source_id)
    with pytest.raises(SourceError, match="invalid_grant") as refused:
        refresh.access_token(db, workspace.id, source_id, ask, settings=SETTINGS)
    assert refused.value.kind == "auth"
    assert stored_refresh(db, source_id) == before
    with db.session() as session:
        settings = session.scalar(select(Source.settings).where(Source.id == source_id))
    assert refresh.HELD + "_sealed" not in settings
