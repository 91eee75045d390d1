"""Submitting a reply from the composer (web or API): idempotency, the length limit, the two
confirmations (another reply went out meanwhile; the text reads like a recent one), approval,
then delivery.

    outcome = submit_reply(session, workspace, conversation_id, ReplyRequest(text=..., submission=...),
                           role="agent", user_id=7, actor=ctx.actor)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ecoute.store.db import Database
from ecoute.store.models import Author, Conversation, Mention, Reply, Workspace
from ecoute.store.reply_models import DONE_STATUSES, ReplyState
from ecoute.store.repo import Invalid, NotFound, record_audit

from .approval import needs_approval
from .jobs import await_delivery, send_later
from .names import first_name
from .sending import THEN_STATUSES, idempotency_key, state_of
from .types import BYTE_LIMITS, counted_length, limit_for
from .variety import VarietyReport, check_variety

# Replies that count as "someone already answered": waiting for approval, on their way, or out.
ANSWERING = ("pending", "sending", *DONE_STATUSES)
RECENT = 50


@dataclass(frozen=True)
class ReplyRequest:
    """What the composer sends. ``submission`` names this composer submission (the client's
    Idempotency-Key); ``seen_reply_id`` is the newest reply the agent saw when opening it."""

    text: str
    submission: str
    in_reply_to_id: int | None = None
    then_status: str = "pending"
    seen_reply_id: int = 0
    confirm_collision: bool = False
    confirm_similar: bool = False


@dataclass(frozen=True)
class OtherReply:
    """A reply someone else made meanwhile, copied out (the refused transaction is rolled back)."""

    id: int
    text: str
    status: str
    author_user_id: int | None


class ReplyCollision(Exception):
    """Someone else answered since the composer was opened: the agent must confirm."""

    def __init__(self, others: list[Reply]):
        super().__init__(f"{len(others)} other reply(ies) since the composer was opened")
        self.others = [OtherReply(r.id, r.text, r.status, r.author_user_id) for r in others]


class TooSimilar(Exception):
    """The reply reads like one the team sent recently: the agent must confirm."""

    def __init__(self, report: VarietyReport):
        super().__init__(f"the reply is {round(report.nearest_similarity * 100)}% like a recent reply")
        self.report = report


@dataclass(frozen=True)
class ReplyOutcome:
    reply: Reply
    state: ReplyState
    replayed: bool  # the key had been used: nothing new was stored or posted
    variety: VarietyReport | None


def recent_texts(session: Session, workspace_id: int, *, limit: int = RECENT) -> list[str]:
    """The team's latest replies that went out (sent or recorded), newest first."""
    query = (
        select(Reply.text)
        .where(Reply.workspace_id == workspace_id, Reply.status.in_(DONE_STATUSES))
        .order_by(Reply.sent_at.desc(), Reply.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def variety_of(session: Session, workspace_id: int, text: str, names: tuple[str, ...] = ()) -> VarietyReport:
    return check_variety(text, recent_texts(session, workspace_id), names=names)


def replies_since(
    session: Session, workspace_id: int, conversation_id: int, seen_reply_id: int
) -> list[Reply]:
    return list(
        session.scalars(
            select(Reply)
            .where(
                Reply.workspace_id == workspace_id,
                Reply.conversation_id == conversation_id,
                Reply.id > seen_reply_id,
                Reply.status.in_(ANSWERING),
            )
            .order_by(Reply.id)
        )
    )


def submit_reply(
    db: Database,
    workspace_id: int,
    conversation_id: int,
    request: ReplyRequest,
    *,
    role: str,
    user_id: int | None,
    actor: str,
) -> ReplyOutcome:
    """Store the reply and send it, or hold it for approval; a known key replays the first outcome.

    Runs its own transactions: the reply is committed with its delivery job, which a worker runs
    (see ``ecoute.respond.jobs``); this waits a moment for the platform's answer.
    """
    key = idempotency_key(conversation_id, request.submission)
    report: VarietyReport | None = None
    with db.session() as session:
        existing = _by_key(session, workspace_id, key)
        if existing is not None:
            reply, replayed, send = existing, True, _replay_sends(existing, request)
            if send:
                reply.status = "sending"
        else:
            reply, report, held = _store(
                session, workspace_id, conversation_id, key, request, role, user_id, actor
            )
            replayed, send = report is None, not held and report is not None
        reply_id = reply.id
        if send:  # the delivery job is recorded with the reply: nothing committed goes unsent
            send_later(session, reply, actor=actor)
    if send:
        await_delivery(db, workspace_id, reply_id)
    with db.session() as session:
        reply = session.scalar(select(Reply).where(Reply.workspace_id == workspace_id, Reply.id == reply_id))
        assert reply is not None  # stored above, never deleted
        return ReplyOutcome(reply, state_of(session, reply), replayed, report)


def _store(
    session: Session,
    workspace_id: int,
    conversation_id: int,
    key: str,
    request: ReplyRequest,
    role: str,
    user_id: int | None,
    actor: str,
) -> tuple[Reply, VarietyReport | None, bool]:
    """Check and insert a new reply; the report is None when a concurrent twin won the key."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound(f"no workspace #{workspace_id}")
    conversation = _conversation(session, workspace_id, conversation_id)
    mention = _target(session, workspace_id, conversation, request.in_reply_to_id)
    text = _checked_text(request, conversation.platform)
    if request.then_status not in THEN_STATUSES:
        raise Invalid(f"then_status: choose {' or '.join(THEN_STATUSES)}")
    others = replies_since(session, workspace_id, conversation.id, request.seen_reply_id)
    if others and not request.confirm_collision:
        raise ReplyCollision(others)
    report = variety_of(session, workspace_id, text, _names(session, mention))
    if report.warning and not request.confirm_similar:
        raise TooSimilar(report)
    held = needs_approval(workspace, role)
    reply, won = _insert(session, workspace_id, conversation, mention, text, key, user_id, request, held)
    if not won:
        return reply, None, held
    _audit_submit(session, reply, others, report, held=held, actor=actor)
    return reply, report, held


def _by_key(session: Session, workspace_id: int, key: str) -> Reply | None:
    return session.scalar(
        select(Reply).where(Reply.workspace_id == workspace_id, Reply.idempotency_key == key)
    )


def _replay_sends(reply: Reply, request: ReplyRequest) -> bool:
    """Whether replaying this key must (re)try delivery: after a crash or a refusal, yes."""
    if reply.status in ("pending", "rejected") and request.text.strip() != reply.text:
        raise Invalid("Idempotency-Key: this key was already used for another reply text")
    return reply.status in ("sending", "failed")


def _conversation(session: Session, workspace_id: int, conversation_id: int) -> Conversation:
    found = session.scalar(
        select(Conversation).where(
            Conversation.workspace_id == workspace_id, Conversation.id == conversation_id
        )
    )
    if found is None:
        raise NotFound(f"no conversation #{conversation_id} in this workspace")
    return found


def _target(
    session: Session, workspace_id: int, conversation: Conversation, mention_id: int | None
) -> Mention:
    """The mention answered: the one asked for, else the latest visible one of the conversation."""
    query = select(Mention).where(
        Mention.workspace_id == workspace_id,
        Mention.conversation_id == conversation.id,
        Mention.hidden.is_(False),
    )
    if mention_id is not None:
        found = session.scalar(query.where(Mention.id == mention_id))
        if found is None:
            raise Invalid(f"in_reply_to_id: mention #{mention_id} is not in conversation #{conversation.id}")
        return found
    found = session.scalar(query.order_by(Mention.created_at.desc(), Mention.id.desc()).limit(1))
    if found is None:
        raise Invalid(f"conversation #{conversation.id} has no visible message to answer")
    return found


def _checked_text(request: ReplyRequest, platform: str) -> str:
    text = request.text.strip()
    limit = limit_for(platform)
    if not text:
        raise Invalid("text: write the reply first")
    length = counted_length(platform, text)
    if length > limit:
        raise Invalid(f"text: {length} characters as {platform} counts them, it allows {limit}")
    size, most = len(text.encode("utf-8")), BYTE_LIMITS.get(platform.lower())
    if most is not None and size > most:
        raise Invalid(f"text: {size} bytes in UTF-8, {platform} allows {most} (accents count twice)")
    return text


def _names(session: Session, mention: Mention) -> tuple[str, ...]:
    author = session.get(Author, mention.author_id) if mention.author_id else None
    name = first_name(author.display_name if author else None, exclude=[])
    return (name,) if name else ()


def _insert(
    session: Session,
    workspace_id: int,
    conversation: Conversation,
    mention: Mention,
    text: str,
    key: str,
    user_id: int | None,
    request: ReplyRequest,
    held: bool,
) -> tuple[Reply, bool]:
    """Insert the reply; when a concurrent request with the same key won, return that one."""
    reply = Reply(
        workspace_id=workspace_id,
        conversation_id=conversation.id,
        in_reply_to_id=mention.id,
        author_user_id=user_id,
        text=text,
        status="pending" if held else "sending",
        idempotency_key=key,
    )
    try:
        with session.begin_nested():
            session.add(reply)
            session.flush()
    except IntegrityError:
        winner = _by_key(session, workspace_id, key)
        if winner is None:
            raise
        return winner, False
    session.add(
        ReplyState(
            reply_id=reply.id,
            workspace_id=workspace_id,
            then_status=request.then_status,
            review_state="waiting" if held else "none",
        )
    )
    session.flush()
    return reply, True


def _audit_submit(
    session: Session, reply: Reply, others: list[Reply], report: VarietyReport, *, held: bool, actor: str
) -> None:
    record_audit(
        session,
        reply.workspace_id,
        actor=actor,
        action="reply.submit",
        target_type="reply",
        target_id=reply.id,
        after={
            "conversation_id": reply.conversation_id,
            "text": reply.text[:500],
            "needs_approval": held,
            "variety_score": report.score,
            "similar_confirmed": report.warning,
            "collision_confirmed_with": [other.id for other in others],
        },
    )
