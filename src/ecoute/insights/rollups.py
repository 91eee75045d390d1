"""Daily roll-ups of the listening figures, so an Insights page over months reads a few thousand
rows instead of every mention.

``mention_days`` counts, per workspace and *local* day, per brand (0: every mention, brand or not),
platform and language: the visible mentions, their sentiments and their engagement; ``topic_days``
the same per topic (sentiments only). A day is cut at
a fixed UTC offset (``offset_minutes``), exactly as ``ecoute.insights.listening`` cuts them, and
each workspace keeps one set of rows per offset its time zone uses (two where clocks change).

Exactness does not depend on the roll-ups being fresh. Triggers on ``mentions``,
``mention_brands`` and ``mention_topics`` (migration ``insights_day_rollups``) mark the UTC day of
every insert, delete and change that could move a figure in ``mention_days_stale``, in the
writer's own transaction; the
``insights.rollup`` job recomputes the local days around each marked day and extends the roll-ups
to yesterday. A reader takes from the roll-ups only the days that are whole inside its period,
already rolled up and not marked, and counts everything else (today, the partial days at the edges,
marked days) from the mentions directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ecoute.store.db import Database
from ecoute.store.models import Base, Mention, MentionBrand
from ecoute.topics.models import MentionTopic

ALL = 0  # the brand_id of the rows that count every mention
BUILD_DAYS = 62  # days rebuilt in one statement on a first build


class MentionDay(Base):
    __tablename__ = "mention_days"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD at that offset
    brand_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)  # "" when unknown
    mentions: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    engagement: Mapped[int] = mapped_column(BigInteger)


class TopicDay(Base):
    """The visible mentions of a topic on a local day, and their sentiments."""

    __tablename__ = "topic_days"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentions: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)


class MentionDaysBuilt(Base):
    """Every local day up to ``through`` (at that offset) is in ``mention_days``, unless marked."""

    __tablename__ = "mention_days_built"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    offset_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)
    through: Mapped[str] = mapped_column(String(10))


class MentionDayStale(Base):
    """A UTC day whose mentions changed since the roll-ups were made (written by triggers)."""

    __tablename__ = "mention_days_stale"

    workspace_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)


def local_day(column: Any, offset_minutes: int, dialect: str) -> ColumnElement[Any]:
    """The day of a UTC timestamp column at a fixed offset, as ``YYYY-MM-DD`` text."""
    if dialect == "postgresql":
        shifted = func.timezone("UTC", column) + timedelta(minutes=offset_minutes)
        return func.to_char(shifted, "YYYY-MM-DD")
    return func.date(column, f"{offset_minutes:+d} minutes")


def engagement_sum() -> ColumnElement[Any]:
    return func.coalesce(func.sum(Mention.likes + Mention.shares + Mention.replies_count), 0)


def sentiment_count(value: str) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((Mention.sentiment == value, 1), else_=0)), 0)


def day_start(day: date, offset_minutes: int) -> datetime:
    """The UTC moment a local day at this offset begins."""
    return datetime.combine(day, time(), UTC) - timedelta(minutes=offset_minutes)


def zone_offsets(timezone: str, around: datetime) -> set[int]:
    """The UTC offsets (minutes) a time zone uses in the year before and after ``around``."""
    zone = ZoneInfo(timezone)
    moments = (around + timedelta(days=days) for days in range(-380, 381, 7))
    return {int(m.astimezone(zone).utcoffset().total_seconds() // 60) for m in moments}  # type: ignore[union-attr]


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How to count [start, end): these whole days from the roll-ups, these ranges directly."""

    rolled: list[date]
    direct: list[tuple[datetime, datetime]]


