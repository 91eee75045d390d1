"""A generated data set for the response metrics, full of edge cases, written straight to the store:
replies sent before the message, drafts, several replies (tied ones too), hidden opening mentions,
mentions that need no reply, dismissed conversations, no brand or two brands, no source, no intent,
no assignee, replies sent by no one in particular; across weekends, a holiday and the October clock
change. Seeded, so a failure replays."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ecoute.auth import users
from ecoute.store.db import Database
from ecoute.store.models import Brand, Conversation, Mention, MentionBrand, Reply, Source, Workspace

START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 50
HOLIDAY = date(2026, 11, 11)
KEEP_TIME = {
    "business_hours": {
        "week": {d: ["09:00-12:00", "14:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [HOLIDAY.isoformat()],
    }
}
INTENTS = ("complaint", "complaint", "question", "praise", "other", None)


@dataclass
class Refs:
    agents: list[int | None] = field(default_factory=list)
    sources: list[int | None] = field(default_factory=list)
    brands: list[int] = field(default_factory=list)


def generate(db: Database, workspace: Workspace, *, conversations: int, seed: int) -> None:
    rng = random.Random(seed)
    with db.session() as session:
        row = session.get(Workspace, workspace.id)
        row.settings = {**(row.settings or {}), "keep_time": KEEP_TIME}
        refs = _references(session, workspace.id, seed)
        for n in range(conversations):
            _conversation(session, rng, workspace.id, refs, n)


def _references(session, ws: int, seed: int) -> Refs:
    refs = Refs()
    for name in ("Camille", "Jordan", "Sam"):
        user = users.create_user(session, f"{name.lower()}.{seed}.{ws}@example.org", None, name=name)
        users.add_member(session, ws, user.id, "agent")
        refs.agents.append(user.id)
    refs.agents.append(None)
    for name in ("X export", "Avis Google"):
        source = Source(workspace_id=ws, name=name, platform="x", kind="file", settings={}, cursor={})
        session.add(source)
        session.flush()
        refs.sources.append(source.id)
    refs.sources.append(None)
    for name in ("Cyclune", "Veloxa"):
        brand = Brand(workspace_id=ws, name=name, query="", handles=[])
        session.add(brand)
        session.flush()
        refs.brands.append(brand.id)
    return refs


def _moment(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randrange(DAYS * 86400), microseconds=rng.randrange(1_000_000))


def _conversation(session, rng: random.Random, ws: int, refs: Refs, n: int) -> None:
    opened = _moment(rng)
    conversation = Conversation(
        workspace_id=ws,
        key=f"x:gen:{n}",
        platform="x",
        status=rng.choice(("new", "open", "pending", "resolved")),
        priority=rng.randrange(101),
        needs_reply=rng.random() < 0.85,
        assignee_id=rng.choice(refs.agents),
        mention_count=0,
        first_mention_at=opened,
        last_mention_at=opened,
    )
    session.add(conversation)
    session.flush()
    for k in range(rng.randint(1, 3)):
        later = timedelta(minutes=rng.randrange(0, 3 * 1440), microseconds=rng.randrange(10**6))
        at = opened + later if k and rng.random() < 0.85 else opened  # same instant: the lower id opens
        mention = Mention(
            workspace_id=ws,
            conversation_id=conversation.id,
            source_id=rng.choice(refs.sources),
            platform="x",
            external_id=f"gen-{ws}-{n}-{k}",
            text="…",
            created_at=at,
            raw={},
            intent=rng.choice(INTENTS),
            needs_reply=rng.choice((True, True, True, False, None)),
            hidden=rng.random() < 0.12,
            priority=conversation.priority,
            reasons=[],
            analysis={},
        )
        session.add(mention)
        session.flush()
        for brand_id in rng.sample(refs.brands, rng.randint(0, 2)):
            session.add(MentionBrand(mention_id=mention.id, brand_id=brand_id, workspace_id=ws))
    previous: datetime | None = None
    for k in range(rng.choice((0, 0, 1, 1, 2, 3))):
        # A tie with the previous reply now and then; some sent before the first message, some at the
        # very instant of it; drafts.
        tie = previous is not None and rng.random() < 0.2
        later = opened + timedelta(minutes=rng.randrange(-180, 4 * 1440), microseconds=rng.randrange(10**6))
        sent = previous if tie else (opened if rng.random() < 0.1 else later)  # at the very instant, too
        sent = None if rng.random() < 0.15 else sent
        session.add(
            Reply(
                workspace_id=ws,
                conversation_id=conversation.id,
                author_user_id=rng.choice(refs.agents),
                text="Merci pour votre message.",
                status="sent" if sent else "draft",
                idempotency_key=f"gen-{n}-{k}",
                created_at=opened,
                sent_at=sent,
            )
        )
        previous = sent or previous
