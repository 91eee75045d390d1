"""Business-time arithmetic on worked examples: the issue's Friday example, breaks, weekends,
holidays, time zones, and the daylight-saving dates of Europe/Paris and America/New_York."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecoute.keep_time.calendar import BusinessCalendar
from ecoute.keep_time.clock import NoBusinessTime, add_business_time, business_time_between, latest_start
from ecoute.keep_time.config import BusinessHoursConfig

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
H, M = timedelta(hours=1), timedelta(minutes=1)


def calendar(hours="09:00-17:00", days=WEEKDAYS, tz="Europe/Paris", **extra) -> BusinessCalendar:
    intervals = hours.split(",")
    return BusinessCalendar.from_config(BusinessHoursConfig(week={d: intervals for d in days}, **extra), tz)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_the_issue_example_friday_16_45_plus_30_minutes_is_monday_9_15():
    due = add_business_time(paris(2026, 10, 16, 16, 45), 30 * M, calendar())

    assert due == paris(2026, 10, 19, 9, 15)


def test_the_same_friday_across_the_october_clock_change_is_still_monday_9_15_local():
    due = add_business_time(paris(2026, 10, 23, 16, 45), 30 * M, calendar())

    assert due == paris(2026, 10, 26, 9, 15)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 8, 15, tzinfo=UTC)
    assert business_time_between(paris(2026, 10, 23, 16, 45), due, calendar()) == 30 * M


def test_a_duration_that_runs_out_at_closing_time_ends_at_closing_time():
    assert add_business_time(paris(2026, 10, 16, 16, 45), 15 * M, calendar()) == paris(2026, 10, 16, 17)


def test_a_lunch_break_is_skipped():
    cal = calendar("09:00-12:00,14:00-18:00")

    assert add_business_time(paris(2026, 10, 14, 11, 30), H, cal) == paris(2026, 10, 14, 14, 30)
    assert business_time_between(paris(2026, 10, 14, 8), paris(2026, 10, 14, 20), cal) == 7 * H


def test_a_message_received_on_saturday_starts_counting_on_monday_morning():
    assert add_business_time(paris(2026, 10, 17, 10), 2 * H, calendar()) == paris(2026, 10, 19, 11)


def test_an_explicit_holiday_is_closed():
    cal = calendar("09:00-18:00", holidays=[date(2026, 11, 11)])

    assert add_business_time(paris(2026, 11, 10, 17, 30), H, cal) == paris(2026, 11, 12, 9, 30)


def test_french_public_holidays_from_the_holidays_package():
    cal = calendar("09:00-18:00", public_holidays="fr")

    # Tuesday 14 July 2026 is the national day; Monday 13 is an ordinary day.
    assert add_business_time(paris(2026, 7, 13, 17, 30), H, cal) == paris(2026, 7, 15, 9, 30)
    assert business_time_between(paris(2026, 7, 13), paris(2026, 7, 16), cal) == 18 * H


def test_the_input_time_zone_does_not_matter_only_the_instant():
    cal = calendar()
    start = paris(2026, 10, 16, 16, 45)

    in_new_york = add_business_time(start.astimezone(NEW_YORK), 30 * M, cal)
    in_tokyo = add_business_time(start.astimezone(ZoneInfo("Asia/Tokyo")), 30 * M, cal)

    assert in_new_york == in_tokyo == paris(2026, 10, 19, 9, 15)
    assert in_new_york.tzinfo == UTC


def test_new_york_hours_for_a_message_stamped_in_utc():
    cal = calendar(tz="America/New_York")

    due = add_business_time(datetime(2026, 10, 16, 20, 45, tzinfo=UTC), 30 * M, cal)  # Fri 16:45 EDT

    assert due == datetime(2026, 10, 19, 9, 15, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        ("Europe/Paris", date(2026, 3, 29)),
        ("Europe/Paris", date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
    ],
)
def test_a_9_to_17_day_is_8_business_hours_on_a_clock_change_date(tz, day):
    zone = ZoneInfo(tz)
    cal = calendar(days=("sun",), tz=tz)
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)

    assert business_time_between(midnight, midnight + timedelta(days=1), cal) == 8 * H
    assert add_business_time(midnight, 8 * H, cal) == datetime(day.year, day.month, day.day, 17, tzinfo=zone)


def test_an_all_day_opening_counts_real_time_23_hours_in_spring_25_in_autumn():
    cal = calendar("00:00-24:00", days=("sun",))

    spring = business_time_between(paris(2026, 3, 28, 12), paris(2026, 3, 30, 12), cal)
    autumn = business_time_between(paris(2026, 10, 24, 12), paris(2026, 10, 26, 12), cal)

    assert (spring, autumn) == (23 * H, 25 * H)


def test_opening_hours_inside_the_skipped_hour_do_not_exist():
    cal = calendar("02:30-03:15", days=("sun",))

    # On 29 March 2026 Paris clocks jump from 02:00 to 03:00: open 03:00-03:15 only.
    assert cal.pieces(date(2026, 3, 29)) == (
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 1, 15, tzinfo=UTC)),
    )
    assert add_business_time(paris(2026, 3, 29), 10 * M, cal) == paris(2026, 3, 29, 3, 10)


def test_a_repeated_hour_is_open_each_time_the_clock_shows_it():
    cal = calendar("02:30-03:00", days=("sun",))

    # On 25 October 2026 Paris clocks go back from 03:00 to 02:00: 02:30-03:00 happens twice.
    assert cal.pieces(date(2026, 10, 25)) == (
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
    )
    assert add_business_time(paris(2026, 10, 25), 45 * M, cal) == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)


def test_zero_is_the_start_itself_even_outside_business_hours():
    saturday = paris(2026, 10, 17, 10)

    assert add_business_time(saturday, timedelta(0), calendar()) == saturday


def test_time_between_is_negative_backwards():
    a, b = paris(2026, 10, 16, 10), paris(2026, 10, 19, 10)

    assert business_time_between(b, a, calendar()) == -business_time_between(a, b, calendar()) == -8 * H


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="naive datetime"):
        add_business_time(datetime(2026, 10, 16, 9), H, calendar())
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_time(paris(2026, 10, 16, 9), -H, calendar())


def test_a_calendar_closed_for_over_a_year_is_reported_not_looped_on():
    closed = [date(2026, 1, 1) + timedelta(days=n) for n in range(500)]
    cal = calendar(holidays=closed)

    with pytest.raises(NoBusinessTime, match="no opening hours"):
        add_business_time(paris(2026, 1, 1), H, cal)


def test_the_latest_start_walks_back_over_the_weekend_and_stands_still_when_closed():
    cal = calendar()

    # By Monday 9:15, 30 business minutes have run for anything that started by Friday 16:45.
    assert latest_start(paris(2026, 10, 19, 9, 15), 30 * M, cal) == paris(2026, 10, 16, 16, 45)
    # All weekend long, one business hour back is Friday 16:00.
    assert latest_start(paris(2026, 10, 17, 12), H, cal) == paris(2026, 10, 16, 16)
    assert latest_start(paris(2026, 10, 18, 23), H, cal) == paris(2026, 10, 16, 16)
    assert latest_start(paris(2026, 10, 19, 9), timedelta(0), cal) == paris(2026, 10, 19, 9)


def test_workspaces_with_the_same_hours_share_one_calendar_for_the_whole_process():
    hours = BusinessHoursConfig(holidays=[date(2026, 12, 25)])
    shared = BusinessCalendar.shared(hours, "Europe/Paris")

    assert (
        BusinessCalendar.shared(BusinessHoursConfig(holidays=[date(2026, 12, 25)]), "Europe/Paris") is shared
    )
    assert BusinessCalendar.shared(hours, "America/New_York") is not shared
    assert BusinessCalendar.shared(BusinessHoursConfig(), "Europe/Paris") is not shared
    assert shared.is_closed_on(date(2026, 12, 25)) and not shared.is_closed_on(date(2026, 12, 24))
