"""A shareable report on one workspace, one brand (or all of them) and one period: the headline
figures, the Insights series and share of voice, response metrics, top topics with typical posts,
notable posts and the period's alerts, all computed by the modules that compute them for the app.

Each part is one section function (``build_report`` calls them in turn); a new part of the report
is a new section function and a field of ``Report``. Days are the workspace's days (its time zone).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ecoute.incidents.figures import figures
from ecoute.incidents.models import Incident
from ecoute.insights.listening import BrandShare, Listening, Period, Tally, listening, mentions_in
from ecoute.insights.response_metrics import Durations, MetricRow, response_report
from ecoute.store.models import Author, Brand, Mention, Workspace
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import utcnow
from ecoute.topics import queries as topic_queries
from ecoute.topics.queries import TopicSummary
from ecoute.warn.models import Alert

MAX_DAYS = 366
TOPICS_SHOWN = 8
TOPICS_WITH_SAMPLES = 5
SAMPLES_PER_TOPIC = 2
NOTABLE_POSTS = 5


@dataclass(frozen=True)
class Post:
    """A post quoted in the report, with what a reader needs to place it."""

    mention_id: int
    platform: str
    author: str | None
    text: str
    created_at: datetime
    url: str | None
    sentiment: str | None
    engagement: int


@dataclass(frozen=True)
class TopicLine:
    summary: TopicSummary
    rising: bool
    samples: list[Post]


@dataclass(frozen=True)
class AlertLine:
    alert_id: int
    kind: str
    subject: str
    started_at: datetime
    peak_at: datetime
    ended_at: datetime | None
    observed: float
    expected: float
    status: str


@dataclass(frozen=True)
class Report:
    workspace_slug: str
    workspace_name: str
    brand: str | None  # None: every brand of the workspace
    period: Period
    generated_at: datetime
    listening: Listening  # share of voice: the brand, the brand it competes with and its competitors
    responses: MetricRow
    topics: list[TopicLine]
    most_engaged: list[Post]
    most_negative: list[Post]
    alerts: list[AlertLine]
    incidents: list[IncidentLine]

    @property
    def own_share(self) -> float | None:
        """The report's brand share of voice by mentions (all brands: the workspace's own brands together)."""
        brands = self.listening.brands
        whole = sum(b.tally.mentions for b in brands)
        ours = sum(b.tally.mentions for b in brands if _is_subject(b, self.brand))
        return ours / whole if whole else None

    @property
    def negative_share(self) -> tuple[float | None, float | None]:
        def share(t: Tally) -> float | None:
            return t.negative / t.mentions if t.mentions else None

        return share(self.listening.total), share(self.listening.previous)


def _is_subject(share: BrandShare, brand: str | None) -> bool:
    return share.name == brand if brand is not None else not share.competitor


def find_brand(session: Session, workspace_id: int, key: str) -> Brand:
    """A brand of the workspace by its id or its name (case ignored)."""
    brands = session.scalars(select(Brand).where(Brand.workspace_id == workspace_id)).all()
    for brand in brands:
        if key.strip().isdigit() and brand.id == int(key) or brand.name.casefold() == key.strip().casefold():
            return brand
    raise NotFound(f"brand {key!r}: no such brand in this workspace")


def report_period(first: date, last: date, timezone: str) -> Period:
    if last < first:
        raise Invalid("to: the period ends before it starts")
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(f"to: a report covers at most {MAX_DAYS} days")
    return Period.between(first, last, timezone)


def build_report(
    session: Session, workspace: Workspace, first: date, last: date, brand: Brand | None = None
) -> Report:
    period = report_period(first, last, workspace.timezone)
    brand_id = brand.id if brand is not None else None
    return Report(
        workspace_slug=workspace.slug,
        workspace_name=workspace.name,
        brand=brand.name if brand is not None else None,
        period=period,
        generated_at=utcnow(),
        listening=listening_section(session, workspace.id, period, brand),
        responses=responses_section(session, workspace, first, last, brand),
        topics=topics_section(session, workspace.id, period, brand_id),
        most_engaged=notable_section(session, workspace.id, period, brand_id, negative=False),
        most_negative=notable_section(session, workspace.id, period, brand_id, negative=True),
        alerts=alerts_section(session, workspace.id, period),
        incidents=incidents_section(session, workspace.id, period, brand_id),
    )


def listening_section(session: Session, workspace_id: int, period: Period, brand: Brand | None) -> Listening:
    data = listening(session, workspace_id, period, brand.id if brand is not None else None)
    if brand is None:
        return data
    # A brand's share of voice is against its own rivals: the brand it competes with, if any, and
    # that brand's competitors.
    head = brand.competitor_of_id or brand.id
    rivals = session.scalars(
        select(Brand.id).where(Brand.workspace_id == workspace_id, Brand.competitor_of_id == head)
    )
    family = {head, *rivals}
    return dataclasses.replace(data, brands=[b for b in data.brands if b.brand_id in family])


def responses_section(
    session: Session, workspace: Workspace, first: date, last: date, brand: Brand | None
) -> MetricRow:
    """Response rate and first-response times of the conversations opened in the period."""
    if brand is None:
        return response_report(session, workspace, since=first, until=last).total
    groups = response_report(session, workspace, since=first, until=last, by="brand").groups
    for row in groups:
        if row.key == brand.name:
            return row
    nothing = Durations.of([])
    return MetricRow(brand.name, brand.name, 0, 0, 0, 0, nothing, nothing)


def topics_section(
    session: Session, workspace_id: int, period: Period, brand_id: int | None
) -> list[TopicLine]:
    summaries = topic_queries.topic_summaries(
        session, workspace_id, period.start, period.end, period.offset_minutes, brand_id=brand_id
    )
    shown = [s for s in summaries if s.mentions][:TOPICS_SHOWN]
    rising = {s.topic_id for s in summaries if s.growth > 0}
    lines = []
    for index, summary in enumerate(shown):
        samples = []
        if index < TOPICS_WITH_SAMPLES:
            found = topic_queries.sample_posts(
                session, workspace_id, summary.topic_id, period.start, period.end, SAMPLES_PER_TOPIC, brand_id
            )
            samples = _posts(session, workspace_id, found)
        lines.append(TopicLine(summary, summary.topic_id in rising, samples))
    return lines


def notable_section(
    session: Session, workspace_id: int, period: Period, brand_id: int | None, *, negative: bool
) -> list[Post]:
    """The most engaged posts, or the most negative ones (by sentiment score, then engagement)."""
    engagement = Mention.likes + Mention.shares + Mention.replies_count
    query = select(Mention).where(*mentions_in(period, workspace_id, brand_id))
    if negative:
        query = query.where(Mention.sentiment == "negative").order_by(
            Mention.sentiment_score.asc().nulls_last(), engagement.desc(), Mention.id
        )
    else:
        query = query.where(engagement > 0).order_by(engagement.desc(), Mention.id)
    return _posts(session, workspace_id, list(session.scalars(query.limit(NOTABLE_POSTS))))


def alerts_section(session: Session, workspace_id: int, period: Period) -> list[AlertLine]:
    """The alerts whose episode overlaps the period, in the order they started."""
    found = session.scalars(
        select(Alert)
        .where(
            Alert.workspace_id == workspace_id,
            Alert.started_at < period.end,
            or_(Alert.ended_at.is_(None), Alert.ended_at >= period.start),
        )
        .order_by(Alert.started_at, Alert.id)
    )
    return [
        AlertLine(
            a.id, a.kind, a.subject, a.started_at, a.peak_at, a.ended_at, a.observed, a.expected, a.status
        )
        for a in found
    ]


@dataclass(frozen=True)
class IncidentLine:
    """An incident open during the period, with how many people it touched and were updated."""

    id: int
    title: str
    status: str
    started_at: datetime
    resolved_at: datetime | None
    affected: int
    updated: int

    def __str__(self) -> str:  # the CSV's label
        return f"{self.title} ({self.status}): {self.affected} affected, {self.updated} updated"


def incidents_section(
    session: Session, workspace_id: int, period: Period, brand_id: int | None
) -> list[IncidentLine]:
    """The incidents open at any time during the period (the brand's, and those of no brand),
    oldest first, with their people affected and updated."""
    query = select(Incident).where(
        Incident.workspace_id == workspace_id,
        Incident.started_at < period.end,
        or_(Incident.resolved_at.is_(None), Incident.resolved_at >= period.start),
    )
    if brand_id is not None:
        query = query.where(or_(Incident.brand_id.is_(None), Incident.brand_id == brand_id))
    lines = []
    for incident in session.scalars(query.order_by(Incident.started_at, Incident.id)):
        counted = figures(session, incident)
        lines.append(
            IncidentLine(
                incident.id,
                incident.title,
                incident.status,
                incident.started_at,
                incident.resolved_at,
                counted.affected,
                counted.updated,
            )
        )
    return lines


def _posts(session: Session, workspace_id: int, mentions: list[Mention]) -> list[Post]:
    author_ids = {m.author_id for m in mentions if m.author_id is not None}
    rows = session.execute(
        select(Author.id, Author.handle).where(Author.workspace_id == workspace_id, Author.id.in_(author_ids))
    )
    handles = {author_id: handle for author_id, handle in rows}
    return [
        Post(
            m.id,
            m.platform,
            handles.get(m.author_id) if m.author_id is not None else None,
            m.text,
            m.created_at,
            m.url,
            m.sentiment,
            m.likes + m.shares + m.replies_count,
        )
        for m in mentions
    ]
