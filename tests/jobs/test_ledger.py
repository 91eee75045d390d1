"""The job ledger on both databases: deferred once per key, claimed by one worker at a time,
retried with back-off, given up after its last attempt, taken over when a lease runs out, and
put back on the queue by the sweep when its message was lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from ecoute.jobs import ledger, registry
from ecoute.jobs.models import Job
from ecoute.jobs.queues import queues_for
from ecoute.jobs.registry import JobContext, Permanent, RetryLater, job
from ecoute.jobs.runner import run_due, run_job
from ecoute.jobs.scheduler import tick
from ecoute.settings import Settings
from ecoute.store.types import utcnow

pytestmark = pytest.mark.usefixtures("jobs_wait")  # jobs wait in the queue: each test runs them
RAN: list[tuple[str, dict[str, Any], int]] = []


@job("test.record", queue="bulk", max_attempts=3)
def record(ctx: JobContext, payload: dict[str, Any]) -> None:
    RAN.append((ctx.key, payload, ctx.attempt))
    if payload.get("fail"):
        raise RuntimeError(payload["fail"])
    if payload.get("later"):
        raise RetryLater(payload["later"], "rate limited")
    if payload.get("give_up"):
        raise Permanent("cannot work")


@pytest.fixture(autouse=True)
def _clean_log() -> None:
    RAN.clear()


def job_row(db, job_id: int) -> Job:
    with db.session() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def defer(db, key: str, workspace_id: int | None = None, **payload: Any) -> int | None:
    with db.session() as session:
        return ledger.defer(session, "test.record", payload, key=key, workspace_id=workspace_id)


def test_the_same_key_is_stored_once(db, workspace):
    first = defer(db, "k1", workspace.id, n=1)
    second = defer(db, "k1", workspace.id, n=2)

    assert first is not None and second is None
    with db.session() as session:
        rows = session.scalars(select(Job).where(Job.key == "k1")).all()
    assert [(r.state, r.payload, r.queue, r.workspace_id) for r in rows] == [
        ("pending", {"n": 1}, "bulk", workspace.id)
    ]


def test_a_rolled_back_transaction_defers_nothing(db):
    with pytest.raises(RuntimeError), db.session() as session:
        ledger.defer(session, "test.record", {}, key="gone")
        raise RuntimeError("the change that caused it failed")

    with db.session() as session:
        assert session.scalar(select(Job).where(Job.key == "gone")) is None


def test_a_job_is_claimed_once_and_done(db):
    job_id = defer(db, "k2", n=1)
    assert job_id is not None

    first = ledger.claim(db, job_id, "w1")
    second = ledger.claim(db, job_id, "w2")
    assert first is not None and second is None
    assert (first.attempt, first.payload) == (1, {"n": 1})
    ledger.finish(db, first)

    assert job_row(db, job_id).state == "done"
    assert ledger.claim(db, job_id, "w3") is None


def test_a_failure_is_retried_after_a_back_off_then_given_up(db):
    job_id = defer(db, "k3", fail="platform down")
    assert job_id is not None
    settings = Settings()

    outcomes = []
    for _ in range(3):
        outcomes.append(run_job(db, settings, job_id).state)
        with db.session() as session:  # the back-off has passed
            session.execute(update(Job).where(Job.id == job_id).values(run_at=utcnow()))

    assert outcomes == ["pending", "pending", "dead"]
    row = job_row(db, job_id)
    assert (row.state, row.attempts, row.last_error) == ("dead", 3, "RuntimeError: platform down")
    assert [attempt for _, _, attempt in RAN] == [1, 2, 3]


def test_the_back_off_grows_and_is_not_immediate(db):
    job_id = defer(db, "k4", fail="x")
    assert job_id is not None
    before = utcnow()
    run_job(db, Settings(), job_id)

    row = job_row(db, job_id)
    assert row.state == "pending"
    assert row.run_at >= before + timedelta(seconds=4)  # 5 s ± 20 %
    assert ledger.backoff_after(4) > ledger.backoff_after(1)


def test_retry_later_does_not_count_as_an_attempt(db):
    job_id = defer(db, "k5", later=120)
    assert job_id is not None
    run_job(db, Settings(), job_id)

    row = job_row(db, job_id)
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, "rate limited")
    assert row.run_at > utcnow() + timedelta(seconds=100)


def test_permanent_gives_up_at_once(db):
    job_id = defer(db, "k6", give_up=True)
    assert job_id is not None

    assert run_job(db, Settings(), job_id).state == "dead"
    assert job_row(db, job_id).last_error == "cannot work"


def test_a_lease_that_ran_out_lets_another_worker_take_over(db):
    job_id = defer(db, "k7")
    assert job_id is not None
    held = ledger.claim(db, job_id, "dead-worker")
    assert held is not None
    assert ledger.claim(db, job_id, "w2") is None  # the lease is still running

    with db.session() as session:  # time passes: the first worker was killed mid-job
        session.execute(
            update(Job).where(Job.id == job_id).values(lease_until=utcnow() - timedelta(seconds=1))
        )
    taken = ledger.claim(db, job_id, "w2")

    assert taken is not None and taken.attempt == 2
    ledger.finish(db, held)  # the dead worker's late answer changes nothing
    assert job_row(db, job_id).state == "running"
    ledger.finish(db, taken)
    assert job_row(db, job_id).state == "done"


def test_a_job_whose_worker_died_on_its_last_attempt_is_given_up(db):
    job_id = defer(db, "k8")
    assert job_id is not None
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state="running", attempts=3, lease_until=utcnow() - timedelta(minutes=1))
        )

    assert ledger.claim(db, job_id, "w") is None
    row = job_row(db, job_id)
    assert row.state == "dead" and "stopped during the last attempt" in (row.last_error or "")


def test_the_sweep_requeues_lost_messages_and_expired_leases(db):
    now = utcnow()
    lost = defer(db, "lost")
    fresh = defer(db, "fresh")
    never = defer(db, "never-kicked")
    expired = defer(db, "expired")
    with db.session() as session:
        session.execute(
            update(Job).where(Job.id.in_([lost, fresh])).values(run_at=now - timedelta(minutes=20))
        )
        session.execute(update(Job).where(Job.id == lost).values(kicked_at=now - timedelta(minutes=20)))
        session.execute(
            update(Job).where(Job.id == never).values(kicked_at=None, run_at=now - timedelta(minutes=3))
        )
        session.execute(
            update(Job)
            .where(Job.id == expired)
            .values(state="running", attempts=1, lease_until=now - timedelta(seconds=5))
        )

    report = ledger.sweep(db, now=now)

    assert (report.requeued, report.taken_over, report.buried) == (2, 1, 0)
    assert job_row(db, lost).kicked_at == now
    assert job_row(db, fresh).kicked_at != now  # kicked recently: its message is on its way


def test_an_idle_queue_gets_its_due_jobs_back_sooner(db):
    now = utcnow()
    job_id = defer(db, "idle")
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(run_at=now - timedelta(minutes=5), kicked_at=now - timedelta(minutes=5))
        )

    assert ledger.sweep(db, now=now).requeued == 0  # messages may still be queued
    assert ledger.sweep(db, now=now, idle_queues=frozenset({"bulk"})).requeued == 1


@job("test.interactive", queue="interactive")
def interactive_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    RAN.append((ctx.key, payload, ctx.attempt))


def test_the_tick_sees_an_idle_queue_before_putting_its_own_periodic_jobs_on_it(db):
    """A worker killed after taking a message off the queue and before claiming its job leaves
    the job pending with no message. The scheduler's next minute, on an empty queue, gives it back
    at once, although that same tick puts the queue's every-minute jobs on it."""
    queues = queues_for(Settings())
    now = utcnow()
    with db.session() as session:
        job_id = ledger.defer(session, "test.interactive", {}, key="taken-by-the-dead")
    assert queues.pending("interactive") == 1
    queues.huey("interactive").flush()  # the message the killed worker took with it
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(run_at=now - timedelta(minutes=2), kicked_at=now - timedelta(minutes=2))
        )
    own = {p.name for p in registry.periodics() if p.queue == "interactive"}
    assert own, "the tick puts jobs of its own on the interactive queue"

    report = tick(db, Settings(), now=now)

    assert report.sweep.requeued == 1
    assert own <= set(report.deferred)
    assert job_row(db, job_id).kicked_at == now
    assert queues.pending("interactive") == 1 + len(own)
    assert run_job(db, Settings(), job_id).state == "done"


