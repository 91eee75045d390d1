"""Running clocks read from the store: which conversations wait for an answer since when, and
which are about to breach; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecoute.keep_time.deadlines import KeepTime, about_to_breach, conversation_deadlines, open_clocks
from ecoute.keep_time.targets import BreachState
from response_factories import Builder

PARIS = ZoneInfo("Europe/Paris")
MONDAY_10 = datetime(2026, 10, 19, 10, tzinfo=PARIS)


def at(minutes: int) -> datetime:
    return MONDAY_10 + timedelta(minutes=minutes)


@pytest.fixture
def b(db, workspace) -> Builder:
    return Builder(db, workspace)


def starts(db, workspace) -> dict[int, datetime]:
    with db.session() as session:
        return {c.conversation_id: c.clock.started_at for c in open_clocks(session, workspace.id)}


def test_the_clock_starts_at_the_first_message_needing_a_reply(db, workspace, b):
    conv = b.conversation(at(0))
    b.mention(conv, at(0), needs_reply=False)
    b.mention(conv, at(5))
    b.mention(conv, at(9))

    assert starts(db, workspace) == {conv: at(5)}


def test_a_sent_reply_stops_the_clock_and_a_later_message_starts_a_new_one(db, workspace, b):
    answered, asked_again = b.conversation(at(0)), b.conversation(at(0))
    for conv in (answered, asked_again):
        b.mention(conv, at(0))
        b.reply(conv, at(20))
    b.mention(asked_again, at(30))

    assert starts(db, workspace) == {asked_again: at(30)}


def test_drafts_do_not_stop_the_clock_hidden_mentions_do_not_start_it(db, workspace, b):
    drafted, hidden = b.conversation(at(0)), b.conversation(at(0))
    b.mention(drafted, at(0))
    b.reply(drafted, None, status="pending_approval")
    b.mention(hidden, at(0), hidden=True)

    assert starts(db, workspace) == {drafted: at(0)}


def test_resolved_or_marked_as_not_needing_a_reply_has_no_clock(db, workspace, b):
    resolved = b.conversation(at(0), status="resolved")
    dismissed = b.conversation(at(0), needs_reply=False)
    for conv in (resolved, dismissed):
        b.mention(conv, at(0))

    assert starts(db, workspace) == {}


def test_clocks_are_read_from_the_workspace_only(db, workspace, other_workspace, b):
    ours = b.conversation(at(0))
    b.mention(ours, at(0))
    theirs = Builder(db, other_workspace)
    conv = theirs.conversation(at(0))
    theirs.mention(conv, at(1))

    assert starts(db, workspace) == {ours: at(0)}
    assert starts(db, other_workspace) == {conv: at(1)}


def test_deadlines_follow_the_workspace_settings_and_come_soonest_first(db, workspace, b):
    b.set_settings(
        {
            "response_targets": {
                "bands": [{"min_priority": 80, "minutes": 30}, {"min_priority": 0, "minutes": 120}]
            }
        }
    )
    slow, urgent = b.conversation(at(0), priority=20), b.conversation(at(0), priority=90)
    b.mention(slow, at(0))
    b.mention(urgent, at(10))
    with db.session() as session:
        found = conversation_deadlines(session, workspace_row(session, workspace), at(35))

    assert [(d.conversation_id, d.state, d.status.due_at) for d in found] == [
        (urgent, BreachState.DUE_SOON, at(40)),
        (slow, BreachState.OK, at(120)),
    ]
    assert found[0].status.remaining == timedelta(minutes=5)


def test_about_to_breach_lists_due_soon_and_late_at_or_above_a_priority(db, workspace, b):
    late, soon, fine, low = (b.conversation(at(0), priority=p) for p in (85, 85, 85, 10))
    b.mention(late, at(-90))
    b.mention(soon, at(-50))
    b.mention(fine, at(0))
    b.mention(low, at(-3 * 24 * 60))  # Friday 10:00: 9 business hours run out on Monday at 10:00
    with db.session() as session:
        ws = workspace_row(session, workspace)
        high = about_to_breach(session, ws, at(0), min_priority=80)
        only_soon = about_to_breach(session, ws, at(0), min_priority=80, include_breached=False)
        every = about_to_breach(session, ws, at(0), keep_time=KeepTime.of(ws))

    assert [(d.conversation_id, d.state) for d in high] == [
        (late, BreachState.BREACHED),
        (soon, BreachState.DUE_SOON),
    ]
    assert [d.conversation_id for d in only_soon] == [soon]
    assert {d.conversation_id for d in every} == {late, soon, low}


def workspace_row(session, workspace):
    from ecoute.store.models import Workspace

    return session.get(Workspace, workspace.id)
