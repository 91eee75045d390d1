"""Factories for time-keeping and metrics tests: conversations built mention by mention and reply
by reply, with the exact times, flags and links a test needs (nothing derived behind its back)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ecoute.auth import users
from ecoute.store.db import Database
from ecoute.store.models import Brand, Conversation, Mention, MentionBrand, Reply, Source, Workspace

_counter = itertools.count(1)


@dataclass
class Builder:
    """``b = Builder(db, workspace)``; every method writes in its own transaction and returns an id."""

    db: Database
    workspace: Workspace

    @property
    def ws(self) -> int:
        return self.workspace.id

    def user(self, name: str, role: str = "agent") -> int:
        with self.db.session() as session:
            created = users.create_user(session, f"u{next(_counter)}@example.org", None, name=name)
            users.add_member(session, self.ws, created.id, role)
            return created.id

    def source(self, name: str, platform: str = "x") -> int:
        with self.db.session() as session:
            row = Source(
                workspace_id=self.ws, name=name, platform=platform, kind="file", settings={}, cursor={}
            )
            session.add(row)
            session.flush()
            return row.id

    def brand(self, name: str) -> int:
        with self.db.session() as session:
            row = Brand(workspace_id=self.ws, name=name, query="", handles=[])
            session.add(row)
            session.flush()
            return row.id

    def conversation(
        self,
        at: datetime,
        *,
        priority: int = 50,
        status: str = "open",
        needs_reply: bool = True,
        assignee_id: int | None = None,
        platform: str = "x",
    ) -> int:
        with self.db.session() as session:
            row = Conversation(
                workspace_id=self.ws,
                key=f"{platform}:t:{next(_counter)}",
                platform=platform,
                status=status,
                priority=priority,
                needs_reply=needs_reply,
                assignee_id=assignee_id,
                mention_count=0,
                first_mention_at=at,
                last_mention_at=at,
            )
            session.add(row)
            session.flush()
            return row.id

    def mention(
        self,
        conversation_id: int,
        at: datetime,
        *,
        needs_reply: bool | None = True,
        hidden: bool = False,
        intent: str | None = "complaint",
        priority: int | None = 50,
        source_id: int | None = None,
        brand_ids: Sequence[int] = (),
        platform: str = "x",
    ) -> int:
        n = next(_counter)
        with self.db.session() as session:
            row = Mention(
                workspace_id=self.ws,
                conversation_id=conversation_id,
                source_id=source_id,
                platform=platform,
                external_id=f"m{n}",
                text=f"message {n}",
                created_at=at,
                raw={},
                intent=intent,
                needs_reply=needs_reply,
                priority=priority,
                hidden=hidden,
                reasons=[],
                analysis={},
            )
            session.add(row)
            session.flush()
            for brand_id in brand_ids:
                session.add(MentionBrand(mention_id=row.id, brand_id=brand_id, workspace_id=self.ws))
            return row.id

    def reply(
        self,
        conversation_id: int,
        sent_at: datetime | None,
        *,
        author_id: int | None = None,
        status: str | None = None,
        created_at: datetime | None = None,
    ) -> int:
        with self.db.session() as session:
            row = Reply(
                workspace_id=self.ws,
                conversation_id=conversation_id,
                author_user_id=author_id,
                text="Bonjour, nous regardons cela.",
                status=status or ("sent" if sent_at else "draft"),
                idempotency_key=f"k{next(_counter)}",
                created_at=created_at or sent_at or datetime.now().astimezone(),
                sent_at=sent_at,
            )
            session.add(row)
            session.flush()
            return row.id

    def set_settings(self, keep_time: dict) -> None:
        with self.db.session() as session:
            row = session.get(Workspace, self.ws)
            row.settings = {**(row.settings or {}), "keep_time": keep_time}
            self.workspace = row