def plan(session: Session, workspace_id: int, offset: int, start: datetime, end: datetime) -> Plan:
    through = session.scalar(
        select(MentionDaysBuilt.through).where(
            MentionDaysBuilt.workspace_id == workspace_id, MentionDaysBuilt.offset_minutes == offset
        )
    )
    if through is None or start >= end:
        return Plan([], [(start, end)] if start < end else [])
    last_built = date.fromisoformat(through)
    first = (start + timedelta(minutes=offset)).date()
    last = (end + timedelta(minutes=offset)).date()
    stale = {
        date.fromisoformat(day)
        for day in session.scalars(
            select(MentionDayStale.day).where(
                MentionDayStale.workspace_id == workspace_id,
                MentionDayStale.day >= (first - timedelta(days=1)).isoformat(),
                MentionDayStale.day <= (last + timedelta(days=1)).isoformat(),
            )
        )
    }
    rolled = []
    day = first
    while day <= min(last, last_built):
        whole = day_start(day, offset) >= start and day_start(day + timedelta(days=1), offset) <= end
        marked = any(day + timedelta(days=k) in stale for k in (-1, 0, 1))
        if whole and not marked:
            rolled.append(day)
        day += timedelta(days=1)
    direct: list[tuple[datetime, datetime]] = []
    cursor = start
    for day in rolled:
        if day_start(day, offset) > cursor:
            direct.append((cursor, day_start(day, offset)))
        cursor = day_start(day + timedelta(days=1), offset)
    if cursor < end:
        direct.append((cursor, end))
    return Plan(rolled, direct)


def _among(column: Any, days: list[date]) -> ColumnElement[bool]:
    """The column is one of these days: a range when they follow each other (the usual case)."""
    if (days[-1] - days[0]).days + 1 == len(days):
        return and_(column >= days[0].isoformat(), column <= days[-1].isoformat())
    return column.in_([d.isoformat() for d in days])


def rolled_sums(
    session: Session, workspace_id: int, offset: int, days: list[date], keys: Sequence[str], brands: bool
) -> list[Any]:
    """Sums (mentions, positive, neutral, negative, engagement) over the rolled-up ``days``, per
    ``keys`` (columns of ``mention_days``), of every mention's rows or of the brands' rows."""
    if not days:
        return []
    columns = [getattr(MentionDay, key) for key in keys]
    query = (
        select(
            *columns,
            func.sum(MentionDay.mentions),
            func.sum(MentionDay.positive),
            func.sum(MentionDay.neutral),
            func.sum(MentionDay.negative),
            func.sum(MentionDay.engagement),
        )
        .where(
            MentionDay.workspace_id == workspace_id,
            MentionDay.offset_minutes == offset,
            _among(MentionDay.day, days),
            MentionDay.brand_id != ALL if brands else MentionDay.brand_id == ALL,
        )
        .group_by(*columns)
    )
    return [row for row in session.connection().execute(query) if row[len(keys)]]


def rolled_topic_rows(session: Session, workspace_id: int, offset: int, days: list[date]) -> list[Any]:
    """(topic_id, mentions, positive, neutral, negative) summed over the rolled-up days."""
    if not days:
        return []
    return list(
        session.connection().execute(
            select(
                TopicDay.topic_id,
                func.sum(TopicDay.mentions),
                func.sum(TopicDay.positive),
                func.sum(TopicDay.neutral),
                func.sum(TopicDay.negative),
            )
            .where(
                TopicDay.workspace_id == workspace_id,
                TopicDay.offset_minutes == offset,
                _among(TopicDay.day, days),
            )
            .group_by(TopicDay.topic_id)
        )
    )


# --- building -------------------------------------------------------------------------------


def build_days(session: Session, workspace_id: int, offset: int, first: date, last: date) -> None:
    """Recompute the roll-ups of the local days first..last (included) at this offset."""
    if last < first:
        return
    dialect = session.get_bind().dialect.name
    for model in (MentionDay, TopicDay):
        session.execute(
            delete(model).where(
                model.workspace_id == workspace_id,
                model.offset_minutes == offset,
                model.day >= first.isoformat(),
                model.day <= last.isoformat(),
            )
        )
    day = local_day(Mention.created_at, offset, dialect)
    lang = func.coalesce(Mention.lang, "")
    where = (
        Mention.workspace_id == workspace_id,
        Mention.hidden.is_(False),
        Mention.created_at >= day_start(first, offset),
        Mention.created_at < day_start(last + timedelta(days=1), offset),
    )
    columns = [
        "workspace_id", "offset_minutes", "day", "brand_id", "platform", "lang",
        "mentions", "positive", "neutral", "negative", "engagement",
    ]  # fmt: skip
    figures = (
        func.count(),
        sentiment_count("positive"),
        sentiment_count("neutral"),
        sentiment_count("negative"),
        engagement_sum(),
    )
    every = (
        select(literal(workspace_id), literal(offset), day, literal(ALL), Mention.platform, lang, *figures)
        .where(*where)
        .group_by(day, Mention.platform, lang)
    )
    by_brand = (
        select(
            literal(workspace_id),
            literal(offset),
            day,
            MentionBrand.brand_id,
            Mention.platform,
            lang,
            *figures,
        )
        .join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .where(*where, MentionBrand.workspace_id == workspace_id)
        .group_by(day, MentionBrand.brand_id, Mention.platform, lang)
    )
    for query in (every, by_brand):
        session.execute(insert(MentionDay).from_select(columns, query))
    by_topic = (
        select(literal(workspace_id), literal(offset), day, MentionTopic.topic_id, *figures[:4])
        .join(MentionTopic, MentionTopic.mention_id == Mention.id)
        .where(*where, MentionTopic.workspace_id == workspace_id)
        .group_by(day, MentionTopic.topic_id)
    )
    topic_columns = ["workspace_id", "offset_minutes", "day", "topic_id", *columns[6:10]]
    session.execute(insert(TopicDay).from_select(topic_columns, by_topic))


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as (first, last) runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@dataclass(frozen=True)
class Refreshed:
    built: int  # days built for the first time or extended to yesterday
    recomputed: int  # days recomputed because their mentions changed


