"""Group commit: writes from many threads recorded by one writer, each caller answered only once
the transaction holding its write has committed; a failing write fails its caller alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from ecoute.jobs import defer, registry
from ecoute.jobs.group_commit import run_batched
from ecoute.jobs.models import Job

WRITERS = 30
BROKEN = 7


def _write(workspace_id: int, n: int):  # type: ignore[no-untyped-def]
    def write(session):  # type: ignore[no-untyped-def]
        if n == BROKEN:
            raise ValueError(f"write {n} is broken")
        job_id = defer(session, "ingest.items", {"items": []}, key=f"group:{n}", workspace_id=workspace_id)
        return job_id

    return write


def _keys(db) -> set[str]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return set(session.scalars(select(Job.key).where(Job.key.like("group:%"))))


def test_concurrent_writes_are_committed_before_their_callers_hear(db, workspace, jobs_wait):
    registry.load()  # as the web app does when built: importing every job module is not what is tested

    def call(n: int) -> tuple[int | None, set[str]]:
        job_id = run_batched(db, _write(workspace.id, n))
        return job_id, _keys(db)  # read at once from another session: the commit is done

    with ThreadPoolExecutor(WRITERS) as pool:
        futures = {n: pool.submit(call, n) for n in range(WRITERS)}

    with pytest.raises(ValueError, match="write 7 is broken"):
        futures[BROKEN].result()
    answers = {n: futures[n].result() for n in range(WRITERS) if n != BROKEN}
    for n, (job_id, seen) in answers.items():
        assert job_id is not None
        assert f"group:{n}" in seen  # committed before this caller was answered
    assert len({job_id for job_id, _seen in answers.values()}) == WRITERS - 1
    assert _keys(db) == {f"group:{n}" for n in range(WRITERS) if n != BROKEN}


def test_the_same_key_twice_is_recorded_once(db, workspace, jobs_wait):
    first = run_batched(db, _write(workspace.id, 1))
    again = run_batched(db, _write(workspace.id, 1))

    assert first is not None and again is None
    assert _keys(db) == {"group:1"}
