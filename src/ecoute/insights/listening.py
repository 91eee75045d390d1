"""What people say, counted: volume and sentiment over time, and share of voice against competitors.

Everything is counted from the visible mentions of one workspace whose ``created_at`` falls in a
period (start included, end excluded): whole days from the daily roll-ups
(``ecoute.insights.rollups``) where they are ready, and the rest (today, partial days at the edges,
days changed since the roll-ups were made) grouped from the mentions directly, with identical figures.
Days are the reader's days: the period's UTC offset is applied before cutting them (an offset that
changes inside the period, at a daylight-saving switch, moves one hour of one day).

Net sentiment is (positive − negative) / mentions, from −1 to 1; engagement is likes + shares +
replies as the platforms reported them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session

from ecoute.insights import rollups
from ecoute.store.models import Brand, Mention, MentionBrand

SENTIMENTS = ("positive", "neutral", "negative")
PERIODS = (7, 30, 90)


@dataclass(frozen=True)
class Period:
    """``days`` whole days in ``timezone``, ending with the day of ``today`` (included)."""

    start: datetime
    end: datetime
    days: int
    timezone: str
    first_day: date

    @classmethod
    def ending(cls, today: datetime, days: int, timezone: str) -> Period:
        last = today.astimezone(ZoneInfo(timezone)).date()
        return cls.between(last - timedelta(days=days - 1), last, timezone)

    @classmethod
    def between(cls, first: date, last: date, timezone: str) -> Period:
        """The days from ``first`` to ``last`` (both included) in ``timezone``."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(first, time(), zone)
        end = datetime.combine(last + timedelta(days=1), time(), zone)
        return cls(start, end, (last - first).days + 1, timezone, first)

    def previous(self) -> Period:
        first = self.first_day - timedelta(days=self.days)
        zone = ZoneInfo(self.timezone)
        return Period(datetime.combine(first, time(), zone), self.start, self.days, self.timezone, first)

    @property
    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range(self.days)]

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.timezone)
        return datetime.combine(day, time(), zone), datetime.combine(day + timedelta(days=1), time(), zone)

    @property
    def offset_minutes(self) -> int:
        offset = self.end.utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else 0


@dataclass
class Tally:
    """Mentions counted by sentiment, with their engagement."""

    mentions: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    engagement: int = 0

    def add_counts(self, mentions: int, positive: int, neutral: int, negative: int, engagement: int) -> None:
        self.mentions += mentions
        self.positive += positive
        self.neutral += neutral
        self.negative += negative
        self.engagement += int(engagement)

    def merge(self, other: Tally) -> None:
        self.add_counts(other.mentions, other.positive, other.neutral, other.negative, other.engagement)

    def add(self, sentiment: str | None, count: int, engagement: int) -> None:
        self.mentions += count
        self.engagement += engagement
        if sentiment in SENTIMENTS:
            setattr(self, sentiment, getattr(self, sentiment) + count)

    @property
    def net(self) -> float | None:
        """(positive − negative) / mentions, or None without mentions."""
        return (self.positive - self.negative) / self.mentions if self.mentions else None


@dataclass
class BrandShare:
    brand_id: int
    name: str
    competitor: bool
    tally: Tally = field(default_factory=Tally)
    previous: Tally = field(default_factory=Tally)


@dataclass
class Listening:
    period: Period
    total: Tally
    previous: Tally
    by_day: dict[date, Tally]
    # day → platform / language → mentions
    by_platform: dict[str, dict[date, int]]
    by_language: dict[str, dict[date, int]]
    by_brand: dict[int, dict[date, int]]
    brands: list[BrandShare]

    def share(self, brand: BrandShare, measure: str) -> float | None:
        """The brand's share of all brands' mentions or engagement in the period (0 to 1)."""
        whole = sum(getattr(b.tally, measure) for b in self.brands)
        return getattr(brand.tally, measure) / whole if whole else None


def _day(column: Any, offset_minutes: int, dialect: str) -> ColumnElement[Any]:
    """The local day of a UTC timestamp column, as ``YYYY-MM-DD`` text."""
    return cast(rollups.local_day(column, offset_minutes, dialect), String)


def _in(workspace_id: int, start: datetime, end: datetime, brand_id: int | None = None) -> list[Any]:
    """The visible mentions of the workspace in [start, end) (about one brand, with ``brand_id``)."""
    where = [
        Mention.workspace_id == workspace_id,
        Mention.created_at >= start,
        Mention.created_at < end,
        Mention.hidden.is_(False),
    ]
    if brand_id is not None:
        where.append(Mention.id.in_(about_brand(workspace_id, brand_id)))
    return where


def mentions_in(period: Period, workspace_id: int, brand_id: int | None = None) -> list[Any]:
    """Conditions for the visible mentions of the period (about one brand, with ``brand_id``)."""
    return _in(workspace_id, period.start, period.end, brand_id)


def about_brand(workspace_id: int, brand_id: int) -> Any:
    """The ids of the workspace's mentions about one brand (or competitor), as a subquery."""
    return select(MentionBrand.mention_id).where(
        MentionBrand.workspace_id == workspace_id, MentionBrand.brand_id == brand_id
    )


