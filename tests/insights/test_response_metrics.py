"""Response metrics on small, hand-made cases: what counts as needing a reply, which reply is the
first response, who it counts for, business versus wall-clock time, groups, periods and weeks."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ecoute.insights.response_metrics import Durations, response_report
from ecoute.store.models import Workspace
from response_factories import Builder

PARIS = ZoneInfo("Europe/Paris")
HOURS = {"business_hours": {"week": {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}}}


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def report(db, workspace, **options):
    with db.session() as session:
        return response_report(session, session.get(Workspace, workspace.id), **options)


@pytest.fixture
def desk(db, workspace):
    """Seven conversations, each an edge case; returns the builder and the agents' ids."""
    b = Builder(db, workspace)
    b.set_settings(HOURS)
    camille, jordan, sam = b.user("Camille"), b.user("Jordan"), b.user("Sam")
    cyclune, veloxa = b.brand("Cyclune"), b.brand("Veloxa")
    google = b.source("Avis Google")
    # A: a reply sent before the message, then two after it: Camille's, at 10:30, is the first.
    a = b.conversation(paris(2026, 10, 12, 10))
    b.mention(a, paris(2026, 10, 12, 10), brand_ids=[cyclune], source_id=google)
    b.reply(a, paris(2026, 10, 12, 9), author_id=jordan)
    b.reply(a, paris(2026, 10, 12, 11), author_id=jordan)
    b.reply(a, paris(2026, 10, 12, 10, 30), author_id=camille)
    # B: a question on Friday evening answered on Monday morning: 64 h, of which 1 business hour.
    q = b.conversation(paris(2026, 10, 16, 17, 30))
    b.mention(q, paris(2026, 10, 16, 17, 30), intent="question", brand_ids=[cyclune])
    b.reply(q, paris(2026, 10, 19, 9, 30), author_id=jordan)
    # C: a complaint nobody answered, assigned to Sam.
    c = b.conversation(paris(2026, 10, 13, 15), assignee_id=sam)
    b.mention(c, paris(2026, 10, 13, 15), brand_ids=[cyclune, veloxa])
    # D: its only message needing a reply is hidden: left out.
    d = b.conversation(paris(2026, 10, 13, 15))
    b.mention(d, paris(2026, 10, 13, 15), hidden=True)
    b.mention(d, paris(2026, 10, 13, 16), needs_reply=False)
    # E: marked as not needing a reply, and not answered: left out.
    e = b.conversation(paris(2026, 10, 14, 10), needs_reply=False)
    b.mention(e, paris(2026, 10, 14, 10))
    # F: marked as not needing a reply after it was answered (a draft first): counted, answered.
    f = b.conversation(paris(2026, 10, 14, 10), needs_reply=False)
    b.mention(f, paris(2026, 10, 14, 10), intent="praise")
    b.reply(f, None, author_id=sam)
    b.reply(f, paris(2026, 10, 14, 12), author_id=sam)
    # G: a hidden first message; the next visible one opens the conversation, no reply, no one assigned.
    g = b.conversation(paris(2026, 10, 15, 9))
    b.mention(g, paris(2026, 10, 15, 9), hidden=True, intent="praise")
    b.mention(g, paris(2026, 10, 15, 11), intent=None, brand_ids=[veloxa])
    return b, {"camille": camille, "jordan": jordan, "sam": sam}


def test_totals_and_the_share_of_complaints_answered(db, workspace, desk):
    total = report(db, workspace).total

    assert (total.conversations, total.answered) == (5, 3)
    assert total.response_rate == 3 / 5
    assert (total.complaints, total.complaints_answered, total.complaints_answered_share) == (2, 1, 0.5)


def test_only_the_first_reply_after_the_message_counts_in_business_and_wall_clock_time(db, workspace, desk):
    total = report(db, workspace).total

    # First responses: 30 min (A), 64 h wall / 1 h business (B), 2 h (F).
    assert total.first_response_wall == Durations(3, 2 * 3600.0, 64 * 3600.0)
    assert total.first_response_business == Durations(3, 3600.0, 2 * 3600.0)


def test_per_agent_the_first_replier_or_else_the_assignee(db, workspace, desk):
    _, agents = desk
    rows = {r.label: r for r in report(db, workspace, by="agent").groups}

    assert {label: (r.key, r.conversations, r.answered) for label, r in rows.items()} == {
        "Camille": (str(agents["camille"]), 1, 1),
        "Jordan": (str(agents["jordan"]), 1, 1),
        "Sam": (str(agents["sam"]), 2, 1),
        "(nobody)": ("none", 1, 0),
    }
    assert rows["Jordan"].first_response_business.median_seconds == 3600.0


def test_a_conversation_counts_for_each_brand_of_its_opening_mention(db, workspace, desk):
    rows = {r.key: (r.conversations, r.answered) for r in report(db, workspace, by="brand").groups}

    assert rows == {"Cyclune": (3, 2), "Veloxa": (2, 0), "none": (1, 1)}


def test_per_source_intent_and_week(db, workspace, desk):
    sources = {r.key: r.conversations for r in report(db, workspace, by="source").groups}
    intents = {r.key: r.conversations for r in report(db, workspace, by="intent").groups}
    weeks = [(r.key, r.conversations) for r in report(db, workspace, by="week").groups]

    assert sources == {"Avis Google": 1, "none": 4}
    assert intents == {"complaint": 2, "question": 1, "praise": 1, "none": 1}
    assert weeks == [("2026-W42", 5)]


def test_the_period_is_made_of_local_days_last_one_included(db, workspace, desk):
    b, _ = desk
    late_sunday = b.conversation(paris(2026, 10, 18, 23, 30))
    b.mention(late_sunday, paris(2026, 10, 18, 23, 30))  # 21:30 UTC: still Sunday in Paris

    week = report(db, workspace, since=date(2026, 10, 13), until=date(2026, 10, 18), by="week")

    assert week.total.conversations == 5  # B, C, F, G and the Sunday one; A opened on the 12th
    assert [(r.key, r.conversations) for r in week.groups] == [("2026-W42", 5)]


def test_an_empty_period_has_no_rates_and_no_times(db, workspace, desk):
    total = report(db, workspace, since=date(2027, 1, 1)).total

    assert (total.conversations, total.response_rate, total.complaints_answered_share) == (0, None, None)
    assert total.first_response_wall == Durations(0, None, None)


def test_other_workspaces_do_not_count(db, workspace, other_workspace, desk):
    theirs = Builder(db, other_workspace)
    conv = theirs.conversation(paris(2026, 10, 12, 10))
    theirs.mention(conv, paris(2026, 10, 12, 10))

    assert report(db, workspace).total.conversations == 5
    assert report(db, other_workspace).total.conversations == 1


@pytest.mark.parametrize(
    ("seconds", "median", "p90"),
    [
        ([7], 7.0, 7.0),
        ([10, 20], 15.0, 20.0),
        ([10 * n for n in range(1, 11)], 55.0, 90.0),
        ([10 * n for n in range(1, 12)], 60.0, 100.0),
        ([5, 1, 3], 3.0, 5.0),
    ],
)
def test_median_and_nearest_rank_90th_percentile(seconds, median, p90):
    durations = Durations.of([s * 1_000_000 for s in seconds])

    assert (durations.median_seconds, durations.p90_seconds) == (median, p90)
