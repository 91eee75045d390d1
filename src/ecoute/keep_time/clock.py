"""Business-time arithmetic: a deadline ``duration`` of business time after ``start``, and the
business time between two instants. Exact to the microsecond; inputs may be in any time zone
(they must be aware), results are aware UTC.

``add_business_time(start, 0)`` is ``start`` itself. For a positive duration the result is a
business instant, or exactly the end of a business stretch when the duration runs out there
(Friday 16:45 + 15 min with hours 9–17 is Friday 17:00, not Monday 9:00).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from ecoute.keep_time.calendar import BusinessCalendar, Piece

MAX_CLOSED_DAYS = 400  # a calendar closed this long in a row is a mistake, not a deadline


class NoBusinessTime(ValueError):
    """The calendar has no opening hours for over a year after the given instant."""


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: give a time zone (business time needs one)")
    return value.astimezone(UTC)


def business_pieces(calendar: BusinessCalendar, since: datetime) -> Iterator[Piece]:
    """The business stretches from ``since`` on, the first one cut at ``since``; endless."""
    since = as_utc(since)
    day = calendar.local_date(since)
    closed = 0
    while True:
        pieces = calendar.pieces(day)
        closed = 0 if pieces else closed + 1
        if closed > MAX_CLOSED_DAYS:
            raise NoBusinessTime(f"no opening hours in the {MAX_CLOSED_DAYS} days before {day}")
        for start, end in pieces:
            if end > since:
                yield max(start, since), end
        day += timedelta(days=1)


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The instant ``duration`` of business time after ``start``."""
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    start = as_utc(start)
    if not duration:
        return start
    remaining = duration
    for piece_start, piece_end in business_pieces(calendar, start):
        if remaining <= piece_end - piece_start:
            return piece_start + remaining
        remaining -= piece_end - piece_start
    raise AssertionError("business_pieces never ends")  # pragma: no cover


def business_time_between(a: datetime, b: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time from ``a`` to ``b``; negative when ``b`` is before ``a``."""
    a, b = as_utc(a), as_utc(b)
    if b < a:
        return -business_time_between(b, a, calendar)
    total = timedelta(0)
    for piece_start, piece_end in business_pieces(calendar, a):
        if piece_start >= b:
            break
        total += min(piece_end, b) - piece_start
    return total
