"""Replies stuck in "sending" (the process died between the two commits of a delivery) are
re-delivered by ``ecoute replies retry`` through the same idempotent path: against a real local
Mastodon-shaped server, each reply is posted exactly once, however often the command runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import reply_factories as rf
from ecoute.respond import retry
from ecoute.store.models import AuditEvent
from ecoute.store.types import utcnow
from reply_platform import ENTRY_POINT, FakeMastodonSource, WorkerDied, fake_mastodon

TESTS = Path(__file__).resolve().parents[1]


class Killed(BaseException):
    """The process dies (not an error deliver handles): the reply stays as the crash left it."""


def die_before_posting(*args, **kwargs):
    raise Killed


def stuck_reply(db, workspace, server, *, after_post: bool, monkeypatch):
    """A reply left in "sending": the process died before the platform heard of it, or right after
    the platform accepted it (before Écoute could write the platform's answer)."""
    src = rf.source(db, workspace, ENTRY_POINT, instance=server.url)
    conv = rf.conversation(db, workspace, src)
    if after_post:
        FakeMastodonSource.crash_after_post = 1
        with pytest.raises(WorkerDied):
            rf.submit(db, workspace, conv.id, "On vous répond en message privé.")
    else:
        with monkeypatch.context() as patch:
            patch.setattr(FakeMastodonSource, "send_reply", die_before_posting)
            with pytest.raises(Killed):
                rf.submit(db, workspace, conv.id, "On vous répond en message privé.")
    [(reply, _)] = rf.replies(db, workspace, conv.id)
    assert reply.status == "sending"
    return conv


@pytest.mark.parametrize("after_post", [False, True], ids=["before-posting", "after-posting"])
def test_a_stuck_reply_is_sent_exactly_once_and_a_second_run_sends_nothing(
    db, workspace, tmp_path, monkeypatch, after_post
):
    with fake_mastodon(tmp_path) as server:
        conv = stuck_reply(db, workspace, server, after_post=after_post, monkeypatch=monkeypatch)
        posted_before = len(server.statuses)
        later = utcnow() + timedelta(minutes=6)
        first = retry.retry_stuck(db, older_than=timedelta(minutes=5), now=later)
        second = retry.retry_stuck(db, older_than=timedelta(minutes=5), now=later + timedelta(hours=1))

    assert posted_before == (1 if after_post else 0)
    assert len(server.statuses) == 1  # posted once in all, crash and retry included
    assert (first.stuck, first.sent, first.failed, first.left) == (1, 1, 0, 0)
    assert (second.stuck, second.sent) == (0, 0)
    [(reply, state)] = rf.replies(db, workspace, conv.id)
    assert (reply.status, reply.platform_reply_id) == ("sent", "109000000000000001")
    assert state.attempts == 2
    assert rf.conversation_row(db, conv.id).needs_reply is False  # answered: its clock stops
    with db.session() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "reply.send")).one()
    assert audit.actor == retry.ACTOR


def test_a_reply_still_within_the_grace_period_is_left_alone(db, workspace, tmp_path, monkeypatch):
    with fake_mastodon(tmp_path) as server:
        conv = stuck_reply(db, workspace, server, after_post=False, monkeypatch=monkeypatch)
        report = retry.retry_stuck(db, older_than=timedelta(minutes=5), now=utcnow() + timedelta(minutes=4))

    assert (report.stuck, server.requests) == (0, 0)
    assert rf.replies(db, workspace, conv.id)[0][0].status == "sending"


def test_a_refusal_is_recorded_as_failed_and_not_retried_again(db, workspace, tmp_path, monkeypatch):
    with fake_mastodon(tmp_path) as server:
        conv = stuck_reply(db, workspace, server, after_post=False, monkeypatch=monkeypatch)
        server.refuse_next = 1
        later = utcnow() + timedelta(minutes=10)
        first = retry.retry_stuck(db, now=later)
        second = retry.retry_stuck(db, now=later + timedelta(hours=1))

    assert (first.stuck, first.failed, second.stuck) == (1, 1, 0)
    [(reply, state)] = rf.replies(db, workspace, conv.id)
    assert reply.status == "failed"
    assert "character limit" in state.last_error
    assert len(server.statuses) == 0


def test_every_workspace_is_retried_and_one_unreachable_platform_stops_nothing(
    db, workspace, other_workspace, tmp_path, monkeypatch
):
    with fake_mastodon(tmp_path) as server:
        ours = stuck_reply(db, workspace, server, after_post=False, monkeypatch=monkeypatch)
        theirs = stuck_reply(db, other_workspace, server, after_post=True, monkeypatch=monkeypatch)
        with monkeypatch.context() as patch:  # the platform is down for the first try
            patch.setattr(FakeMastodonSource, "send_reply", unreachable)
            down = retry.retry_stuck(db, now=utcnow() + timedelta(minutes=10))
        up = retry.retry_stuck(db, now=utcnow() + timedelta(minutes=30))

    assert (down.stuck, down.sent, down.left) == (2, 0, 2)
    assert (up.stuck, up.sent) == (2, 2)
    assert rf.replies(db, workspace, ours.id)[0][0].status == "sent"
    assert rf.replies(db, other_workspace, theirs.id)[0][0].status == "sent"
    assert len(server.statuses) == 2


def unreachable(*args, **kwargs):
    raise ConnectionRefusedError("connection refused")


def test_two_runs_at_once_never_both_take_the_same_reply(db, workspace, tmp_path, monkeypatch):
    with fake_mastodon(tmp_path) as server:
        stuck_reply(db, workspace, server, after_post=False, monkeypatch=monkeypatch)
    later = utcnow() + timedelta(minutes=10)
    [(workspace_id, reply_id)] = retry.stuck_replies(db, later - timedelta(minutes=5))

    claims = [retry._claim(db, workspace_id, reply_id, later - timedelta(minutes=5), later) for _ in range(2)]

    assert claims == [True, False]


def test_the_command_retries_once_and_says_what_it_did(db_url, db, workspace, tmp_path, monkeypatch):
    with fake_mastodon(tmp_path) as server:
        conv = stuck_reply(db, workspace, server, after_post=True, monkeypatch=monkeypatch)
        first = ecoute(["replies", "retry", "--older-than", "0s"], db_url, tmp_path)
        second = ecoute(["replies", "retry", "--older-than", "0s"], db_url, tmp_path)
        bad = ecoute(["replies", "retry", "--older-than", "soon"], db_url, tmp_path)

    assert first.returncode == 0, first.stderr
    assert "stuck 1: sent 1, refused 0" in first.stdout
    assert "stuck 0: sent 0" in second.stdout
    assert len(server.statuses) == 1
    assert rf.replies(db, workspace, conv.id)[0][0].status == "sent"
    assert bad.returncode == 2
    assert re.search(r"error: --older-than 'soon': give a duration", bad.stderr)


def ecoute(args: list[str], db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a real subprocess that sees the test platform's entry point (as installed)."""
    path = os.pathsep.join([str(tmp_path / "site"), str(TESTS), os.environ.get("PYTHONPATH", "")])
    env = {
        **os.environ,
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": path,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args], env=env, capture_output=True, text=True, timeout=300
    )
