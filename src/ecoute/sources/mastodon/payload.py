"""Mastodon's Status, Account and Notification entities read through typed accessors, and a
status turned into the RawItem the ingest path takes.

Shapes follow Mastodon's documentation (``entities/Status.md``, ``Account.md``,
``Notification.md``). Ids are strings local to one instance: they are never compared across
instances, and an item's ``external_id`` is the status ``uri``, unique across the fediverse, so
the same post seen from two instances (or two overlapping searches) is stored once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ecoute.sources.base import PayloadError, RawItem
from ecoute.sources.html_text import html_to_text
from ecoute.sources.payload_fields import rejected as rejected
from ecoute.sources.payload_fields import text_field as _text

PLATFORM = "mastodon"


def _count(payload: Mapping[str, Any], name: str) -> int:
    value = payload.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    acct: str  # "user" for an account of the instance read, "user@domain" for a remote one
    display_name: str
    followers_count: int
    bot: bool
    verified: bool  # Mastodon has no blue check: a profile link it verified (rel=me) counts
    url: str | None

    @classmethod
    def read(cls, payload: Any, *, where: str = "account") -> Account:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        fields = payload.get("fields") if isinstance(payload.get("fields"), list) else []
        return cls(
            id=str(_text(payload, "id", where=where)),
            acct=str(_text(payload, "acct", where=where)),
            display_name=_text(payload, "display_name", where=where, required=False) or "",
            followers_count=_count(payload, "followers_count"),
            bot=payload.get("bot") is True,
            verified=any(isinstance(f, Mapping) and f.get("verified_at") for f in fields),
            url=_text(payload, "url", where=where, required=False),
        )

    def handle(self, instance_host: str) -> str:
        """``user@domain`` for every account, so handles stay unique across instances."""
        return self.acct if "@" in self.acct else f"{self.acct}@{instance_host}"


@dataclass(frozen=True, slots=True)
class Status:
    id: str
    uri: str
    url: str | None
    created_at: str
    edited_at: str | None
    in_reply_to_id: str | None
    content: str
    spoiler_text: str
    language: str | None
    visibility: str
    account: Account
    replies_count: int
    reblogs_count: int
    favourites_count: int
    reblog: Status | None
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "status") -> Status:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        reblog = payload.get("reblog")
        return cls(
            id=str(_text(payload, "id", where=where)),
            uri=str(_text(payload, "uri", where=where)),
            url=_text(payload, "url", where=where, required=False),
            created_at=str(_text(payload, "created_at", where=where)),
            edited_at=_text(payload, "edited_at", where=where, required=False),
            in_reply_to_id=_text(payload, "in_reply_to_id", where=where, required=False),
            content=_text(payload, "content", where=where, required=False) or "",
            spoiler_text=_text(payload, "spoiler_text", where=where, required=False) or "",
            language=_text(payload, "language", where=where, required=False),
            visibility=_text(payload, "visibility", where=where, required=False) or "public",
            account=Account.read(payload.get("account"), where=f"{where}.account"),
            replies_count=_count(payload, "replies_count"),
            reblogs_count=_count(payload, "reblogs_count"),
            favourites_count=_count(payload, "favourites_count"),
            reblog=cls.read(reblog, where=f"{where}.reblog") if reblog else None,
            raw=payload,
        )

    @property
    def text(self) -> str:
        """What the author wrote, as plain text: the content warning first, then the body."""
        body = html_to_text(self.content, keep_lines=True)
        return f"{self.spoiler_text}\n\n{body}".strip() if self.spoiler_text else body


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    type: str
    created_at: str
    account: Account
    status: Status | None

    @classmethod
    def read(cls, payload: Any, *, where: str = "notification") -> Notification:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        status = payload.get("status")
        return cls(
            id=str(_text(payload, "id", where=where)),
            type=str(_text(payload, "type", where=where)),
            created_at=str(_text(payload, "created_at", where=where)),
            account=Account.read(payload.get("account"), where=f"{where}.account"),
            status=Status.read(status, where=f"{where}.status") if status else None,
        )


@dataclass(frozen=True, slots=True)
class Thread:
    """Where a reply sits: the uri of the status it answers and of its thread's first status."""

    parent_uri: str | None = None
    root_uri: str | None = None


def to_item(status: Status, instance: str, thread: Thread, *, location: str) -> RawItem:
    host = urlsplit(instance).hostname or instance
    return RawItem(
        platform=PLATFORM,
        external_id=status.uri,
        text=status.text,
        created_at=status.created_at,
        url=status.url or status.uri,
        author=status.account.handle(host),
        author_name=status.account.display_name or None,
        author_followers=status.account.followers_count,
        author_verified=status.account.verified,
        kind="reply" if status.in_reply_to_id else "post",
        parent_id=thread.parent_uri,
        thread_id=thread.root_uri or (None if status.in_reply_to_id else status.uri),
        language=status.language,
        likes=status.favourites_count,
        shares=status.reblogs_count,
        replies=status.replies_count,
        raw={**status.raw, "instance": instance, "bot": status.account.bot},
        location=location,
        original=json.dumps(status.raw, ensure_ascii=False)[:10_000],
        # A status never edited has no edited_at: its first revision is its creation time.
        revision=status.edited_at or status.created_at,
    )
