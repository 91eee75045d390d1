"""What a digest says, read from the database for one workspace and one period; figures come from
the same code as the Insights and Metrics pages (``ecoute.insights``), topics from
``ecoute.topics.queries``, alerts from ``ecoute.warn``.

- needs an answer: open conversations (new, open, pending) marked as needing a reply, now, with the
  first few in the inbox's order;
- deadlines missed: first-response deadlines that fell due in the period with no answer sent by
  then (the conversations that needed a reply and opened up to ``LOOKBACK`` before the period);
- alerts: those that started in the period, or were still open during it;
- trending topics: the topics that grew most against the period before;
- figures: mentions, net sentiment (against the period before), response rate and median first
  response in business time for the conversations that opened in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ecoute.digests.schedule import DigestPeriod
from ecoute.inbox.queries import InboxFilters, list_conversations
from ecoute.insights.listening import listening
from ecoute.insights.response_facts import response_facts
from ecoute.insights.response_metrics import response_report
from ecoute.keep_time.clock import as_utc
from ecoute.keep_time.deadlines import KeepTime
from ecoute.keep_time.targets import Clock, deadline_for
from ecoute.store.models import Conversation, Workspace
from ecoute.topics.queries import trending
from ecoute.warn.models import Alert
from ecoute.web.filters import OPEN_STATUSES

TOP = 5
LOOKBACK = timedelta(days=30)
EXCERPT = 160


@dataclass(frozen=True)
class Waiting:
    conversation_id: int
    platform: str
    author: str
    excerpt: str
    priority: int
    waiting_since: datetime


@dataclass(frozen=True)
class Missed:
    conversation_id: int
    platform: str
    priority: int
    due_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class AlertLine:
    kind: str
    subject: str
    started_at: datetime
    status: str
    observed: float
    expected: float


@dataclass(frozen=True)
class TopicLine:
    topic_id: int
    title: str
    mentions: int
    previous: int


@dataclass
class Figures:
    mentions: int
    previous_mentions: int
    net_sentiment: float | None
    previous_net_sentiment: float | None
    conversations: int
    response_rate: float | None
    first_response_median_s: float | None


@dataclass
class Digest:
    workspace_slug: str
    workspace_name: str
    period: DigestPeriod
    waiting_count: int
    waiting: list[Waiting]
    missed: list[Missed]
    missed_count: int
    alerts: list[AlertLine]
    topics: list[TopicLine]
    figures: Figures
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing happened and nothing waits."""
        return not (self.waiting_count or self.missed_count or self.alerts or self.figures.mentions)


def build(session: Session, workspace: Workspace, period: DigestPeriod, *, now: datetime) -> Digest:
    keep_time = KeepTime.of(workspace)
    count, waiting = _waiting(session, workspace.id, now)
    missed = _missed(session, workspace.id, period, keep_time)
    return Digest(
        workspace_slug=workspace.slug,
        workspace_name=workspace.name,
        period=period,
        waiting_count=count,
        waiting=waiting,
        missed=missed[:TOP],
        missed_count=len(missed),
        alerts=_alerts(session, workspace.id, period),
        topics=[
            TopicLine(t.topic_id, t.title, t.mentions, t.previous)
            for t in trending(session, workspace.id, period.start, period.end, limit=TOP)
        ],
        figures=_figures(session, workspace, period, keep_time),
    )


def _waiting(session: Session, workspace_id: int, now: datetime) -> tuple[int, list[Waiting]]:
    c = Conversation
    count = session.scalar(
        select(func.count()).where(
            c.workspace_id == workspace_id, c.status.in_(OPEN_STATUSES), c.needs_reply.is_(True)
        )
    )
    filters = InboxFilters(status=OPEN_STATUSES, needs_reply=True)
    page = list_conversations(session, workspace_id, filters, cursor=None, limit=TOP, secret="-", now=now)
    rows = [
        Waiting(
            conversation_id=row.conversation.id,
            platform=row.conversation.platform,
            author=row.author.display_name or row.author.handle if row.author else "",
            excerpt=_excerpt(row.top_mention.text if row.top_mention else ""),
            priority=row.conversation.priority,
            waiting_since=row.conversation.last_mention_at,
        )
        for row in page.rows
    ]
    return int(count or 0), rows


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def _missed(session: Session, workspace_id: int, period: DigestPeriod, keep_time: KeepTime) -> list[Missed]:
    facts = response_facts(session, workspace_id, since=period.start - LOOKBACK, until=period.end)
    if not facts:
        return []
    info = {
        row.id: row
        for row in session.execute(
            select(Conversation.id, Conversation.platform, Conversation.priority).where(
                Conversation.workspace_id == workspace_id,
                Conversation.id.in_([f.conversation_id for f in facts]),
            )
        )
    }
    targets = keep_time.config.response_targets
    missed: list[Missed] = []
    for fact in facts:
        conversation = info.get(fact.conversation_id)
        if conversation is None:
            continue
        deadline = deadline_for(Clock(fact.opened_at, conversation.priority), keep_time.calendar, targets)
        due = deadline.due_at
        if not period.start <= due < period.end:
            continue
        answered = as_utc(fact.first_reply_at) if fact.first_reply_at else None
        if answered is not None and answered <= due:
            continue
        missed.append(
            Missed(fact.conversation_id, conversation.platform, conversation.priority, due, answered)
        )
    return sorted(missed, key=lambda m: (-m.priority, m.due_at, m.conversation_id))


def _alerts(session: Session, workspace_id: int, period: DigestPeriod) -> list[AlertLine]:
    a = Alert
    rows = session.scalars(
        select(a)
        .where(
            a.workspace_id == workspace_id,
            a.started_at < period.end,
            or_(a.started_at >= period.start, a.ended_at.is_(None), a.ended_at >= period.start),
        )
        .order_by(a.started_at.desc(), a.id.desc())
        .limit(TOP * 2)
    )
    return [AlertLine(r.kind, r.subject, r.started_at, r.status, r.observed, r.expected) for r in rows]


def _figures(session: Session, workspace: Workspace, period: DigestPeriod, keep_time: KeepTime) -> Figures:
    heard = listening(session, workspace.id, period.listening)
    report = response_report(
        session, workspace, since=period.first_day, until=period.last_day, keep_time=keep_time
    )
    total = report.total
    return Figures(
        mentions=heard.total.mentions,
        previous_mentions=heard.previous.mentions,
        net_sentiment=heard.total.net,
        previous_net_sentiment=heard.previous.net,
        conversations=total.conversations,
        response_rate=total.response_rate,
        first_response_median_s=total.first_response_business.median_seconds,
    )
