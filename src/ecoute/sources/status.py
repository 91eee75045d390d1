"""How each of a workspace's sources is doing, as the Sources page, the API and ``ecoute source
list`` all show it: its state (healthy, waiting for a rate limit, backing off, needs reconnecting,
paused), last success, items stored today, next poll and the last error in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.store.models import Brand, Mention, Source, Workspace
from ecoute.store.types import utcnow

STATES = ("new", "healthy", "rate_limited", "backing_off", "needs_reconnect", "paused")
MAX_ERROR = 300


@dataclass(frozen=True)
class SourceStatus:
    id: int
    name: str
    kind: str
    platform: str
    brand: str | None
    state: str  # one of STATES
    health: str  # as stored: new, ok, failing, rate_limited, needs_reconnect
    failures: int  # consecutive failed polls
    last_success_at: datetime | None
    last_run_at: datetime | None
    next_poll_at: datetime | None
    items_today: int
    last_error: str | None
    paused: bool

    @property
    def needs_reconnect(self) -> bool:
        return self.state == "needs_reconnect"


def state_of(source: Source) -> str:
    """The state in one word: paused wins, then what the last poll's failure asked for."""
    if source.paused:
        return "paused"
    if source.health == "needs_reconnect":
        return "needs_reconnect"
    if source.health == "rate_limited":
        return "rate_limited"
    if source.health == "failing":
        return "backing_off"
    return "healthy" if source.health == "ok" else "new"


def error_in_words(error: str | None) -> str | None:
    """The last error as one readable sentence: its first line, cut short (never a traceback;
    the connectors' messages name the setting or the platform's answer, never a secret)."""
    if not error:
        return None
    line = error.strip().splitlines()[0] if error.strip() else ""
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "…"


def start_of_today(workspace: Workspace, now: datetime) -> datetime:
    """Midnight in the workspace's time zone, as a UTC instant."""
    zone = ZoneInfo(workspace.timezone or "UTC")
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def items_since(session: Session, workspace_id: int, since: datetime) -> dict[int, int]:
    """Mentions stored since ``since``, by source."""
    query = (
        select(Mention.source_id, func.count())
        .where(
            Mention.workspace_id == workspace_id,
            Mention.source_id.is_not(None),
            Mention.collected_at >= since,
        )
        .group_by(Mention.source_id)
    )
    return {int(source_id): int(count) for source_id, count in session.execute(query)}


def statuses(
    session: Session, workspace: Workspace, now: datetime | None = None, *, source_id: int | None = None
) -> list[SourceStatus]:
    """Every source of the workspace (or only ``source_id``), by name."""
    now = now or utcnow()
    query = select(Source).where(Source.workspace_id == workspace.id)
    if source_id is not None:
        query = query.where(Source.id == source_id)
    sources = list(session.scalars(query.order_by(Source.name)))
    today = items_since(session, workspace.id, start_of_today(workspace, now)) if sources else {}
    brands = dict(
        session.execute(select(Brand.id, Brand.name).where(Brand.workspace_id == workspace.id)).all()
    )
    return [
        SourceStatus(
            id=s.id,
            name=s.name,
            kind=s.kind,
            platform=s.platform,
            brand=brands.get(int((s.settings or {}).get("brand_id") or 0)),
            state=state_of(s),
            health=s.health,
            failures=s.consecutive_failures,
            last_success_at=s.last_success_at,
            last_run_at=s.last_run_at,
            next_poll_at=None if s.paused else s.next_poll_at,
            items_today=today.get(s.id, 0),
            last_error=error_in_words(s.last_error),
            paused=s.paused,
        )
        for s in sources
    ]


def needing_reconnect(session: Session, workspace_id: int) -> list[str]:
    """Names of the workspace's unpaused sources that need reconnecting (for the admins' banner)."""
    query = select(Source.name).where(
        Source.workspace_id == workspace_id,
        Source.health == "needs_reconnect",
        Source.paused.is_(False),
    )
    return list(session.scalars(query.order_by(Source.name)))


def describe(status: SourceStatus) -> str:
    """The state in English words, for the command line (the page says it in the reader's language)."""
    if status.state == "rate_limited" and status.next_poll_at:
        return f"waiting for the platform's rate limit until {status.next_poll_at:%H:%M} UTC"
    if status.state == "backing_off":
        return f"backing off after {status.failures} failure(s)"
    if status.state == "needs_reconnect":
        return "needs reconnecting: give new credentials (Sources page) and test"
    return {"paused": "paused", "new": "not polled yet", "healthy": "healthy"}.get(status.state, status.state)
