"""Response metrics: response rate, share of complaints answered, and time to first response
(median and 90th percentile, in business time and in wall-clock time), overall and per agent,
brand, source, intent or ISO week. Definitions: ``docs/metrics.md`` and ``response_facts``.

Durations are computed in whole microseconds, so every figure is exact and reproducible:
the median of an even count is the mean of the two middle values, and the 90th percentile is
the nearest-rank one (the smallest value that at least 90% of the values do not exceed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from ecoute.insights.response_facts import ResponseFact, response_facts, user_names
from ecoute.keep_time.clock import business_time_between
from ecoute.keep_time.deadlines import KeepTime
from ecoute.store.models import Workspace
from ecoute.store.repo import Invalid

Grouping = Literal["agent", "brand", "source", "intent", "week"]
GROUPINGS: tuple[str, ...] = ("agent", "brand", "source", "intent", "week")
NONE_KEY = "none"
_MICRO = timedelta(microseconds=1)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


@dataclass(frozen=True)
class Durations:
    count: int
    median_seconds: float | None
    p90_seconds: float | None

    @classmethod
    def of(cls, micros: Sequence[int]) -> Durations:
        values = sorted(micros)
        n = len(values)
        if not n:
            return cls(0, None, None)
        middle = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        p90 = values[(9 * n + 9) // 10 - 1]  # nearest rank: ceil(0.9 n), 1-based
        return cls(n, middle / 1_000_000, p90 / 1_000_000)


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str
    conversations: int
    answered: int
    complaints: int
    complaints_answered: int
    first_response_business: Durations
    first_response_wall: Durations

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.conversations if self.conversations else None

    @property
    def complaints_answered_share(self) -> float | None:
        return self.complaints_answered / self.complaints if self.complaints else None


@dataclass(frozen=True)
class ResponseReport:
    workspace: str
    timezone: str
    since: date | None
    until: date | None  # inclusive
    by: str | None
    total: MetricRow
    groups: list[MetricRow]


@dataclass(frozen=True)
class _Timed:
    fact: ResponseFact
    business_us: int | None
    wall_us: int | None


def period_bounds(
    keep_time: KeepTime, since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    """Local dates (``until`` included) as UTC instants ``[start, end)`` in the workspace's zone."""
    for day in (since, until):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise Invalid(f"{day.isoformat()}: give a date between {FIRST_DAY} and {LAST_DAY}")
    if since and until and until < since:
        raise Invalid("the period ends before it starts")
    zone = keep_time.calendar.timezone
    start = datetime.combine(since, time(), tzinfo=zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=zone) if until else None
    return start, end


def response_report(
    session: Session,
    workspace: Workspace,
    *,
    since: date | None = None,
    until: date | None = None,
    by: str | None = None,
    keep_time: KeepTime | None = None,
) -> ResponseReport:
    """The figures for conversations that opened between the local dates ``since`` and ``until``."""
    if by is not None and by not in GROUPINGS:
        raise Invalid(f"by {by!r}: use one of {', '.join(GROUPINGS)}")
    kt = keep_time or KeepTime.of(workspace)
    start, end = period_bounds(kt, since, until)
    facts = response_facts(session, workspace.id, since=start, until=end)
    timed = [_time(fact, kt) for fact in facts]
    groups: list[MetricRow] = []
    if by is not None:
        labels = _labeller(session, workspace.id, by, facts)
        keyed: dict[str, list[_Timed]] = defaultdict(list)
        for item in timed:
            for key in group_keys(by, item.fact, kt):
                keyed[key].append(item)
        groups = [_row(key, labels(key), items) for key, items in keyed.items()]
        groups.sort(key=(lambda g: g.key) if by == "week" else (lambda g: (-g.conversations, g.label)))
    return ResponseReport(
        workspace=workspace.slug,
        timezone=workspace.timezone,
        since=since,
        until=until,
        by=by,
        total=_row("all", "All", timed),
        groups=groups,
    )


def group_keys(by: str, fact: ResponseFact, keep_time: KeepTime) -> tuple[str, ...]:
    """The groups a conversation counts in: one each, except one per brand of its opening mention."""
    if by == "agent":
        return (str(fact.agent_id) if fact.agent_id is not None else NONE_KEY,)
    if by == "brand":
        return fact.brands or (NONE_KEY,)
    if by == "source":
        return (fact.source or NONE_KEY,)
    if by == "intent":
        return (fact.intent or NONE_KEY,)
    year, week, _ = fact.opened_at.astimezone(keep_time.calendar.timezone).isocalendar()
    return (f"{year}-W{week:02d}",)


def _time(fact: ResponseFact, keep_time: KeepTime) -> _Timed:
    if fact.first_reply_at is None:
        return _Timed(fact, None, None)
    business = business_time_between(fact.opened_at, fact.first_reply_at, keep_time.calendar)
    return _Timed(fact, business // _MICRO, (fact.first_reply_at - fact.opened_at) // _MICRO)


def _row(key: str, label: str, items: Iterable[_Timed]) -> MetricRow:
    items = list(items)
    answered = [i for i in items if i.fact.answered]
    complaints = [i for i in items if i.fact.intent == "complaint"]
    return MetricRow(
        key=key,
        label=label,
        conversations=len(items),
        answered=len(answered),
        complaints=len(complaints),
        complaints_answered=sum(1 for i in complaints if i.fact.answered),
        first_response_business=Durations.of([i.business_us for i in answered if i.business_us is not None]),
        first_response_wall=Durations.of([i.wall_us for i in answered if i.wall_us is not None]),
    )


def _labeller(
    session: Session, workspace_id: int, by: str, facts: list[ResponseFact]
) -> Callable[[str], str]:
    if by != "agent":
        return lambda key: "(none)" if key == NONE_KEY else key
    names = user_names(session, workspace_id, [f.agent_id for f in facts if f.agent_id is not None])
    return lambda key: "(nobody)" if key == NONE_KEY else names.get(int(key), f"user #{key}")
