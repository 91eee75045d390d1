"""The state of a conversation read as a thread: its priority, whether it waits for an answer and
which message drives it follow the latest customer message, in the light of what came before.

- What the brand says (a reply sent from Écoute, or a post from one of its own accounts) answers
  everything before it: only customer messages after the brand's last word can make the
  conversation wait for a reply.
- A customer message that closes the matter after an answer or after an earlier message of the
  thread ("c'est réglé, merci", "all sorted") drives the conversation: no reply is needed, the
  priority is that message's (low), and drafts thank rather than apologise. The message itself is
  read as praise, with the model's labels kept in its analysis details.
- A follow-up that is still unhappy or still waiting (or that the model says needs a reply) keeps
  the conversation urgent: it needs a reply, at the highest priority its customer messages had,
  even when the follow-up alone reads mild ("Sent the DM four days ago. Nothing.").
- Posts that are heard but never answered (``ecoute.speakers``: reposts of the brand's own posts,
  competitors' posts, the press) never drive a conversation that has a customer message.

A manual "no reply needed" is respected: the reading may clear a conversation's needs-reply, and
only the ingest of a new message needing one sets it (``store.mentions.refresh_conversations``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ecoute.analysis.priority import NO_REPLY_FACTOR
from ecoute.analysis.resolution import closes, still_waiting
from ecoute.analysis.wording import phrase
from ecoute.speakers import CUSTOMER, OWN
from ecoute.store.models import Conversation, Mention, Reply
from ecoute.store.reply_models import DONE_STATUSES

CLOSURE = "closure"  # the ``thread`` mark in a closing message's analysis details


@dataclass(frozen=True, slots=True)
class Message:
    """One visible mention of a conversation, as the thread reading needs it."""

    id: int
    at: datetime
    speaker: str
    needs_reply: bool
    priority: int
    intent: str | None
    sentiment: str | None
    text: str
    closed: bool = False  # already read as closing the matter
    author: int | None = None


@dataclass(frozen=True, slots=True)
class ThreadState:
    needs_reply: bool
    priority: int
    top: int  # the mention that drives the conversation
    closing: int | None = None  # the customer message that closes the matter, when there is one
    latest: int | None = None  # the latest customer message, which the state follows
    asks: bool = False  # the latest customer message itself asks for a reply


def read_thread(messages: Sequence[Message], brand_spoke_at: datetime | None = None) -> ThreadState | None:
    """The state of a conversation from its visible messages (any order) and the time of the
    team's last sent reply; None when it has no visible message."""
    if not messages:
        return None
    ordered = sorted(messages, key=lambda m: (_utc(m.at), m.id))
    last_word = max([_utc(m.at) for m in ordered if m.speaker == OWN] + _given(brand_spoke_at), default=None)
    customers = [m for m in ordered if m.speaker == CUSTOMER]
    if not customers:  # only heard posts (and the brand's own): nothing to answer
        top = _top(ordered)
        return ThreadState(False, top.priority, top.id)
    latest = customers[-1]
    # Only the customer whose matter it is can close it: an earlier message of theirs is in the
    # thread (a bystander's "good point" under someone's complaint closes nothing).
    earlier = customers[:-1]
    in_context = (
        any(m.author == latest.author for m in earlier) if latest.author is not None else bool(earlier)
    )
    if latest.closed or (
        in_context and closes(latest.text, intent=latest.intent, sentiment=latest.sentiment)
    ):
        priority = latest.priority if latest.closed else closing_priority(latest.priority, latest.needs_reply)
        return ThreadState(False, priority, latest.id, latest.id, latest.id)
    waiting = [m for m in customers if last_word is None or _utc(m.at) > last_word]
    if not waiting:  # the brand spoke last
        top = _top(customers)
        return ThreadState(False, top.priority, top.id, latest=latest.id)
    asks = latest.needs_reply or still_waiting(latest.text) or latest.sentiment == "negative"
    if asks or any(m.needs_reply for m in waiting):
        # The customer came back unhappy or still waiting: the matter is as urgent as it ever was.
        top = _top(customers)
        return ThreadState(True, top.priority, top.id, latest=latest.id, asks=asks)
    top = _top(waiting)  # a remark that asks for nothing ("ok, je regarde")
    return ThreadState(False, top.priority, top.id, latest=latest.id)


def closing_priority(priority: int, needs_reply: bool) -> int:
    """A closing message needs no reply: its priority is what it would be without one."""
    return int(round(priority * NO_REPLY_FACTOR)) if needs_reply else priority


def _top(messages: Iterable[Message]) -> Message:
    return max(messages, key=lambda m: (m.priority, _utc(m.at), m.id))


def _given(at: datetime | None) -> list[datetime]:
    return [_utc(at)] if at is not None else []


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def speaker(analysis: dict[str, Any] | None) -> str:
    """A stored mention's speaker, from its analysis details (``ecoute.ingest``)."""
    details = analysis or {}
    if details.get("own_account"):
        return OWN
    return str(details.get("speaker") or CUSTOMER)


