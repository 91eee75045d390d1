"""Business-time arithmetic: a deadline ``duration`` of business time after ``start``, and the
business time between two instants. Exact to the microsecond; inputs may be in any time zone
(they must be aware), results are aware UTC.

``add_business_time(start, 0)`` is ``start`` itself. For a positive duration the result is a
business instant, or exactly the end of a business stretch when the duration runs out there
(Friday 16:45 + 15 min with hours 9–17 is Friday 17:00, not Monday 9:00).

``latest_start(end, duration)`` goes the other way: the latest instant from which ``duration`` of
business time has run by ``end``, so that ``add_business_time(s, duration) <= end`` exactly when
``s <= latest_start(end, duration)`` — which turns "is this deadline past?" into a comparison of
start times a database can make (``ecoute.keep_time.deadlines.deadline_state_condition``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from ecoute.keep_time.calendar import BusinessCalendar, Piece

MAX_CLOSED_DAYS = 400  # a calendar closed this long in a row is a mistake, not a deadline
_ONE_DAY = timedelta(days=1)
_MAX_ADDED = 50_000  # due dates a calendar keeps (a few megabytes at most)


class NoBusinessTime(ValueError):
    """The calendar has no opening hours for over a year after the given instant."""


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: give a time zone (business time needs one)")
    return value.astimezone(UTC)


def _days(calendar: BusinessCalendar, first: date, step: int) -> Iterator[tuple[Piece, ...]]:
    """The business stretches of ``first`` and each following (``step`` 1) or previous (-1) day."""
    day, closed = first, 0
    while True:
        pieces = calendar.pieces(day)
        closed = 0 if pieces else closed + 1
        if closed > MAX_CLOSED_DAYS:
            raise NoBusinessTime(f"no opening hours in {MAX_CLOSED_DAYS} days in a row (up to {day})")
        yield pieces
        day += timedelta(days=step)


def business_pieces(calendar: BusinessCalendar, since: datetime) -> Iterator[Piece]:
    """The business stretches from ``since`` on, the first one cut at ``since``; endless."""
    since = as_utc(since)
    for pieces in _days(calendar, calendar.local_date(since), 1):
        for start, end in pieces:
            if end > since:
                yield max(start, since), end


def business_pieces_before(calendar: BusinessCalendar, until: datetime) -> Iterator[Piece]:
    """The business stretches before ``until``, latest first, the first one cut at ``until``; endless."""
    until = as_utc(until)
    for pieces in _days(calendar, calendar.local_date(until), -1):
        for start, end in reversed(pieces):
            if start < until:
                yield start, min(end, until)


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The instant ``duration`` of business time after ``start``."""
    start = as_utc(start)
    if not _positive(duration):
        return start
    # The calendar never changes (a new setting makes a new one): each sum is worked out once.
    found = calendar._added.get((start, duration))
    if found is None:
        (piece_start, _), remaining = _piece_reached(business_pieces(calendar, start), duration)
        found = piece_start + remaining
        if len(calendar._added) >= _MAX_ADDED:
            calendar._added.clear()
        calendar._added[(start, duration)] = found
    return found


def _positive(duration: timedelta) -> bool:
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    return bool(duration)


def _piece_reached(pieces: Iterator[Piece], duration: timedelta) -> tuple[Piece, timedelta]:
    """The stretch in which ``duration`` of business time runs out, and how much is left for it."""
    remaining = duration
    for piece_start, piece_end in pieces:
        if remaining <= piece_end - piece_start:
            return (piece_start, piece_end), remaining
        remaining -= piece_end - piece_start
    raise AssertionError("business stretches never end")  # pragma: no cover


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


def business_times_from(
    origin: datetime, instants: Sequence[datetime], calendar: BusinessCalendar
) -> list[timedelta]:
    """``business_time_between(origin, instant)`` for each of ``instants``, in one pass over the
    calendar from the earliest of them all to the latest, the days in between counted whole
    (fifty deadlines missed months ago would otherwise walk those months fifty times)."""
    points = [as_utc(origin), *(as_utc(i) for i in instants)]
    since = [timedelta(0)] * len(points)  # business time from the earliest point to each
    order = sorted(range(len(points)), key=points.__getitem__)
    total, previous = timedelta(0), points[order[0]]
    for index in order:
        total += _forward(previous, points[index], calendar)
        since[index], previous = total, points[index]
    return [elapsed - since[0] for elapsed in since[1:]]


def _forward(a: datetime, b: datetime, calendar: BusinessCalendar) -> timedelta:
    """Business time from ``a`` to ``b``, not before it (local dates never go backwards)."""
    first, last = calendar.local_date(a), calendar.local_date(b)
    if first == last:
        return _inside(calendar.pieces(first), a, b)
    total = _inside(calendar.pieces(first), a, None) + _inside(calendar.pieces(last), None, b)
    day = first + _ONE_DAY
    while day < last:
        total += calendar.open_for(day)
        day += _ONE_DAY
    return total


def _inside(pieces: tuple[Piece, ...], since: datetime | None, until: datetime | None) -> timedelta:
    total = timedelta(0)
    for start, end in pieces:
        start, end = max(start, since) if since else start, min(end, until) if until else end
        if start < end:
            total += end - start
    return total


def latest_start(end: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The latest instant ``s`` with ``business_time_between(s, end) >= duration``.

    For a positive duration: ``add_business_time(start, duration) <= end`` if and only if
    ``start <= latest_start(end, duration)`` (business time from ``start`` only shrinks as ``start``
    moves later). ``s`` is a business instant, so any later start has less than ``duration``.
    """
    end = as_utc(end)
    if not _positive(duration):
        return end
    (_, piece_end), remaining = _piece_reached(business_pieces_before(calendar, end), duration)
    return piece_end - remaining
