"""The inbox's deadline filter: "due soon" read from the mentions of the due-soon windows (few
candidates) or by walking the inbox order (many) gives exactly the conversations whose clock is
due soon as computed in Python, in inbox order, page after page, on SQLite and PostgreSQL —
including clocks whose window spans a night or a weekend (the default hours, Monday to Friday
09:00–18:00 in Paris, and targets: priority ≥ 80: 1 h, ≥ 50: 4 h, below: 9 h; due soon in the
last quarter)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ecoute.inbox import queries, search
from ecoute.inbox.queries import InboxFilters
from ecoute.keep_time.deadlines import (
    KeepTime,
    conversation_deadlines,
    due_soon_candidates,
    due_soon_windows,
    open_clocks,
)
from ecoute.keep_time.targets import BreachState
from ecoute.store.models import Conversation, Mention, Workspace
from response_factories import Builder

PARIS = ZoneInfo("Europe/Paris")
SECRET = "test-secret"
FIRST = datetime(2026, 10, 15, 0, 0, tzinfo=PARIS)  # Thursday
LAST = datetime(2026, 10, 20, 18, 0, tzinfo=PARIS)  # Tuesday
NOWS = {
    # 1 h band due soon from (Friday 17:50, Monday 09:05]: the whole weekend.
    "monday-0950": datetime(2026, 10, 19, 9, 50, tzinfo=PARIS),
    "monday-1130": datetime(2026, 10, 19, 11, 30, tzinfo=PARIS),
    # 4 h band from (Monday 17:00, Tuesday 09:00]: the night.
    "tuesday-1200": datetime(2026, 10, 20, 12, 0, tzinfo=PARIS),
    # 9 h band from (Monday 16:00, Tuesday 09:15]: the night.
    "tuesday-1600": datetime(2026, 10, 20, 16, 0, tzinfo=PARIS),
    "saturday-noon": datetime(2026, 10, 17, 12, 0, tzinfo=PARIS),  # closed: every clock stands still
    "monday-0859": datetime(2026, 10, 19, 8, 59, tzinfo=PARIS),
}


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def mix(db, workspace, other_workspace) -> Builder:
    """A conversation asked every 31 minutes from Thursday to Tuesday at every priority band, and
    variations: answered then asked again, a first message needing no reply, a hidden one,
    resolved, marked as needing no reply; another workspace asking at the same moments."""
    b = Builder(db, workspace)
    other = Builder(db, other_workspace)
    priorities = (10, 49, 50, 60, 79, 80, 95)
    at, n = FIRST, 0
    while at < LAST:
        priority = priorities[n % len(priorities)]
        variant = n % 9
        conv = b.conversation(
            at,
            priority=priority,
            status="resolved" if variant == 7 else ("new", "open", "pending")[n % 3],
            needs_reply=variant != 8,
        )
        if variant == 3:  # answered, then asked again 95 minutes later
            b.mention(conv, at)
            b.reply(conv, at + timedelta(minutes=20))
            b.mention(conv, at + timedelta(minutes=95))
        elif variant == 4:  # a thank-you first, the question later
            b.mention(conv, at, needs_reply=False)
            b.mention(conv, at + timedelta(minutes=130))
        elif variant == 5:  # a hidden message never starts the clock
            b.mention(conv, at, hidden=True)
            b.mention(conv, at + timedelta(hours=5))
        else:
            b.mention(conv, at)
        other.mention(other.conversation(at, priority=priority), at)
        at, n = at + timedelta(minutes=31), n + 1
    return b


def in_python(db, workspace, now) -> list[int]:
    """The conversations due soon at ``now`` by the clocks computed in Python, in inbox order."""
    with db.session() as session:
        ws = session.get(Workspace, workspace.id)
        due_soon = {
            d.conversation_id
            for d in conversation_deadlines(session, ws, now)
            if d.state is BreachState.DUE_SOON
        }
        c = Conversation
        order = (
            select(c.id)
            .where(c.id.in_(due_soon))
            .order_by(c.priority.desc(), c.last_mention_at.desc(), c.id.desc())
        )
        return list(session.scalars(order))


def filtered(db, workspace, now, *, page_size: int = 7, **filters) -> list[int]:
    """Every page of the inbox filtered on "due soon" at ``now``, one after the other."""
    found: list[int] = []
    cursor = None
    while True:
        with db.session() as session:
            page = queries.list_conversations(
                session,
                workspace.id,
                InboxFilters(deadline="due_soon", **filters),
                cursor=cursor,
                limit=page_size,
                secret=SECRET,
                now=now,
            )
        found.extend(row.conversation.id for row in page.rows)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def test_due_soon_is_what_python_computes_through_either_plan(db, workspace, mix, monkeypatch):
    open_ones = _with_status(db, workspace, "open")
    for label, now in NOWS.items():
        expected = in_python(db, workspace, now)
        for few in (100_000, 0):  # the candidates' plan, then the walk
            monkeypatch.setattr(queries, "FEW_DUE_SOON", {"sqlite": few, "postgresql": few})
            assert filtered(db, workspace, now) == expected, (label, few)
            assert filtered(db, workspace, now, page_size=200, status=("open",)) == [
                cid for cid in expected if cid in open_ones
            ], (label, few)


def test_with_a_search_too_each_plan_narrows_the_other(db, workspace, mix, monkeypatch):
    monkeypatch.setattr(search, "FEW", {"sqlite": 100_000, "postgresql": 100_000})  # ids first
    now = NOWS["monday-0950"]
    expected = in_python(db, workspace, now)
    with db.session() as session:
        one = session.scalar(select(Mention.text).where(Mention.conversation_id == expected[0]))

    assert filtered(db, workspace, now, q="message") == expected  # every mention says "message n"
    assert filtered(db, workspace, now, q=f'"{one}"') == [expected[0]]


def test_every_kind_of_window_is_covered(db, workspace, mix):
    """The comparison above means something: clocks due soon that started on the weekend, at
    night and in business hours, in several bands; and on Saturday the states stand still."""
    with db.session() as session:
        started = {c.conversation_id: c.clock for c in open_clocks(session, workspace.id)}
    soon = {label: in_python(db, workspace, now) for label, now in NOWS.items()}

    def local_start(cid: int) -> datetime:
        return started[cid].started_at.astimezone(PARIS)

    assert any(local_start(cid).weekday() >= 5 for cid in soon["monday-0950"])
    assert any(not 9 <= local_start(cid).hour < 18 for cid in soon["tuesday-1200"])
    assert any(not 9 <= local_start(cid).hour < 18 for cid in soon["tuesday-1600"])
    bands = {
        next(low for low in (80, 50, 0) if started[cid].priority >= low)
        for ids in soon.values()
        for cid in ids
    }
    assert bands == {80, 50, 0}
    assert soon["monday-1130"] and soon["saturday-noon"]
    assert soon["saturday-noon"] == in_python(db, workspace, paris(16, 18))  # as at Friday's closing


def test_the_windows_run_from_each_bands_breach_cutoff_to_its_due_soon_cutoff(db, workspace):
    with db.session() as session:
        keep_time = KeepTime.of(session.get(Workspace, workspace.id))

    # Monday 09:50: 9 h band (Friday 09:50, 12:05]; 4 h band (Friday 14:50, 15:50]; 1 h band
    # (Friday 17:50, Monday 09:05], the weekend.
    assert _local(due_soon_windows(keep_time, NOWS["monday-0950"])) == [
        (paris(16, 9, 50), paris(16, 12, 5)),
        (paris(16, 14, 50), paris(16, 15, 50)),
        (paris(16, 17, 50), paris(19, 9, 5)),
    ]


def test_overlapping_windows_are_merged(db, workspace):
    b = Builder(db, workspace)
    bands = [{"min_priority": 80, "minutes": 60}, {"min_priority": 0, "minutes": 70}]
    b.set_settings({"response_targets": {"bands": bands, "due_soon_fraction": 0.25}})
    with db.session() as session:
        keep_time = KeepTime.of(session.get(Workspace, workspace.id))

    # Monday 11:00: (10:00, 10:15] for 1 h and (09:50, 10:07:30] for 70 min.
    assert _local(due_soon_windows(keep_time, paris(19, 11))) == [(paris(19, 9, 50), paris(19, 10, 15))]


def _local(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    return [(after.astimezone(PARIS), until.astimezone(PARIS)) for after, until in windows]


def test_the_plan_follows_how_many_mentions_the_windows_hold(db, workspace, mix):
    now = NOWS["monday-0950"]
    with db.session() as session:
        keep_time = KeepTime.of(session.get(Workspace, workspace.id))
        every = due_soon_candidates(session, workspace.id, keep_time, now, limit=100_000)
        capped = due_soon_candidates(session, workspace.id, keep_time, now, limit=len(every))

    assert every and set(in_python(db, workspace, now)) <= set(every)
    assert capped is None  # as many mentions as the limit (or more): walk instead


def _with_status(db, workspace, status: str) -> set[int]:
    with db.session() as session:
        c = Conversation
        return set(session.scalars(select(c.id).where(c.workspace_id == workspace.id, c.status == status)))
