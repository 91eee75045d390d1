"""With ``ECOUTE_QUEUE_URL=immediate`` (the tests' default) a job runs in the deferring process
right after the commit that recorded it — and never when that transaction is rolled back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ecoute.jobs import defer, job
from ecoute.jobs.models import Job
from ecoute.jobs.registry import JobContext

SEEN: list[str] = []


@job("test.immediate", queue="interactive")
def immediate(ctx: JobContext, payload: dict[str, Any]) -> None:
    SEEN.append(payload["name"])
    if payload.get("then"):
        with ctx.db.session() as session:
            defer(session, "test.immediate", {"name": payload["then"]}, key=f"then:{payload['then']}")


@pytest.fixture(autouse=True)
def _clean() -> None:
    SEEN.clear()


def test_a_job_runs_after_its_transaction_commits(db):
    with db.session() as session:
        defer(session, "test.immediate", {"name": "first", "then": "second"}, key="first")
        assert SEEN == []  # not before the commit

    assert SEEN == ["first", "second"]
    with db.session() as session:
        assert sorted(session.scalars(select(Job.state))) == ["done", "done"]


def test_a_rolled_back_job_never_runs(db):
    with pytest.raises(ValueError), db.session() as session:
        defer(session, "test.immediate", {"name": "never"}, key="never")
        raise ValueError("the change failed")

    assert SEEN == []
