"""Bluesky's PostView, notification and profile read through typed accessors, and a post turned
into the RawItem the ingest path takes.

Shapes follow the lexicons ``app.bsky.feed.defs#postView``, ``app.bsky.notification.
listNotifications`` and ``app.bsky.actor.defs``. A post's ``uri`` (at://did/collection/rkey) is
its external id; its text is plain, with links and mentions as facets over UTF-8 byte ranges.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecoute.sources.base import PayloadError, RawItem

PLATFORM = "bluesky"
LINK = "app.bsky.richtext.facet#link"


def _str(payload: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{where}.{name}", f"expected a non-empty string, got {value!r:.60}")
    return value


def _obj(payload: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise PayloadError(where, "expected an object")
    return payload


@dataclass(frozen=True, slots=True)
class Author:
    did: str
    handle: str
    display_name: str | None
    verified: bool  # verification.verifiedStatus == "valid"

    @classmethod
    def read(cls, payload: Any, where: str) -> Author:
        data = _obj(payload, where)
        verification = data.get("verification") if isinstance(data.get("verification"), Mapping) else {}
        return cls(
            did=str(_str(data, "did", where)),
            handle=str(_str(data, "handle", where)),
            display_name=_str(data, "displayName", where, required=False)
            if data.get("displayName")
            else None,
            verified=verification.get("verifiedStatus") == "valid",
        )


@dataclass(frozen=True, slots=True)
class Ref:
    """A strong reference: a record's uri and the cid of the version meant."""

    uri: str
    cid: str

    @classmethod
    def read(cls, payload: Any, where: str) -> Ref:
        data = _obj(payload, where)
        return cls(str(_str(data, "uri", where)), str(_str(data, "cid", where)))

    def as_json(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


@dataclass(frozen=True, slots=True)
class Post:
    uri: str
    cid: str
    author: Author
    text: str  # links written out in full from their facets
    created_at: str
    indexed_at: str
    langs: tuple[str, ...]
    root: Ref | None
    parent: Ref | None
    likes: int
    reposts: int
    replies: int
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, where: str = "post") -> Post:
        data = _obj(payload, where)
        record = _obj(data.get("record"), f"{where}.record")
        reply = record.get("reply")
        root = parent = None
        if reply:
            reply = _obj(reply, f"{where}.record.reply")
            root = Ref.read(reply.get("root"), f"{where}.record.reply.root")
            parent = Ref.read(reply.get("parent"), f"{where}.record.reply.parent")
        text = record.get("text")
        if not isinstance(text, str):
            raise PayloadError(f"{where}.record.text", f"expected a string, got {text!r:.60}")
        langs = record.get("langs") if isinstance(record.get("langs"), list) else []
        return cls(
            uri=str(_str(data, "uri", where)),
            cid=str(_str(data, "cid", where)),
            author=Author.read(data.get("author"), f"{where}.author"),
            text=expand_links(text, record.get("facets")),
            created_at=str(_str(record, "createdAt", f"{where}.record")),
            indexed_at=str(_str(data, "indexedAt", where)),
            langs=tuple(str(lang) for lang in langs[:3]),
            root=root,
            parent=parent,
            likes=_count(data, "likeCount"),
            reposts=_count(data, "repostCount"),
            replies=_count(data, "replyCount"),
            raw=data,
        )

    @classmethod
    def from_notification(cls, payload: Any, where: str = "notification") -> Post:
        """A notification carries the post's record and author but no counts: the same reader."""
        return cls.read(payload, where)

    @property
    def ref(self) -> Ref:
        return Ref(self.uri, self.cid)

    @property
    def web_url(self) -> str:
        return f"https://bsky.app/profile/{self.author.handle}/post/{self.uri.rsplit('/', 1)[-1]}"


def _count(payload: Mapping[str, Any], name: str) -> int:
    value = payload.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def expand_links(text: str, facets: Any) -> str:
    """The text with each link facet's shortened display text ("example.com/abc…") replaced by
    the full link it stands for. Facet ranges are UTF-8 byte offsets, not characters."""
    if not isinstance(facets, list):
        return text
    data = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in facets:
        if not isinstance(facet, Mapping) or not isinstance(facet.get("index"), Mapping):
            continue
        start, end = facet["index"].get("byteStart"), facet["index"].get("byteEnd")
        links = [
            f.get("uri")
            for f in facet.get("features") or []
            if isinstance(f, Mapping) and f.get("$type") == LINK and isinstance(f.get("uri"), str)
        ]
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data) and links:
            spans.append((start, end, links[0]))
    for start, end, uri in sorted(spans, reverse=True):
        data = data[:start] + uri.encode("utf-8") + data[end:]
    return data.decode("utf-8", errors="replace")


def to_item(post: Post, followers: int | None, *, location: str) -> RawItem:
    return RawItem(
        platform=PLATFORM,
        external_id=post.uri,
        text=post.text,
        created_at=post.created_at,
        url=post.web_url,
        author=post.author.handle,
        author_name=post.author.display_name,
        author_followers=followers,
        author_verified=post.author.verified,
        kind="reply" if post.parent else "post",
        parent_id=post.parent.uri if post.parent else None,
        thread_id=post.root.uri if post.root else post.uri,
        language=post.langs[0] if post.langs else None,
        likes=post.likes,
        shares=post.reposts,
        replies=post.replies,
        raw=dict(post.raw),
        location=location,
        original=json.dumps(post.raw, ensure_ascii=False)[:10_000],
    )