@dataclass
class _Figures:
    """What a window holds, from the roll-ups and the mentions: per (day, platform, language) and
    per (brand, day), as Tallies."""

    cells: dict[tuple[str, str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    brands: dict[tuple[int, str], Tally] = field(default_factory=lambda: defaultdict(Tally))


def _gather(
    session: Session,
    workspace_id: int,
    window: Period,
    offset: int,
    series: bool = True,
    about: int | None = None,
) -> _Figures:
    """With ``about`` (one brand's report), the series and totals count only that brand's
    mentions, all from the mentions (the roll-ups are not split by brand and platform); the
    brands' figures still cover every brand."""
    dialect = session.get_bind().dialect.name
    if about is None:
        split = rollups.plan(session, workspace_id, offset, window.start, window.end)
    else:
        split = rollups.Plan(rolled=[], direct=[(window.start, window.end)])
    figures = _Figures()
    cell_keys = ("day", "platform", "lang") if series else ()
    for *key, n, p, u, g, e in rollups.rolled_sums(
        session, workspace_id, offset, split.rolled, cell_keys, False
    ):
        figures.cells[tuple(key) if series else ("", "", "")].add_counts(n, p, u, g, e)  # type: ignore[index]
    brand_keys = ("brand_id", "day") if series else ("brand_id",)
    for brand_id, *day, n, p, u, g, e in rollups.rolled_sums(
        session, workspace_id, offset, split.rolled, brand_keys, True
    ):
        figures.brands[(brand_id, day[0] if series else "")].add_counts(n, p, u, g, e)
    day = _day(Mention.created_at, offset, dialect).label("day")
    engagement = rollups.engagement_sum()
    connection = session.connection()  # plain rows: no ORM work per row
    for start, end in split.direct:  # one range each, so the index on creation time reads only it
        if series:
            query = (
                select(day, Mention.platform, Mention.lang, Mention.sentiment, func.count(), engagement)
                .where(*_in(workspace_id, start, end, about))
                .group_by(day, Mention.platform, Mention.lang, Mention.sentiment)
            )
            for day_text, platform, lang, sentiment, count, total in connection.execute(query):
                figures.cells[(day_text, platform, lang or "")].add(sentiment, count, int(total))
        else:
            query = (
                select(Mention.sentiment, func.count(), engagement)
                .where(*_in(workspace_id, start, end, about))
                .group_by(Mention.sentiment)
            )
            for sentiment, count, total in connection.execute(query):
                figures.cells[("", "", "")].add(sentiment, count, int(total))
        linked = (
            select(MentionBrand.brand_id, day, Mention.sentiment, func.count(), engagement)
            .join(Mention, Mention.id == MentionBrand.mention_id)
            .where(MentionBrand.workspace_id == workspace_id, *_in(workspace_id, start, end))
            .group_by(MentionBrand.brand_id, day, Mention.sentiment)
        )
        for brand_id, day_text, sentiment, count, total in connection.execute(linked):
            figures.brands[(brand_id, day_text if series else "")].add(sentiment, count, int(total))
    return figures


def listening(session: Session, workspace_id: int, period: Period, brand_id: int | None = None) -> Listening:
    """The period's figures: whole days from the roll-ups where they are ready and unchanged
    since, the rest (today, edges, days just changed) counted from the mentions. With
    ``brand_id``, the series and totals count only that brand's mentions (share of voice still
    compares every brand)."""
    offset = period.offset_minutes
    by_day: dict[date, Tally] = {d: Tally() for d in period.day_list}
    by_platform: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    by_language: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    total = Tally()
    current = _gather(session, workspace_id, period, offset, about=brand_id)
    for (day_text, platform, lang), tally in current.cells.items():
        d = date.fromisoformat(day_text)
        if d not in by_day:  # an offset change inside the period: nearest day
            d = min(max(d, period.first_day), period.day_list[-1])
        by_day[d].merge(tally)
        total.merge(tally)
        by_platform[platform][d] += tally.mentions
        by_language[lang or "und"][d] += tally.mentions

    before = _gather(session, workspace_id, period.previous(), offset, series=False, about=brand_id)
    previous = Tally()
    for tally in before.cells.values():
        previous.merge(tally)

    brands = {
        b.id: BrandShare(b.id, b.name, b.competitor_of_id is not None)
        for b in session.scalars(select(Brand).where(Brand.workspace_id == workspace_id).order_by(Brand.id))
    }
    by_brand: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for figures, is_current in ((current, True), (before, False)):
        for (brand_id, day_text), tally in figures.brands.items():
            share = brands.get(brand_id)
            if share is None:
                continue
            (share.tally if is_current else share.previous).merge(tally)
            if is_current:
                by_brand[brand_id][date.fromisoformat(day_text)] += tally.mentions
    return Listening(
        period=period,
        total=total,
        previous=previous,
        by_day=by_day,
        by_platform={k: dict(v) for k, v in by_platform.items()},
        by_language={k: dict(v) for k, v in by_language.items()},
        by_brand={k: dict(v) for k, v in by_brand.items()},
        brands=list(brands.values()),
    )
