"""Finding a person in a workspace: their author rows (a handle, on one platform or all), the
mentions they wrote and the conversations that are theirs."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Author, Conversation, Mention
from ecoute.store.repo import Invalid, NotFound


@dataclass(frozen=True)
class Person:
    handle: str
    platform: str | None
    authors: list[Author]
    mentions: list[Mention]
    conversations: list[Conversation]

    @property
    def author_ids(self) -> list[int]:
        return [a.id for a in self.authors]

    @property
    def mention_ids(self) -> list[int]:
        return [m.id for m in self.mentions]

    @property
    def own_conversation_ids(self) -> list[int]:
        """Conversations that are theirs (they started them), not threads they only took part in:
        the team's replies and notes there are about them."""
        ids = set(self.author_ids)
        return [c.id for c in self.conversations if c.author_id in ids]


def pseudonym(secret_key: str, workspace_id: int, value: str) -> str:
    """A stable stand-in for ``value`` (same input, same output; not reversible without the key)."""
    mac = hmac.new(secret_key.encode(), f"{workspace_id}:{value}".encode(), hashlib.sha256)
    return "erased-" + mac.hexdigest()[:20]


def normalise_handle(handle: str) -> str:
    """As the ingest path stores handles: without the leading @, lower-case."""
    cleaned = handle.strip().lstrip("@").lower()
    if not cleaned:
        raise Invalid("author: give the person's handle, e.g. @marie_d")
    return cleaned


def find_person(session: Session, workspace_id: int, handle: str, platform: str | None = None) -> Person:
    """The person's rows in this workspace; ``NotFound`` when no author has this handle."""
    cleaned = normalise_handle(handle)
    query = select(Author).where(Author.workspace_id == workspace_id, Author.handle == cleaned)
    if platform:
        query = query.where(Author.platform == platform.strip().lower())
    authors = list(session.scalars(query.order_by(Author.platform)))
    if not authors:
        where = f" on {platform}" if platform else ""
        raise NotFound(f"no author @{cleaned}{where} in this workspace")
    ids = [a.id for a in authors]
    mentions = list(
        session.scalars(
            select(Mention)
            .where(Mention.workspace_id == workspace_id, Mention.author_id.in_(ids))
            .order_by(Mention.created_at, Mention.id)
        )
    )
    conversation_ids = {m.conversation_id for m in mentions}
    conversations = list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.workspace_id == workspace_id,
                (Conversation.author_id.in_(ids)) | (Conversation.id.in_(conversation_ids)),
            )
            .order_by(Conversation.id)
        )
    )
    return Person(cleaned, platform, authors, mentions, conversations)