def refresh(db: Database, workspace_id: int, timezone: str, now: datetime) -> Refreshed:
    """Bring the workspace's roll-ups up to yesterday, recomputing the days marked since. Work is
    cut into transactions of at most ``BUILD_DAYS`` days (the marks of a chunk of days go in the
    transaction that recomputes them), so a first build, or the whole history marked by a topic
    rebuild, never holds other writers for long."""
    offsets = sorted(zone_offsets(timezone, now))
    yesterday = {o: (now + timedelta(minutes=o)).date() - timedelta(days=1) for o in offsets}
    with db.session() as session:
        for model in (MentionDay, TopicDay, MentionDaysBuilt):
            session.execute(
                delete(model).where(model.workspace_id == workspace_id, model.offset_minutes.not_in(offsets))
            )
        for offset in offsets:
            if session.get(MentionDaysBuilt, (workspace_id, offset)) is None:
                start = _before_first(session, workspace_id, offset, yesterday[offset])
                session.add(
                    MentionDaysBuilt(
                        workspace_id=workspace_id, offset_minutes=offset, through=start.isoformat()
                    )
                )
        query = select(MentionDayStale.day).where(MentionDayStale.workspace_id == workspace_id)
        marked = sorted(date.fromisoformat(day) for day in session.scalars(query))
    recomputed = 0
    for start in range(0, len(marked), BUILD_DAYS):
        chunk = marked[start : start + BUILD_DAYS]
        with db.session() as session:
            session.execute(  # first: a change committed from now on marks its day again
                delete(MentionDayStale).where(
                    MentionDayStale.workspace_id == workspace_id,
                    MentionDayStale.day.in_([d.isoformat() for d in chunk]),
                )
            )
            for offset in offsets:
                done = date.fromisoformat(session.get_one(MentionDaysBuilt, (workspace_id, offset)).through)
                again = [
                    d + timedelta(days=k) for d in chunk for k in (-1, 0, 1) if d + timedelta(days=k) <= done
                ]
                for first, last in _runs(again):
                    build_days(session, workspace_id, offset, first, last)
                    recomputed += (last - first).days + 1
    built = 0
    for offset in offsets:
        with db.session() as session:
            day = date.fromisoformat(session.get_one(MentionDaysBuilt, (workspace_id, offset)).through)
        day += timedelta(days=1)
        while day <= yesterday[offset]:
            last = min(yesterday[offset], day + timedelta(days=BUILD_DAYS - 1))
            with db.session() as session:
                build_days(session, workspace_id, offset, day, last)
                session.get_one(MentionDaysBuilt, (workspace_id, offset)).through = last.isoformat()
            built += (last - day).days + 1
            day = last + timedelta(days=1)
    return Refreshed(built, recomputed)


def _before_first(session: Session, workspace_id: int, offset: int, yesterday: date) -> date:
    """The day before the workspace's first mention (yesterday when it has none)."""
    earliest = session.scalar(
        select(func.min(Mention.created_at)).where(Mention.workspace_id == workspace_id)
    )
    return (earliest + timedelta(minutes=offset)).date() - timedelta(days=1) if earliest else yesterday


def forget_gone_workspaces(session: Session) -> None:
    """Marks left by the mentions of deleted workspaces."""
    from ecoute.store.models import Workspace

    session.execute(delete(MentionDayStale).where(MentionDayStale.workspace_id.not_in(select(Workspace.id))))
