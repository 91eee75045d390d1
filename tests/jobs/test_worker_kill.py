"""Nothing lost, nothing doubled, for real: 1,000 replies queued, ``ecoute worker`` processes
sending them to a Mastodon-shaped platform, the worker killed with SIGKILL while the platform
holds back its answer to a post it already made — and a message lost with it (on SQLite), or
the whole queue's store wiped (with Redis).
Every reply ends up posted exactly once (the platform counts the statuses it created)."""

from __future__ import annotations

import uuid

import pytest
import redis
from sqlalchemy import func, select

import reply_factories as rf
from conftest import REDIS_URL
from ecoute.jobs.models import Job
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Reply
from jobs.worker_drill import (
    kill_9,
    leases_run_out,
    queue_replies,
    take_a_message,
    unsent,
    wait_until_sent,
    worker,
    worker_env,
)
from reply_platform import ENTRY_POINT, fake_mastodon

pytestmark = pytest.mark.slow
COUNT = 1000
KILL_AT = 300


def drill(db_url: str, tmp_path, queue_url: str, *, wipe_queue=None) -> None:
    db = Database.open(db_url, run_migrations=False)
    base = {
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(tmp_path / "data"),
        "ECOUTE_QUEUE_URL": queue_url,
        "ECOUTE_QUEUE_PREFIX": f"drill{uuid.uuid4().hex[:8]}",
        "ECOUTE_ANALYSIS": "off",
    }
    try:
        with db.session() as session:
            workspace = repo.create_workspace(session, "drill", "Drill", locale="fr", timezone="Europe/Paris")
        with fake_mastodon(tmp_path) as server:
            source = rf.source(db, workspace, ENTRY_POINT, instance=server.url)
            with pytest.MonkeyPatch.context() as patch:
                for name, value in base.items():
                    patch.setenv(name, value)
                queue_replies(db, workspace, source, COUNT)  # the jobs go to the real queue
            env = worker_env(base, tmp_path / "site")
            server.hold_at = KILL_AT

            with worker(env, "--queues", "interactive", "--concurrency", "4") as first:
                assert server.held.wait(300), "the worker never reached the held post"
                kill_9(first)  # mid-job: the platform made the post, the worker never heard back
            server.release.set()
            with db.session() as session:
                sent_before = session.scalar(
                    select(func.count()).select_from(Reply).where(Reply.status == "sent")
                )
            taken = leases_run_out(db)
            if wipe_queue is not None:
                wipe_queue(base["ECOUTE_QUEUE_PREFIX"])
            else:  # a message the killed worker took and never claimed: its job is on no queue
                with pytest.MonkeyPatch.context() as patch:
                    for name, value in base.items():
                        patch.setenv(name, value)
                    lost = take_a_message()
                with db.session() as session:
                    assert session.get(Job, lost).state == "pending"

            with worker(env, "--queues", "interactive", "--concurrency", "4", "--scheduler") as second:
                sent = wait_until_sent(db, workspace.id, COUNT, stall=240, process=second)

            assert sent_before < COUNT and taken >= 1  # the kill really interrupted the batch
            assert sent == COUNT, unsent(db, workspace.id)  # every reply went out…
            assert len(server.statuses) == COUNT  # …and the platform made each post once
            with db.session() as session:
                ids = session.scalars(select(Reply.platform_reply_id)).all()
                states = session.execute(
                    select(Job.state, func.count()).where(Job.kind == "reply.send").group_by(Job.state)
                ).all()
            assert len(set(ids)) == COUNT
            assert dict(states) == {"done": COUNT}
            assert server.requests > COUNT - 1  # the held post was asked for again, and replayed
    finally:
        db.dispose()


def test_kill_9_mid_batch_on_one_machine(db_url, tmp_path):
    """SQLite database, SQLite queue file: the one-machine layout."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the one-machine layout is SQLite; PostgreSQL runs with Redis below")
    drill(db_url, tmp_path, "", wipe_queue=None)


def test_kill_9_mid_batch_with_redis_wiped(db_url, tmp_path):
    """PostgreSQL and Redis, the several-machines layout; after the kill, every key of the queue
    is deleted from Redis."""
    if db_url.startswith("sqlite"):
        pytest.skip(
            "the several-machines layout is PostgreSQL + Redis; SQLite runs with its queue file above"
        )
    if not REDIS_URL:
        pytest.skip("ECOUTE_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)")
    client = redis.Redis.from_url(REDIS_URL)

    def wipe(prefix: str) -> None:
        keys = list(client.scan_iter(match=f"huey.*{prefix}*"))
        assert keys, "the queue should have left keys in Redis"
        client.delete(*keys)

    drill(db_url, tmp_path, REDIS_URL, wipe_queue=wipe)