def test_gauges_count_what_waits_and_for_how_long(db):
    old = defer(db, "g1")
    defer(db, "g2")
    later = defer(db, "g3")
    dead = defer(db, "g4")
    now = utcnow()
    with db.session() as session:
        session.execute(update(Job).where(Job.id == old).values(run_at=now - timedelta(seconds=90)))
        session.execute(update(Job).where(Job.id == later).values(run_at=now + timedelta(hours=1)))
        session.execute(update(Job).where(Job.id == dead).values(state="dead"))
        gauges = {g.queue: g for g in ledger.gauges(session, now=now)}

    bulk = gauges["bulk"]
    assert (bulk.waiting, bulk.scheduled, bulk.running, bulk.dead) == (2, 1, 0, 1)
    assert 89 <= bulk.oldest_wait_s <= 91
    assert gauges["interactive"].waiting == 0 and set(gauges) >= set(registry.QUEUES)


def test_run_due_runs_what_is_due_in_order(db):
    defer(db, "a", n=1)
    defer(db, "b", n=2)

    outcomes = run_due(db, Settings(), queues=("bulk",))

    assert [o.state for o in outcomes] == ["done", "done"]
    assert [payload["n"] for _, payload, _ in RAN] == [1, 2]


def test_purge_forgets_old_finished_jobs_only(db):
    now = utcnow()
    ids = [defer(db, f"p{i}") for i in range(3)]
    with db.session() as session:
        session.execute(
            update(Job).where(Job.id == ids[0]).values(state="done", finished_at=now - timedelta(days=15))
        )
        session.execute(update(Job).where(Job.id == ids[1]).values(state="done", finished_at=now))

    assert ledger.purge(db, now=now) == 1
    with db.session() as session:
        assert sorted(session.scalars(select(Job.key))) == ["p1", "p2"]


def test_an_unknown_kind_is_refused_when_deferred(db):
    with pytest.raises(registry.UnknownJob), db.session() as session:
        ledger.defer(session, "no.such.job", {}, key="x")
