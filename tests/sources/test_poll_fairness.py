"""Polling is fair: a source whose platform hangs holds one poll thread while the real workers go
on polling every other source, and a rate-limited one hands its wait to the scheduler instead of
sleeping in a worker thread. No timing is asserted: the test waits for states, not durations."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from ecoute.jobs.workers import WorkerPlan, Workers
from ecoute.settings import Settings
from ecoute.sources.jobs import defer_poll
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Mention, Source, Workspace
from ecoute.store.types import utcnow
from fake_platform import running
from feedserver import running_feed_server

HEALTHY = 6


class StuckServer(ThreadingHTTPServer):
    """A platform that accepts requests and answers none of them until told to."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StuckHandler)
        self.release = threading.Event()
        self.received = threading.Event()
        self.answered = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/feed.xml"


class _StuckHandler(BaseHTTPRequestHandler):
    server: StuckServer

    def do_GET(self) -> None:
        self.server.received.set()
        self.server.release.wait(timeout=120)
        self.server.answered += 1
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def workers(db: Database, jobs_wait: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workers]:
    """The real poll workers (Huey on the default SQLite queue, threads as ``ecoute serve`` has)."""
    monkeypatch.setenv("ECOUTE_HTTP_TIMEOUT", "120")  # the stuck platform must not time out first
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "3")  # as deployed: a Retry-After may be waited for
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")
    running_workers = Workers(db, Settings(), WorkerPlan(queues=("poll",), scheduler=False))
    running_workers.start()
    yield running_workers
    running_workers.stop(graceful=False)


def _rss(db: Database, workspace: Workspace, name: str, url: str) -> int:
    with db.session() as session:
        settings = {"url": url, "keep_unmatched": True}
        return repo.ensure_source(
            session, workspace.id, name, kind="rss", platform="rss", settings=settings
        ).id


def _poll_now(db: Database, source_ids: list[int]) -> None:
    now = utcnow()
    with db.session() as session:
        for source_id in source_ids:
            source = session.get(Source, source_id)
            assert source is not None
            defer_poll(session, source, now, key=f"source.poll:{source_id}:test")


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {seconds:.0f} s")
        time.sleep(0.1)


def test_a_stuck_source_does_not_stop_the_others_from_being_polled(db, workspace, workers):
    stuck = StuckServer()
    with running(stuck), running_feed_server() as feeds:
        feeds.serve("feed__rss2.xml")
        stuck_id = _rss(db, workspace, "stuck", stuck.url)
        healthy = [_rss(db, workspace, f"feed {n}", f"{feeds.url}?n={n}") for n in range(HEALTHY)]
        try:
            _poll_now(db, [stuck_id])
            _wait_for(stuck.received.is_set, "the stuck platform to be asked")  # it now holds a thread
            _poll_now(db, healthy)

            def all_polled() -> bool:
                with db.session() as session:
                    done = session.scalar(
                        select(func.count())
                        .select_from(Source)
                        .where(Source.id.in_(healthy), Source.last_success_at.is_not(None))
                    )
                    return done == HEALTHY

            _wait_for(all_polled, "the healthy sources to be polled")
            # Every other source was polled while the stuck one still waited for its answer.
            assert stuck.answered == 0 and not stuck.release.is_set()
            assert len(feeds.requests) == HEALTHY
            with db.session() as session:
                assert session.scalar(select(func.count()).select_from(Mention)) > 0
                assert session.get(Source, stuck_id).last_success_at is None
        finally:
            stuck.release.set()
        # Once it answers (a 503), the stuck source is recorded as failing and polled again later.
        _wait_for(lambda: _health(db, stuck_id) == "failing", "the stuck source's failure to be recorded")


def _health(db: Database, source_id: int) -> str | None:
    with db.session() as session:
        source = session.get(Source, source_id)
        return source.health if source is not None and source.last_run_at is not None else None


def test_a_rate_limited_source_hands_its_wait_to_the_scheduler(db, workspace, workers):
    with running_feed_server() as feeds:
        feeds.serve("feed__rss2.xml")
        feeds.fail_with(429, {"Retry-After": "40"})
        source_id = _rss(db, workspace, "limited", feeds.url)
        _poll_now(db, [source_id])
        _wait_for(lambda: _health(db, source_id) is not None, "the poll to end")
        with db.session() as session:
            source = session.get(Source, source_id)
            # One request, no sleep in the worker thread for the 40 s asked: the next poll waits instead.
            assert len(feeds.requests) == 1
            assert source.last_success_at is None
            assert source.next_poll_at - source.last_run_at >= timedelta(seconds=40)
