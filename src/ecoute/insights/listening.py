"""What people say, counted: volume and sentiment over time, and share of voice against competitors.

Everything is read from the visible mentions of one workspace whose ``created_at`` falls in a
period (start included, end excluded), grouped in the database: one query for the series (day,
platform, language, sentiment) and one for the brands, for the period and for the one before it.
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
    if dialect == "postgresql":
        shifted = func.timezone("UTC", column) + timedelta(minutes=offset_minutes)
        return func.to_char(shifted, "YYYY-MM-DD")
    return cast(func.date(column, f"{offset_minutes:+d} minutes"), String)


def _engagement() -> ColumnElement[Any]:
    return func.coalesce(func.sum(Mention.likes + Mention.shares + Mention.replies_count), 0)


def mentions_in(period: Period, workspace_id: int, brand_id: int | None = None) -> list[Any]:
    """Conditions for the visible mentions of the period (about one brand, with ``brand_id``)."""
    where = [
        Mention.workspace_id == workspace_id,
        Mention.created_at >= period.start,
        Mention.created_at < period.end,
        Mention.hidden.is_(False),
    ]
    if brand_id is not None:
        where.append(Mention.id.in_(about_brand(workspace_id, brand_id)))
    return where


def about_brand(workspace_id: int, brand_id: int) -> Any:
    """The ids of the workspace's mentions about one brand (or competitor), as a subquery."""
    return select(MentionBrand.mention_id).where(
        MentionBrand.workspace_id == workspace_id, MentionBrand.brand_id == brand_id
    )


def listening(session: Session, workspace_id: int, period: Period, brand_id: int | None = None) -> Listening:
    """The period's figures; with ``brand_id``, the series and totals count only that brand's
    mentions (share of voice still compares every brand)."""
    dialect = session.get_bind().dialect.name
    day = _day(Mention.created_at, period.offset_minutes, dialect).label("day")
    by_day: dict[date, Tally] = {d: Tally() for d in period.day_list}
    by_platform: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    by_language: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    total = Tally()
    series = (
        select(day, Mention.platform, Mention.lang, Mention.sentiment, func.count(), _engagement())
        .where(*mentions_in(period, workspace_id, brand_id))
        .group_by(day, Mention.platform, Mention.lang, Mention.sentiment)
    )
    for day_text, platform, lang, sentiment, count, engagement in session.execute(series):
        d = date.fromisoformat(day_text)
        if d not in by_day:  # an offset change inside the period: nearest day
            d = min(max(d, period.first_day), period.day_list[-1])
        by_day[d].add(sentiment, count, int(engagement))
        total.add(sentiment, count, int(engagement))
        by_platform[platform][d] += count
        by_language[lang or "und"][d] += count

    previous = Tally()
    before = (
        select(Mention.sentiment, func.count(), _engagement())
        .where(*mentions_in(period.previous(), workspace_id, brand_id))
        .group_by(Mention.sentiment)
    )
    for sentiment, count, engagement in session.execute(before):
        previous.add(sentiment, count, int(engagement))

    brands = {
        b.id: BrandShare(b.id, b.name, b.competitor_of_id is not None)
        for b in session.scalars(select(Brand).where(Brand.workspace_id == workspace_id).order_by(Brand.id))
    }
    by_brand: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for window, current in ((period, True), (period.previous(), False)):
        linked = (
            select(MentionBrand.brand_id, day, Mention.sentiment, func.count(), _engagement())
            .join(Mention, Mention.id == MentionBrand.mention_id)
            .where(MentionBrand.workspace_id == workspace_id, *mentions_in(window, workspace_id))
            .group_by(MentionBrand.brand_id, day, Mention.sentiment)
        )
        for brand_id, day_text, sentiment, count, engagement in session.execute(linked):
            share = brands.get(brand_id)
            if share is None:
                continue
            (share.tally if current else share.previous).add(sentiment, count, int(engagement))
            if current:
                by_brand[brand_id][date.fromisoformat(day_text)] += count
    return Listening(
        period=period,
        total=total,
        previous=previous,
        by_day=by_day,
        by_platform=dict(by_platform),
        by_language=dict(by_language),
        by_brand=dict(by_brand),
        brands=list(brands.values()),
    )