def read_states(
    session: Session, workspace_id: int, conversation_ids: Iterable[int]
) -> dict[int, ThreadState]:
    """Each conversation's state from its stored visible mentions and the team's sent replies."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    m = Mention
    rows = session.execute(
        select(
            m.conversation_id,
            m.id,
            m.created_at,
            m.needs_reply,
            m.priority,
            m.intent,
            m.sentiment,
            m.text,
            m.analysis,
            m.author_id,
        ).where(m.workspace_id == workspace_id, m.conversation_id.in_(ids), m.hidden.is_(False))
    )
    threads: dict[int, list[Message]] = {}
    for conversation_id, mention_id, at, needs, priority, intent, sentiment, text, analysis, author in rows:
        details = analysis or {}
        threads.setdefault(conversation_id, []).append(
            Message(
                mention_id,
                at,
                speaker(details),
                bool(needs),
                int(priority or 0),
                intent,
                sentiment,
                text or "",
                closed=details.get("thread") == CLOSURE,
                author=author,
            )
        )
    replied = dict(
        session.execute(
            select(Reply.conversation_id, func.max(Reply.sent_at))
            .where(
                Reply.workspace_id == workspace_id,
                Reply.conversation_id.in_(ids),
                Reply.status.in_(DONE_STATUSES),
            )
            .group_by(Reply.conversation_id)
        ).all()
    )
    states = {}
    for conversation_id, messages in threads.items():
        state = read_thread(messages, replied.get(conversation_id))
        if state is not None:
            states[conversation_id] = state
    return states


def mark_closures(
    session: Session, workspace_id: int, states: dict[int, ThreadState], *, locale: str
) -> None:
    """Store the reading of each closing message not read so yet: praise, no reply needed, its
    lower priority and why; the model's labels stay in its analysis details."""
    ids = [s.closing for s in states.values() if s.closing is not None]
    if not ids:
        return
    rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace_id, Mention.id.in_(ids)))
    for mention in rows:
        details = dict(mention.analysis or {})
        if details.get("thread") == CLOSURE:
            continue
        details.update(
            thread=CLOSURE,
            model={
                "intent": mention.intent,
                "needs_reply": mention.needs_reply,
                "priority": mention.priority,
            },
        )
        mention.priority = closing_priority(int(mention.priority or 0), bool(mention.needs_reply))
        mention.needs_reply = False
        mention.intent = "praise"
        mention.reasons = [phrase(locale, "thread_closed")]
        mention.analysis = details
    session.flush()


def apply_states(
    session: Session, workspace_id: int, states: dict[int, ThreadState], *, arrived: Iterable[int] = ()
) -> int:
    """Write each conversation's priority, top message (and its labels) and needs-reply from its
    state, where they differ; returns how many conversations changed. ``arrived`` are the
    mentions just stored: a conversation whose latest customer message is one of them and asks
    for a reply needs one (a resolved one is open again); otherwise the reading only clears
    needs-reply, so an agent's "no reply needed" holds."""
    new = set(arrived)
    if not states:
        return 0
    conversations = session.scalars(
        select(Conversation)
        .execution_options(populate_existing=True)  # the ingest wrote them with plain SQL
        .where(Conversation.workspace_id == workspace_id, Conversation.id.in_(list(states)))
    )
    tops = {
        row.id: row
        for row in session.execute(
            select(Mention.id, Mention.sentiment, Mention.intent, Mention.lang).where(
                Mention.workspace_id == workspace_id, Mention.id.in_([s.top for s in states.values()])
            )
        )
    }
    changed = 0
    for conversation in conversations:
        state = states[conversation.id]
        top = tops[state.top]
        wanted = {
            "priority": state.priority,
            "top_mention_id": state.top,
            "sentiment": top.sentiment,
            "intent": top.intent,
            "lang": top.lang,
            "needs_reply": state.needs_reply
            and (bool(conversation.needs_reply) or (state.asks and state.latest in new)),
        }
        if wanted["needs_reply"] and state.latest in new and conversation.status == "resolved":
            wanted["status"] = "open"
        if all(getattr(conversation, key) == value for key, value in wanted.items()):
            continue
        session.execute(
            update(Conversation)
            .where(Conversation.workspace_id == workspace_id, Conversation.id == conversation.id)
            .values(**wanted)
        )
        changed += 1
    return changed


def refresh_threads(
    session: Session, workspace_id: int, conversation_ids: Iterable[int], *, locale: str
) -> dict[int, ThreadState]:
    """Read the conversations again as threads and store what changed (closing messages, then the
    conversations' state); returns each conversation's state."""
    states = read_states(session, workspace_id, conversation_ids)
    mark_closures(session, workspace_id, states, locale=locale)
    apply_states(session, workspace_id, states)
    return states
