"""Properties of business-time arithmetic over random calendars (several intervals a day, days
off, holidays), random time zones, and instants clustered around the March and October/November
clock changes of Europe/Paris and America/New_York (and zones with odd offsets)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ecoute.keep_time.calendar import BusinessCalendar
from ecoute.keep_time.clock import add_business_time, business_time_between, business_times_from, latest_start

ZONES = (
    "Europe/Paris",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
)
CLOCK_CHANGES = (
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York, spring
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Paris, spring
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # Paris, autumn
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York, autumn
)
ZERO = timedelta(0)


@st.composite
def day_hours(draw) -> tuple[tuple[int, int], ...]:
    """Up to three sorted, non-overlapping intervals in minutes, any part of the 24 hours."""
    cuts = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
    cuts = cuts[: len(cuts) // 2 * 2]
    return tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2))


@st.composite
def calendars(draw) -> BusinessCalendar:
    week = draw(st.lists(day_hours(), min_size=7, max_size=7).filter(any))
    holidays = draw(st.frozensets(st.dates(date(2026, 2, 20), date(2026, 11, 20)), max_size=12))
    return BusinessCalendar(
        timezone=ZoneInfo(draw(st.sampled_from(ZONES))), week=tuple(week), holidays=holidays
    )


instants = st.builds(
    lambda change, minutes, micros: change + timedelta(minutes=minutes, microseconds=micros),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(-7 * 1440, 7 * 1440),
    st.integers(0, 999_999),
)
durations = st.builds(
    lambda minutes, micros: timedelta(minutes=minutes, microseconds=micros),
    st.integers(0, 80 * 60),
    st.integers(0, 999_999),
)
views = st.sampled_from([UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")])


def on_a_boundary(instant: datetime, cal: BusinessCalendar) -> bool:
    day = cal.local_date(instant)
    return any(end == instant for d in (day - timedelta(days=1), day) for _, end in cal.pieces(d))


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations)
def test_adding_then_measuring_gives_the_duration_back(cal, start, duration):
    assert business_time_between(start, add_business_time(start, duration, cal), cal) == duration


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, instants)
def test_measuring_then_adding_reaches_the_first_instant_with_that_much_business_time(cal, a, b):
    a, b = min(a, b), max(a, b)
    reached = add_business_time(a, business_time_between(a, b, cal), cal)

    assert reached <= b
    assert business_time_between(reached, b, cal) == ZERO


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations, durations)
def test_adding_x_plus_y_is_adding_x_then_y(cal, start, x, y):
    assert add_business_time(start, x + y, cal) == add_business_time(add_business_time(start, x, cal), y, cal)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, instants, durations, durations)
def test_deadlines_are_monotonic_in_start_and_duration(cal, a, b, x, y):
    a, b = min(a, b), max(a, b)
    x, y = min(x, y), max(x, y)

    assert add_business_time(a, x, cal) <= add_business_time(b, x, cal)
    assert add_business_time(a, x, cal) <= add_business_time(a, y, cal)
    assert business_time_between(a, b, cal) >= ZERO


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, instants, instants)
def test_time_between_adds_up_over_consecutive_stretches(cal, a, b, c):
    a, b, c = sorted((a, b, c))

    assert business_time_between(a, c, cal) == business_time_between(a, b, cal) + business_time_between(
        b, c, cal
    )
    assert business_time_between(a, c, cal) <= c - a


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.lists(instants, max_size=12))
def test_measuring_many_in_one_walk_gives_what_measuring_each_gives(cal, origin, many):
    """What an inbox page does with its rows' deadlines: the same, to the microsecond, either side."""
    assert business_times_from(origin, many, cal) == [business_time_between(origin, i, cal) for i in many]


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations.filter(bool))
def test_a_deadline_is_in_business_hours_or_exactly_at_the_end_of_a_stretch(cal, start, duration):
    due = add_business_time(start, duration, cal)

    assert cal.is_open(due) or on_a_boundary(due, cal)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations, views, views)
def test_results_do_not_depend_on_the_time_zone_the_input_is_written_in(cal, start, duration, one, other):
    later = start + duration

    assert add_business_time(start.astimezone(one), duration, cal) == add_business_time(
        start.astimezone(other), duration, cal
    )
    assert business_time_between(
        start.astimezone(one), later.astimezone(other), cal
    ) == business_time_between(start, later, cal)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, durations.filter(bool), instants)
def test_a_deadline_has_passed_exactly_when_the_clock_started_by_the_latest_start(cal, end, duration, start):
    latest = latest_start(end, duration, cal)

    assert business_time_between(latest, end, cal) == duration
    assert (add_business_time(start, duration, cal) <= end) == (start <= latest)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations.filter(bool))
def test_the_latest_start_is_a_business_instant_so_a_microsecond_later_is_too_late(cal, end, duration):
    latest = latest_start(end, duration, cal)
    later = latest + timedelta(microseconds=1)

    assert cal.is_open(latest)
    assert add_business_time(later, duration, cal) > end
