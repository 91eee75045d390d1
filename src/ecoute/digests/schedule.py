"""When digests go out and what period each covers, in the workspace's time zone.

A daily digest sent on day D at the chosen hour covers day D − 1 (local midnight to midnight); a
weekly one sent on the chosen weekday covers the seven days before that day. The job runs every few
minutes and sends what became due since the chosen hour, up to ``CATCH_UP`` later (a worker down
for a while still sends the morning's digest; one down for a day does not send yesterday's late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ecoute.insights.listening import Period

CATCH_UP = timedelta(hours=6)
DAYS = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class DigestPeriod:
    kind: str  # daily | weekly
    start: datetime  # UTC, included
    end: datetime  # UTC, excluded
    first_day: date  # local
    last_day: date  # local, included
    timezone: str

    @property
    def listening(self) -> Period:
        """The same days as ``ecoute.insights.listening`` counts them."""
        return Period.ending(self.end - timedelta(microseconds=1), DAYS[self.kind], self.timezone)


def period_ending(kind: str, day: date, timezone: str) -> DigestPeriod:
    """The period that ends at the start of local ``day`` (the day the digest goes out)."""
    zone = ZoneInfo(timezone)
    first = day - timedelta(days=DAYS[kind])
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(day, time(), zone).astimezone(UTC)
    return DigestPeriod(kind, start, end, first, day - timedelta(days=1), timezone)


def last_complete(kind: str, now: datetime, timezone: str) -> DigestPeriod:
    """The most recent whole period before ``now`` (``ecoute digest send``): yesterday, or the seven
    days up to yesterday."""
    return period_ending(kind, now.astimezone(ZoneInfo(timezone)).date(), timezone)


def due(kind: str, hour: int, weekday: int, now: datetime, timezone: str) -> DigestPeriod | None:
    """The period whose digest should go out at ``now``, if its sending time passed less than
    ``CATCH_UP`` ago."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    for back in range(0, 8):
        day = local.date() - timedelta(days=back)
        if kind == "weekly" and day.weekday() != weekday:
            continue
        moment = datetime.combine(day, time(hour), zone)
        if moment > local:
            continue
        if local - moment > CATCH_UP:
            return None
        return period_ending(kind, day, timezone)
    return None
