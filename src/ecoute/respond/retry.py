"""Replies stuck in ``sending``: a process killed between the two commits of a delivery (see
``ecoute.respond.sending``) leaves the attempt on disk and no answer from the platform. Until now only
a replay of the same composer submission retried them; ``retry_stuck`` (``ecoute replies retry``)
re-delivers, in every workspace, those whose last attempt began more than a grace period ago.

Posting twice is impossible by construction: the retry goes through the same ``deliver`` with the
reply's own idempotency key, which the platform (or the sender, by looking first) uses to return the
reply it already made instead of posting again. The grace period must outlast a delivery in progress
(the platform call gives up after ``ECOUTE_HTTP_TIMEOUT`` seconds), so a reply still on its way is
left alone. Each reply is claimed first (its ``attempted_at`` moved to now, only if still stale),
so two retry runs at once never both try it; the outcome is audited by ``deliver`` like any send
(``reply.send`` or ``reply.fail``, actor ``cli:replies-retry``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ecoute.respond.sending import deliver, state_of
from ecoute.sources.base import SourceError
from ecoute.store.db import Database
from ecoute.store.models import Reply
from ecoute.store.reply_models import ReplyState
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
ACTOR = "cli:replies-retry"
DEFAULT_GRACE = timedelta(minutes=5)
BATCH = 200  # stuck replies handled per run at the most; the next run takes the rest


@dataclass
class RetryReport:
    stuck: int = 0  # replies found in "sending" for longer than the grace period
    sent: int = 0  # now sent (or recorded)
    failed: int = 0  # the platform refused: the reply is "failed", with the error shown in the desk
    left: int = 0  # the platform could not be reached, or another run took it: tried again later


def stuck_replies(db: Database, cutoff: datetime, *, limit: int = BATCH) -> list[tuple[int, int]]:
    """``(workspace_id, reply_id)`` of the replies in ``sending`` whose last attempt began before
    ``cutoff`` (a reply stored as ``sending`` that never reached its first attempt counts from its
    creation), oldest first."""
    began = func.coalesce(ReplyState.attempted_at, Reply.created_at)
    query = (
        select(Reply.workspace_id, Reply.id)
        .outerjoin(ReplyState, ReplyState.reply_id == Reply.id)
        .where(Reply.status == "sending", began < cutoff)
        .order_by(began, Reply.id)
        .limit(limit)
    )
    with db.session() as session:
        return [(workspace_id, reply_id) for workspace_id, reply_id in session.execute(query)]


def _claim(db: Database, workspace_id: int, reply_id: int, cutoff: datetime, now: datetime) -> bool:
    """Take the reply for this run: only if it is still ``sending`` and still stale, by moving its
    ``attempted_at`` from the value read to now (compare and set: one run wins)."""
    try:
        with db.session() as session:
            query = select(Reply).where(Reply.workspace_id == workspace_id, Reply.id == reply_id)
            reply = session.scalar(query)
            if reply is None or reply.status != "sending":
                return False
            state = state_of(session, reply)
            seen = state.attempted_at
            if (seen or reply.created_at) >= cutoff:
                return False
            same = ReplyState.attempted_at.is_(None) if seen is None else ReplyState.attempted_at == seen
            claimed = session.execute(
                update(ReplyState)
                .where(ReplyState.reply_id == reply_id, same)
                .values(attempted_at=now)
                .execution_options(synchronize_session=False)
            )
            return bool(claimed.rowcount)
    except IntegrityError:  # another run wrote the reply's missing state row first
        return False


def retry_stuck(
    db: Database, *, older_than: timedelta = DEFAULT_GRACE, now: datetime | None = None
) -> RetryReport:
    """Re-deliver every workspace's replies stuck in ``sending`` for longer than ``older_than``."""
    if older_than < timedelta(0):
        raise ValueError("older_than must not be negative")
    moment = now or utcnow()
    cutoff = moment - older_than
    report = RetryReport()
    for workspace_id, reply_id in stuck_replies(db, cutoff):
        report.stuck += 1
        if not _claim(db, workspace_id, reply_id, cutoff, moment):
            report.left += 1
            continue
        try:
            reply = deliver(db, workspace_id, reply_id, actor=ACTOR)
        except SourceError:
            report.failed += 1  # recorded by deliver: status "failed", the error kept
            continue
        except Exception as error:  # noqa: BLE001 - a dead network must not stop the other replies
            logger.warning("reply.retry_failed", extra={"reply_id": reply_id, "error": str(error)[:200]})
            report.left += 1
            continue
        if reply.status in ("sent", "recorded"):
            report.sent += 1
        else:  # pragma: no cover - deliver either finishes, raises, or leaves nothing to do
            report.left += 1
    logger.info("reply.retry", extra={"stuck": report.stuck, "sent": report.sent, "failed": report.failed})
    return report
