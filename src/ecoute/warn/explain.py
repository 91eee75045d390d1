"""Why an alert was raised, from the mentions themselves: how many against how many expected, when
it started and peaked, the terms that rose (counted by distinct authors against the week before),
who and where it came from, a few posts, and the inbox filtered to exactly its mentions.

The alerts' triage (acknowledge, snooze, resolve) lives here too, so the page and any other caller
change an alert the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ecoute.store.models import Author, Mention
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow
from ecoute.warn.models import Alert
from ecoute.warn.terms import Post, author_counts, emerging_terms

BASELINE = timedelta(days=7)
TOP = 5
SAMPLES = 3
MAX_READ = 5000  # mentions read for terms and authors; an episode larger than this is sampled by reach
STATUSES = ("open", "acknowledged", "snoozed", "resolved")
SNOOZES = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "24h": timedelta(hours=24)}


@dataclass(frozen=True)
class Explanation:
    since: datetime
    until: datetime
    mentions: int
    negative: int
    terms: list[tuple[str, int]]  # (term, distinct authors in the episode)
    authors: list[tuple[str, int | None, int]]  # (handle, followers, mentions)
    platforms: list[tuple[str, int]]
    samples: list[Mention]


def window(alert: Alert, now: datetime) -> tuple[datetime, datetime]:
    """The alert's mentions: from its start to its end (or now, while it lasts); an impersonator's
    from its first post to its last."""
    if alert.kind == "impersonation":
        return alert.started_at, alert.peak_at + timedelta(seconds=1)
    return alert.started_at, alert.ended_at or now


def explain(session: Session, alert: Alert, now: datetime | None = None) -> Explanation:
    since, until = window(alert, now or utcnow())
    visible = [Mention.workspace_id == alert.workspace_id, Mention.hidden.is_(False)]
    inside = [*visible, Mention.created_at >= since, Mention.created_at < until]
    if alert.kind == "negative_share":
        inside.append(Mention.sentiment == "negative")
    if alert.kind == "term":  # the posts that use the term
        inside.append(Mention.text.ilike(f"%{term_of(alert)}%"))
    if alert.kind == "impersonation":  # what the account itself posted, whenever
        inside = [*visible, Mention.author_id == int(alert.details.get("author_id") or 0)]
    mentions, negative = session.execute(
        select(func.count(), func.count().filter(Mention.sentiment == "negative")).where(*inside)
    ).one()
    reach = Mention.likes + Mention.shares + Mention.replies_count
    rows = session.execute(
        select(Mention, Author.handle, Author.followers)
        .outerjoin(Author, Author.id == Mention.author_id)
        .where(*inside)
        .order_by(reach.desc(), Mention.id)
        .limit(MAX_READ)
    ).all()
    before = session.execute(
        select(Mention.author_id, Mention.text)
        .where(*visible, Mention.created_at >= since - BASELINE, Mention.created_at < since)
        .limit(MAX_READ)
    ).all()
    current = [Post(str(m.author_id or m.id), m.text) for m, _, _ in rows]
    rising = emerging_terms(current, [Post(str(a), t) for a, t in before], min_authors=2, min_z=2.0)
    terms = [(str(t.term), t.authors_now) for t in rising[:TOP]]
    if not terms:  # nothing rose against the week before: the most shared terms, then
        counts, _ = author_counts(current)
        terms = [(term, n) for term, n in counts.most_common(TOP) if n > 1]
    authors: Counter[tuple[str, int | None]] = Counter(
        (handle, followers) for _, handle, followers in rows if handle
    )
    top_authors = sorted(authors.items(), key=lambda item: (-item[0][1] if item[0][1] else 0, -item[1]))
    return Explanation(
        since=since,
        until=until,
        mentions=int(mentions),
        negative=int(negative),
        terms=terms,
        authors=[(handle, followers, n) for (handle, followers), n in top_authors[:TOP]],
        platforms=Counter(m.platform for m, _, _ in rows).most_common(TOP),
        samples=[m for m, _, _ in rows[:SAMPLES]],
    )


def term_of(alert: Alert) -> str:
    """A term alert's word or hashtag ("" for other alerts)."""
    return str((alert.details or {}).get("term") or "") if alert.kind == "term" else ""


def inbox_path(slug: str, alert: Alert, explanation: Explanation) -> str:
    """The inbox filtered to exactly the alert's mentions (their dates, and the negative ones, or
    those using the term)."""
    params = {
        "status": "all",
        "scope": "mentions",
        "since": explanation.since.isoformat(),
        "until": explanation.until.isoformat(),
    }
    if alert.kind == "negative_share":
        params["sentiment"] = "negative"
    if alert.kind == "term":
        params["q"] = term_of(alert).lstrip("#")
    return f"/w/{slug}/?{urlencode(params)}"


def current(session: Session, workspace_id: int, now: datetime | None = None) -> list[Alert]:
    """The workspace's alerts, those that need attention first (open, or snoozed and due again),
    then acknowledged, then resolved; newest first within each."""
    now = now or utcnow()
    alerts = list(
        session.scalars(
            select(Alert).where(Alert.workspace_id == workspace_id).order_by(Alert.started_at.desc())
        )
    )
    return sorted(alerts, key=lambda a: _rank(a, now))


def shown_status(alert: Alert, now: datetime) -> str:
    """A snooze that ran out shows the alert open again."""
    if alert.status == "snoozed" and alert.snoozed_until is not None and alert.snoozed_until <= now:
        return "open"
    return alert.status


def _rank(alert: Alert, now: datetime) -> int:
    return {"open": 0, "snoozed": 1, "acknowledged": 2, "resolved": 3}.get(shown_status(alert, now), 4)


def need_attention(session: Session, workspace_id: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    return int(
        session.scalar(
            select(func.count()).where(
                Alert.workspace_id == workspace_id,
                or_(
                    Alert.status == "open",
                    (Alert.status == "snoozed") & (Alert.snoozed_until <= now),
                ),
            )
        )
        or 0
    )


def change(
    session: Session,
    workspace_id: int,
    alert_id: int,
    action: str,
    *,
    user_id: int | None,
    actor: str,
    snooze: str | None = None,
    now: datetime | None = None,
) -> Alert:
    """``acknowledge``, ``snooze`` (``1h``, ``4h`` or ``24h``), ``resolve`` or ``reopen``; audited."""
    now = now or utcnow()
    alert = session.scalar(select(Alert).where(Alert.workspace_id == workspace_id, Alert.id == alert_id))
    if alert is None:
        raise NotFound(f"no alert #{alert_id}")
    before = {"status": alert.status}
    if action == "snooze":
        if snooze not in SNOOZES:
            raise Invalid(f"snooze {snooze!r}: use {', '.join(SNOOZES)}")
        alert.status, alert.snoozed_until = "snoozed", now + SNOOZES[snooze]
    elif action in ("acknowledge", "resolve", "reopen"):
        alert.status = {"acknowledge": "acknowledged", "resolve": "resolved", "reopen": "open"}[action]
        alert.snoozed_until = None
    else:
        raise Invalid(f"action {action!r}: use acknowledge, snooze, resolve or reopen")
    alert.handled_by_id, alert.handled_at = user_id, now
    after = {"status": alert.status, **({"snoozed_until": alert.snoozed_until.isoformat()} if snooze else {})}
    record_audit(
        session, workspace_id, actor=actor, action=f"alert.{action}", target_type="alert", target_id=alert.id,
        before=before, after=after,
    )  # fmt: skip
    session.flush()
    return alert
