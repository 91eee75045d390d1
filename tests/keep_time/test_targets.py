"""Deadlines per priority band, and their state: ok, due soon, breached, with business time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ecoute.keep_time.calendar import BusinessCalendar
from ecoute.keep_time.config import BusinessHoursConfig, ResponseTargets
from ecoute.keep_time.targets import BreachState, Clock, deadline_for, status_at
from ecoute.store.models import Conversation, Mention

PARIS = ZoneInfo("Europe/Paris")
CAL = BusinessCalendar.from_config(
    BusinessHoursConfig(week={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}),
    "Europe/Paris",
)
TARGETS = ResponseTargets(
    bands=[
        {"min_priority": 80, "minutes": 30},
        {"min_priority": 50, "minutes": 240},
        {"min_priority": 0, "minutes": 480},
    ]
)
FRIDAY = datetime(2026, 10, 16, 16, 45, tzinfo=PARIS)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_a_mention_is_due_by_its_own_priority_band():
    urgent = Mention(created_at=FRIDAY, priority=85)
    ordinary = Mention(created_at=FRIDAY, priority=None)

    assert deadline_for(urgent, CAL, TARGETS).due_at == paris(2026, 10, 19, 9, 15)
    assert deadline_for(ordinary, CAL, TARGETS).due_at == paris(2026, 10, 19, 16, 45)
    assert deadline_for(ordinary, CAL, TARGETS).target == timedelta(hours=8)


def test_a_conversation_counts_from_its_first_mention_and_a_clock_from_its_start():
    conversation = Conversation(first_mention_at=FRIDAY, priority=60)

    assert deadline_for(conversation, CAL, TARGETS).due_at == paris(2026, 10, 19, 12, 45)
    assert deadline_for(Clock(FRIDAY.astimezone(UTC), 60), CAL, TARGETS).due_at == paris(2026, 10, 19, 12, 45)


def test_states_through_the_life_of_a_deadline():
    deadline = deadline_for(Clock(paris(2026, 10, 14, 10), 85), CAL, TARGETS)  # due 10:30

    early = status_at(deadline, paris(2026, 10, 14, 10, 5), CAL, TARGETS)
    soon = status_at(deadline, paris(2026, 10, 14, 10, 23), CAL, TARGETS)
    on_the_dot = status_at(deadline, paris(2026, 10, 14, 10, 30), CAL, TARGETS)
    late = status_at(deadline, paris(2026, 10, 14, 11), CAL, TARGETS)

    assert (early.state, early.remaining) == (BreachState.OK, timedelta(minutes=25))
    assert (soon.state, soon.remaining) == (BreachState.DUE_SOON, timedelta(minutes=7))
    assert (on_the_dot.state, on_the_dot.remaining) == (BreachState.BREACHED, timedelta(0))
    assert (late.state, late.remaining) == (BreachState.BREACHED, timedelta(minutes=-30))


def test_due_soon_starts_when_a_quarter_of_the_target_is_left():
    deadline = deadline_for(Clock(paris(2026, 10, 14, 10), 85), CAL, TARGETS)

    just_before = status_at(deadline, paris(2026, 10, 14, 10, 22, 29), CAL, TARGETS)
    at_the_margin = status_at(deadline, paris(2026, 10, 14, 10, 22, 30), CAL, TARGETS)

    assert (just_before.state, at_the_margin.state) == (BreachState.OK, BreachState.DUE_SOON)


def test_time_left_stands_still_over_the_weekend():
    deadline = deadline_for(Mention(created_at=FRIDAY, priority=85), CAL, TARGETS)

    friday_evening = status_at(deadline, paris(2026, 10, 16, 20), CAL, TARGETS)
    sunday = status_at(deadline, paris(2026, 10, 18, 12), CAL, TARGETS)
    monday_9_10 = status_at(deadline, paris(2026, 10, 19, 9, 10), CAL, TARGETS)

    assert friday_evening.remaining == sunday.remaining == timedelta(minutes=15)
    assert friday_evening.state == sunday.state == BreachState.OK
    assert (monday_9_10.state, monday_9_10.remaining) == (BreachState.DUE_SOON, timedelta(minutes=5))
