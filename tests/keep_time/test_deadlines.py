"""Running clocks read from the store: which conversations wait for an answer since when, and
which are about to breach; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecoute.keep_time.deadlines import (
    KeepTime,
    about_to_breach,
    conversation_deadlines,
    deadline_state_condition,
    open_clocks,
)
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


def in_state(db, workspace, now, *states) -> set[int]:
    """The conversations the SQL condition picks (what the inbox's deadline filter shows)."""
    from sqlalchemy import select

    from ecoute.store.models import Conversation

    with db.session() as session:
        ws = workspace_row(session, workspace)
        condition = deadline_state_condition(ws.id, KeepTime.of(ws), now, states)
        query = select(Conversation.id).where(Conversation.workspace_id == ws.id, condition)
        return set(session.scalars(query))


def by_python(db, workspace, now, *states) -> set[int]:
    with db.session() as session:
        found = conversation_deadlines(session, workspace_row(session, workspace), now)
    return {d.conversation_id for d in found if d.state in states}


NOWS = [
    at(0),  # Monday 10:00
    at(55),  # Monday 10:55
    at(-61),  # Monday 08:59, before opening: every clock stands still
    at(-2 * 24 * 60 + 120),  # Saturday 12:00
    at(8 * 60 - 1),  # Monday 17:59, a minute before closing
    at(9 * 60 + 30),  # Monday 19:30
]


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.strftime("%a-%H%M"))
def test_the_sql_state_condition_agrees_with_the_computed_state(db, workspace, b, now):
    b.set_settings(
        {
            "response_targets": {
                "bands": [
                    {"min_priority": 80, "minutes": 60},
                    {"min_priority": 50, "minutes": 240},
                    {"min_priority": 0, "minutes": 540},
                ],
                "due_soon_fraction": 0.25,
            }
        }
    )
    for priority in (10, 50, 79, 80, 95):
        for started in (-3 * 24 * 60, -24 * 60, -600, -240, -200, -180, -61, -60, -45, -15, -1, 0, 30):
            conv = b.conversation(at(started), priority=priority)
            b.mention(conv, at(started))
    answered = b.conversation(at(-600), priority=90)  # answered, then asked again just now
    b.mention(answered, at(-600))
    b.reply(answered, at(-10))
    b.mention(answered, at(-5))
    b.mention(b.conversation(at(-600), priority=90, status="resolved"), at(-600))
    b.mention(b.conversation(at(-600), priority=90), at(-600), hidden=True)

    breached = by_python(db, workspace, now, BreachState.BREACHED)
    soon = by_python(db, workspace, now, BreachState.DUE_SOON)

    assert breached and soon  # every now has both, so the comparison means something
    assert in_state(db, workspace, now, BreachState.BREACHED) == breached
    assert in_state(db, workspace, now, BreachState.DUE_SOON) == soon
    assert in_state(db, workspace, now, BreachState.DUE_SOON, BreachState.BREACHED) == breached | soon


def test_the_state_condition_is_exact_to_the_microsecond_at_the_deadline(db, workspace, b):
    conv = b.conversation(at(0), priority=90)
    b.mention(conv, at(0))  # due Monday 11:00, due soon from 10:45
    tick = timedelta(microseconds=1)

    assert in_state(db, workspace, at(60) - tick, BreachState.BREACHED) == set()
    assert in_state(db, workspace, at(60), BreachState.BREACHED) == {conv}
    assert in_state(db, workspace, at(45) - tick, BreachState.DUE_SOON) == set()
    assert in_state(db, workspace, at(45), BreachState.DUE_SOON) == {conv}
    assert in_state(db, workspace, at(60), BreachState.DUE_SOON) == set()


def test_clocks_of_some_conversations_only(db, workspace, b):
    first, second, third = (b.conversation(at(0)) for _ in range(3))
    for conv in (first, second, third):
        b.mention(conv, at(-conv))
    b.reply(second, at(1))

    with db.session() as session:
        some = open_clocks(session, workspace.id, [first, second, 999_999])

    assert [(c.conversation_id, c.clock.started_at) for c in some] == [(first, at(-first))]
