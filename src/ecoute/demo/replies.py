"""The demo's reply history: what the Cyclune team answered before "now", by whom and when.

``data/replies.jsonl`` holds one reply a line, keyed by the external id of the mention it answers::

    {"mention": "2095401760323395326", "agent": "chloe", "at": "2026-09-03T09:56:00+02:00",
     "lang": "fr", "text": "Bonjour Bastien, …", "then": "pending",
     "posted_as": "2095420957654503969"}

``at`` is in the same frame as the mentions' ``created_at`` and is moved with them: the reply lands
as long after its mention as it was written to, wherever ``demo_items`` placed that mention.
``then`` is the conversation's status once the reply is out (``pending``: waiting for the
customer; ``resolved``). ``posted_as``, when present, is the brand's own post in the mention file
that carries this reply on the platform (same text): the team recorded it in Écoute, then posted it.

Every reply goes through the composer's own path, ``submit_reply``: the platform's length limit,
the check against a reply someone else sent meanwhile, the variety check against the team's recent
replies, the ``ReplyState`` row, delivery (demo mentions have no source, so replies are
``recorded``, as for file and RSS sources) and the audit events (``reply.submit``,
``conversation.answered``, ``reply.record``). ``submit_reply`` stamps all of these with the
current time and takes no clock, so this module then dates what that one submission wrote to the
reply's time: ``Reply.created_at`` and ``sent_at``, ``ReplyState.created_at``, the submission's
audit events and the conversation's ``updated_at``. Nothing else is written by hand, except the
step that follows.

The demo's mentions are all stored before any reply, so the conversations the replies touch are
then read again as threads (``ecoute.inbox.thread_state``: a customer's "all sorted" after the
reply closes the matter). On a live desk a customer's message that comes after the team's reply
reopens the conversation (``refresh_conversations``: it needs a
reply again, and a resolved one is opened). ``reopen_answered`` applies that same rule to the
conversations whose customer wrote again after the last reply, so the inbox, the deadlines and
the metrics read the state a live desk would be in.

Loading is idempotent: each reply's idempotency key comes from its conversation, its mention and
its time, and lines whose key is already stored are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ecoute.auth import users
from ecoute.inbox.thread_state import refresh_threads
from ecoute.jobs.kicks import run_here
from ecoute.normalise import parse_datetime
from ecoute.respond.outbox import ReplyRequest, submit_reply
from ecoute.respond.sending import idempotency_key
from ecoute.store.db import Database
from ecoute.store.models import AuditEvent, Conversation, Mention, Reply, User, Workspace
from ecoute.store.reply_models import DONE_STATUSES, ReplyState
from ecoute.store.types import utcnow

from . import DATA, load_config

REPLIES_FILE = "replies.jsonl"


@dataclass(frozen=True)
class DemoReply:
    line: int
    mention: str
    agent: str
    at: datetime  # in the mention file's frame, before the demo's time shift
    lang: str
    text: str
    then: str
    posted_as: str | None

    @property
    def submission(self) -> str:
        """The composer submission this reply stands for (its idempotency key's second half):
        the mention and the time, so that lines added to the file later never reuse a key."""
        return f"demo-history:{self.mention}:{self.at.isoformat()}"


@dataclass(frozen=True)
class Agent:
    key: str
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class HistoryReport:
    stored: int
    already_there: int
    not_yet: int  # replies whose time is still in the future (none, with the bundled data)
    reopened: int


def agents() -> list[Agent]:
    """The demo team that wrote the replies (``team`` in ``workspace.json``)."""
    return [Agent(a["key"], a["name"], a["email"], a["role"]) for a in load_config()["team"]]


def read_replies() -> list[DemoReply]:
    text = (DATA / REPLIES_FILE).read_text(encoding="utf-8")
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        data: dict[str, Any] = json.loads(line)
        found.append(
            DemoReply(
                line=number,
                mention=data["mention"],
                agent=data["agent"],
                at=parse_datetime(data["at"]),
                lang=data["lang"],
                text=data["text"],
                then=data.get("then", "pending"),
                posted_as=data.get("posted_as"),
            )
        )
    return found


def ensure_team(db: Database, workspace: Workspace) -> dict[str, User]:
    """The demo agents as members of the workspace (no password: nobody logs in as them)."""
    team: dict[str, User] = {}
    with db.session() as session:
        for agent in agents():
            user = users.get_user_by_email(session, agent.email)
            if user is None:
                user = users.create_user(session, agent.email, None, name=agent.name)
            users.add_member(session, workspace.id, user.id, agent.role)
            team[agent.key] = user
    return team


def count() -> int:
    return len(read_replies())


def load_history(
    db: Database,
    workspace: Workspace,
    *,
    now: datetime | None = None,
    on_reply: Callable[[], None] | None = None,
) -> HistoryReport:
    """Add the bundled reply history to the demo workspace, once (see the module's docstring);
    ``on_reply`` is called after each line, stored or not (for a progress bar)."""
    team = ensure_team(db, workspace)
    roles = {agent.key: agent.role for agent in agents()}
    moment = now or utcnow()
    replies = sorted(read_replies(), key=lambda r: (r.at, r.line))
    stored = already = not_yet = 0
    with db.session() as session:
        targets = _targets(session, workspace.id, replies)
        known = set(session.scalars(select(Reply.idempotency_key).where(Reply.workspace_id == workspace.id)))
    touched: set[int] = set()
    # Each reply is sent right after it is written, as its agent saw it: no worker runs yet.
    with run_here():
        for reply in replies:
            mention_id, conversation_id, shift = targets[reply.mention]
            at = reply.at + shift
            if idempotency_key(conversation_id, reply.submission) in known:
                already += 1
            elif at > moment:
                not_yet += 1
            else:
                user = team[reply.agent]
                _submit(db, workspace.id, conversation_id, mention_id, reply, user, roles[reply.agent], at)
                touched.add(conversation_id)
                stored += 1
            if on_reply is not None:
                on_reply()
    with db.session() as session:
        # The thread read again now that the team's replies are in: a customer's "all sorted"
        # after a reply closes the conversation rather than reopening it.
        states = refresh_threads(session, workspace.id, touched, locale=workspace.locale)
        closed = {conversation_id for conversation_id, state in states.items() if state.closing is not None}
        reopened = reopen_answered(session, workspace.id, touched - closed)
    return HistoryReport(stored, already, not_yet, reopened)


def _targets(
    session: Session, workspace_id: int, replies: Sequence[DemoReply]
) -> dict[str, tuple[int, int, timedelta]]:
    """For each demo mention a reply answers: its id, its conversation and the demo's time shift
    (stored ``created_at`` less the file's), read from the store so that a later run lands the same."""
    written = {}
    for line in (DATA / "mentions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            written[(data["platform"], data["id"])] = parse_datetime(data["created_at"])
    wanted = {r.mention for r in replies}
    rows = session.execute(
        select(
            Mention.id, Mention.conversation_id, Mention.platform, Mention.external_id, Mention.created_at
        ).where(Mention.workspace_id == workspace_id, Mention.external_id.in_(wanted))
    )
    found = {}
    for mention_id, conversation_id, platform, external_id, created_at in rows:
        if (platform, external_id) in written:
            found[external_id] = (mention_id, conversation_id, created_at - written[(platform, external_id)])
    missing = sorted(wanted - found.keys())
    if missing:
        raise LookupError(f"{REPLIES_FILE}: demo mentions {missing[:3]} are not stored; load the demo first")
    return found


def _submit(
    db: Database,
    workspace_id: int,
    conversation_id: int,
    mention_id: int,
    reply: DemoReply,
    user: User,
    role: str,
    at: datetime,
) -> None:
    """One reply through the composer's path, then dated to ``at``."""
    with db.session() as session:
        last_event = session.scalar(
            select(func.max(AuditEvent.id)).where(AuditEvent.workspace_id == workspace_id)
        )
        seen = session.scalar(
            select(func.max(Reply.id)).where(
                Reply.workspace_id == workspace_id, Reply.conversation_id == conversation_id
            )
        )
    request = ReplyRequest(
        text=reply.text,
        submission=reply.submission,
        in_reply_to_id=mention_id,
        then_status=reply.then,
        seen_reply_id=seen or 0,
        # A reply this close to a recent one would have been confirmed by its agent; the bundled
        # replies are written to pass the check, which tests/test_demo.py holds them to.
        confirm_similar=True,
    )
    outcome = submit_reply(
        db,
        workspace_id,
        conversation_id,
        request,
        role=role,
        user_id=user.id,
        actor=f"user:{user.id}:{user.email}",
    )
    if outcome.replayed:  # another run stored it meanwhile, already dated
        return
    # Held for an approver when the workspace asks that of agents: written then, not sent yet.
    sent = outcome.reply.status in DONE_STATUSES
    with db.session() as session:
        reply_id = outcome.reply.id
        session.execute(
            update(Reply)
            .where(Reply.workspace_id == workspace_id, Reply.id == reply_id)
            .values(created_at=at, sent_at=at if sent else None)
        )
        session.execute(update(ReplyState).where(ReplyState.reply_id == reply_id).values(created_at=at))
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.workspace_id == workspace_id, AuditEvent.id > (last_event or 0))
            .values(created_at=at)
        )
        session.execute(
            update(Conversation)
            .where(Conversation.workspace_id == workspace_id, Conversation.id == conversation_id)
            .values(updated_at=at)
        )


def reopen_answered(session: Session, workspace_id: int, conversation_ids: set[int]) -> int:
    """Conversations whose customer wrote again (a visible mention needing a reply) after the
    team's last reply need a reply again, and a resolved one is open again — what the ingest does
    when such a mention arrives after the reply. Returns how many were reopened."""
    reopened = 0
    for conversation_id in sorted(conversation_ids):
        last_reply = session.scalar(
            select(func.max(Reply.sent_at)).where(
                Reply.workspace_id == workspace_id,
                Reply.conversation_id == conversation_id,
                Reply.status.in_(DONE_STATUSES),
            )
        )
        if last_reply is None:
            continue
        waiting = session.scalar(
            select(func.count())
            .select_from(Mention)
            .where(
                Mention.workspace_id == workspace_id,
                Mention.conversation_id == conversation_id,
                Mention.hidden.is_(False),
                Mention.needs_reply.is_(True),
                Mention.created_at > last_reply,
            )
        )
        if not waiting:
            continue
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.workspace_id == workspace_id
        conversation.needs_reply = True
        if conversation.status == "resolved":
            conversation.status = "open"
        reopened += 1
    return reopened
