"""Business hours as instants: which stretches of real time count, day by day, in one time zone.

The rule, applied literally: an instant is business time when the workspace's wall clock shows a
time inside that weekday's opening hours, on a date that is not a holiday. Consequences, chosen
on purpose:

* opening hours are wall-clock times, so 9–17 is 9–17 local time on every date, DST or not, and
  lasts 8 real hours (Europe/Paris and America/New_York change their clocks at night);
* on the spring-forward date, opening hours inside the skipped hour do not exist: a day open
  02:30–03:15 in Paris is open 15 minutes (03:00–03:15), because the clock jumps from 02:00 to 03:00;
* on the fall-back date, a repeated local time counts each time the clock shows it: a day open
  02:30–03:00 in Paris is open twice, 02:30–03:00 summer time then 02:30–03:00 winter time;
* business time is always measured in real elapsed time between instants.

This assumes a zone's local date never goes backwards, which holds for every zone that changes
its clocks at night or at midnight going forward; tzdata has no zone where it fails today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecoute.keep_time.config import BusinessHoursConfig
from ecoute.keep_time.public_holidays import public_holidays

Piece = tuple[datetime, datetime]  # [start, end) in aware UTC
_SAMPLE = timedelta(hours=3)  # no zone changes its offset twice within three hours
_SPAN = timedelta(days=3)  # every instant of a local date lies within a day of its UTC midnight
_ONE_SECOND = timedelta(seconds=1)
_MAX_CACHED_DAYS = 20_000  # a calendar forgets the dates it computed past this many (55 years)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris)") from None


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """Weekly opening hours (minutes since midnight, Monday first), holidays, a time zone."""

    timezone: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    public_holidays: str | None = None
    _pieces: dict[date, tuple[Piece, ...]] = field(default_factory=dict, repr=False)
    _open_for: dict[date, timedelta] = field(default_factory=dict, repr=False)
    # Due dates computed (``clock.add_business_time``): a page's clocks are judged again on every view.
    _added: dict[tuple[datetime, timedelta], datetime] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7 or not any(self.week):
            raise ValueError("a week has seven days and at least one of them opening hours")

    @classmethod
    def from_config(cls, config: BusinessHoursConfig, timezone: str) -> BusinessCalendar:
        return cls(
            timezone=zone(timezone),
            week=config.intervals(),
            holidays=frozenset(config.holidays),
            public_holidays=config.public_holidays,
        )

    @classmethod
    def shared(cls, config: BusinessHoursConfig, timezone: str) -> BusinessCalendar:
        """``from_config``, one instance per distinct setting for the whole process: each date's
        stretches are computed once, rather than again by every request (hundreds of dates for a
        page of clocks that started months ago)."""
        holidays = frozenset(config.holidays)
        return _shared(config.intervals(), holidays, config.public_holidays, timezone)

    @classmethod
    def default(cls, timezone: str = "Europe/Paris") -> BusinessCalendar:
        return cls.from_config(BusinessHoursConfig(), timezone)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.timezone).date()

    def is_closed_on(self, day: date) -> bool:
        if day in self.holidays or not self.week[day.weekday()]:
            return True
        return self.public_holidays is not None and day in public_holidays(self.public_holidays)

    def pieces(self, day: date) -> tuple[Piece, ...]:
        """The business stretches of local date ``day``, in order, adjacent ones merged."""
        found = self._pieces.get(day)
        if found is None:
            found = () if self.is_closed_on(day) else self._compute_pieces(day)
            if len(self._pieces) >= _MAX_CACHED_DAYS:
                self._pieces.clear()
            self._pieces[day] = found
        return found

    def open_for(self, day: date) -> timedelta:
        """How long local date ``day`` is open (real time, so 23 or 25 hours may count on the
        dates clocks change)."""
        found = self._open_for.get(day)
        if found is None:
            found = sum((end - start for start, end in self.pieces(day)), timedelta(0))
            if len(self._open_for) >= _MAX_CACHED_DAYS:
                self._open_for.clear()
            self._open_for[day] = found
        return found

    def is_open(self, instant: datetime) -> bool:
        instant = instant.astimezone(UTC)
        return any(a <= instant < b for a, b in self.pieces(self.local_date(instant)))

    def _compute_pieces(self, day: date) -> tuple[Piece, ...]:
        midnight = datetime.combine(day, time())  # naive wall clock
        segments = offset_segments(self.timezone, midnight - timedelta(days=1))
        found: list[Piece] = []
        for start, end in self.week[day.weekday()]:
            wall_start, wall_end = midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)
            for seg_start, seg_end, offset in segments:
                # While the offset is constant, wall time = UTC + offset, both naive here.
                lo, hi = max(wall_start - offset, seg_start), min(wall_end - offset, seg_end)
                if lo < hi:
                    found.append((lo.replace(tzinfo=UTC), hi.replace(tzinfo=UTC)))
        return _merged(sorted(found))


@lru_cache(maxsize=64)
def _shared(
    week: tuple[tuple[tuple[int, int], ...], ...],
    holidays: frozenset[date],
    public_holidays: str | None,
    timezone: str,
) -> BusinessCalendar:
    return BusinessCalendar(zone(timezone), week, holidays, public_holidays)


def _offset(zone: ZoneInfo, naive_utc: datetime) -> timedelta:
    offset = naive_utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    return offset if offset is not None else timedelta(0)


@lru_cache(maxsize=8192)
def offset_segments(zone: ZoneInfo, since: datetime) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """Stretches of constant UTC offset covering ``[since, since + 3 days)`` (naive UTC)."""
    points = [since + _SAMPLE * i for i in range(_SPAN // _SAMPLE + 1)]
    segments: list[tuple[datetime, datetime, timedelta]] = []
    start, offset = points[0], _offset(zone, points[0])
    for a, b in pairwise(points):
        if _offset(zone, b) != offset:
            change = _first_change(zone, a, b, offset)
            segments.append((start, change, offset))
            start, offset = change, _offset(zone, change)
    segments.append((start, points[-1], offset))
    return tuple(segments)


def _first_change(zone: ZoneInfo, lo: datetime, hi: datetime, offset: timedelta) -> datetime:
    """The first instant in ``(lo, hi]`` whose offset is not ``offset`` (zones change on a second)."""
    while hi - lo > _ONE_SECOND:
        middle = lo + (hi - lo) // 2
        middle -= timedelta(microseconds=middle.microsecond)
        if middle <= lo:
            middle = lo + _ONE_SECOND
        if _offset(zone, middle) == offset:
            lo = middle
        else:
            hi = middle
    return hi


def _merged(pieces: list[Piece]) -> tuple[Piece, ...]:
    merged: list[Piece] = []
    for start, end in pieces:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
