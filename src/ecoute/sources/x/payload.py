"""X's posts (API v2 ``data`` with ``includes.users``) read through typed accessors, and a post
turned into the RawItem the ingest path takes.

Shapes follow X's data dictionary (``x-api/fundamentals/data-dictionary``): a post has ``id``,
``text``, ``edit_history_tweet_ids``, ``author_id``, ``conversation_id``, ``referenced_tweets``,
``entities.urls`` (t.co links with their ``expanded_url``), ``public_metrics``; a long post keeps
its full text in ``note_tweet``. Authors come in ``includes.users`` (``author_id`` expansion).

Identity: each edit of a post gets a new id, listed oldest first in ``edit_history_tweet_ids``.
The item's ``external_id`` is the first (the original post), its ``revision`` the version read:
a newer version updates the stored mention instead of becoming a second one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecoute.sources.base import PayloadError, RawItem, Rejected
from ecoute.sources.payload_fields import rejected
from ecoute.sources.payload_fields import text_field as _text
from ecoute.urls import external_url

PLATFORM = "x"
SITE = "https://x.com"
VERIFIED_TYPES = frozenset({"blue", "business", "government"})
NO_LANGUAGE = frozenset({"und", "zxx", "qam", "qct", "qht", "qme", "qst"})  # X's "not a language" codes


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    name: str
    followers: int | None
    verified: bool

    @classmethod
    def read(cls, payload: Any, *, where: str) -> User:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        metrics = payload.get("public_metrics")
        followers = metrics.get("followers_count") if isinstance(metrics, Mapping) else None
        kind = payload.get("verified_type")
        return cls(
            id=str(_text(payload, "id", where=where)),
            username=str(_text(payload, "username", where=where)),
            name=_text(payload, "name", where=where, required=False) or "",
            followers=followers if isinstance(followers, int) and not isinstance(followers, bool) else None,
            verified=payload.get("verified") is True or kind in VERIFIED_TYPES,
        )


@dataclass(frozen=True, slots=True)
class Post:
    id: str  # this version's id
    first_id: str  # the original post's id: the item's identity across edits
    text: str  # as written: t.co links expanded, X's &amp;/&lt;/&gt; unescaped
    created_at: str
    author_id: str | None
    conversation_id: str | None
    replied_to: str | None
    quoted: str | None
    retweeted: str | None
    in_reply_to_user_id: str | None
    lang: str | None
    likes: int
    shares: int
    replies: int
    mentioned: tuple[str, ...]  # usernames the post @mentions (lower-cased)
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "post") -> Post:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        post_id = str(_text(payload, "id", where=where))
        if not post_id.isdigit():
            raise PayloadError(f"{where}.id", f"expected a numeric post id, got {post_id!r:.40}")
        history = payload.get("edit_history_tweet_ids")
        if history is not None and (
            not isinstance(history, list)
            or not history
            or not all(isinstance(h, str) and h.isdigit() for h in history)
        ):
            raise PayloadError(f"{where}.edit_history_tweet_ids", "expected a list of post ids")
        note = payload.get("note_tweet") if isinstance(payload.get("note_tweet"), Mapping) else None
        source = note if note and isinstance(note.get("text"), str) else payload
        text = str(_text(source, "text", where=f"{where}.note_tweet" if source is note else where))
        references = _references(payload.get("referenced_tweets"), where)
        metrics = payload.get("public_metrics") if isinstance(payload.get("public_metrics"), Mapping) else {}
        entities = source.get("entities") if isinstance(source.get("entities"), Mapping) else {}
        return cls(
            id=post_id,
            first_id=history[0] if history else post_id,
            text=unescape(expand_links(text, entities)),
            created_at=str(_text(payload, "created_at", where=where)),
            author_id=_text(payload, "author_id", where=where, required=False),
            conversation_id=_text(payload, "conversation_id", where=where, required=False),
            replied_to=references.get("replied_to"),
            quoted=references.get("quoted"),
            retweeted=references.get("retweeted"),
            in_reply_to_user_id=_text(payload, "in_reply_to_user_id", where=where, required=False),
            lang=_text(payload, "lang", where=where, required=False),
            likes=count(metrics, "like_count"),
            shares=count(metrics, "retweet_count") + count(metrics, "quote_count"),
            replies=count(metrics, "reply_count"),
            mentioned=_mentioned(entities),
            raw=payload,
        )

    @property
    def latest_id(self) -> str:
        """The newest version X knows of (the last of the edit history), maybe newer than this one."""
        history = self.raw.get("edit_history_tweet_ids")
        return str(history[-1]) if isinstance(history, list) and history else self.id


@dataclass(frozen=True, slots=True)
class Page:
    """One answer of a post endpoint: its posts (or rejects), their authors, ``meta`` and the
    per-post ``errors`` X sends beside a 200 (a post looked up that no longer exists)."""

    posts: list[Post | Rejected]
    users: dict[str, User]
    newest_id: str | None
    next_token: str | None
    missing: dict[str, str]  # post id → X's error type, for posts asked for and not found
    referenced_authors: dict[str, str]  # posts in ``includes.tweets`` (quoted, answered) → author id

    @classmethod
    def read(cls, body: Any, *, where: str) -> Page:
        if not isinstance(body, Mapping):
            raise PayloadError(where, "expected an object")
        data = body.get("data", [])
        if isinstance(data, Mapping):
            data = [data]
        if not isinstance(data, list):
            raise PayloadError(f"{where}.data", "expected a list of posts")
        includes = body.get("includes") if isinstance(body.get("includes"), Mapping) else {}
        users: dict[str, User] = {}
        for index, payload in enumerate(includes.get("users") or []):
            try:
                user = User.read(payload, where=f"{where}.includes.users[{index}]")
            except PayloadError:
                continue  # an unreadable author leaves its posts without one, not rejected
            users[user.id] = user
        meta = body.get("meta") if isinstance(body.get("meta"), Mapping) else {}
        return cls(
            posts=[_post(p, where, i) for i, p in enumerate(data)],
            users=users,
            newest_id=_text(meta, "newest_id", where=f"{where}.meta", required=False),
            next_token=_text(meta, "next_token", where=f"{where}.meta", required=False)
            or _text(meta, "pagination_token", where=f"{where}.meta", required=False),
            missing=_missing(body.get("errors")),
            referenced_authors={
                str(t["id"]): str(t["author_id"])
                for t in includes.get("tweets") or []
                if isinstance(t, Mapping)
                and isinstance(t.get("id"), str)
                and isinstance(t.get("author_id"), str)
            },
        )


def _post(payload: Any, where: str, index: int) -> Post | Rejected:
    try:
        return Post.read(payload, where=f"[{index}]")
    except PayloadError as error:
        return rejected(error, location=f"{where} [{index}]", payload=payload)


def _references(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise PayloadError(f"{where}.referenced_tweets", "expected a list")
    found: dict[str, str] = {}
    for ref in value:
        if isinstance(ref, Mapping) and isinstance(ref.get("type"), str) and isinstance(ref.get("id"), str):
            found.setdefault(ref["type"], ref["id"])
    return found


def _missing(errors: Any) -> dict[str, str]:
    """X answers a lookup of posts that are gone with 200, the found ones in ``data`` and one
    error per missing id: ``{"resource_id": "…", "type": ".../problems/resource-not-found"}``."""
    found: dict[str, str] = {}
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, Mapping) and isinstance(error.get("resource_id"), str):
            found[error["resource_id"]] = str(error.get("type") or error.get("title") or "")
    return found


def count(metrics: Mapping[str, Any], name: str) -> int:
    """A count field, 0 when absent or not an integer."""
    value = metrics.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _mentioned(entities: Mapping[str, Any]) -> tuple[str, ...]:
    mentions = entities.get("mentions")
    return tuple(
        str(m["username"]).lower()
        for m in (mentions if isinstance(mentions, list) else [])
        if isinstance(m, Mapping) and isinstance(m.get("username"), str)
    )


def expand_links(text: str, entities: Mapping[str, Any]) -> str:
    """Every t.co link in ``text`` replaced by the address it stands for, when that is a plain
    http(s) address (anything else keeps the t.co link, which is)."""
    urls = entities.get("urls")
    for entry in urls if isinstance(urls, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
            continue
        real = external_url(entry.get("unwound_url")) or external_url(entry.get("expanded_url"))
        if real:
            text = text.replace(entry["url"], real)
    return text


def unescape(text: str) -> str:
    """X sends ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;`` and ``&gt;`` (and nothing else
    escaped): undone in that order, ``&amp;`` last, so ``&amp;lt;`` stays the ``&lt;`` written."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_item(post: Post, author: User | None, *, location: str) -> RawItem:
    reply = post.replied_to is not None
    root = post.conversation_id if post.conversation_id and post.conversation_id != post.first_id else None
    handle = author.username if author else None
    return RawItem(
        platform=PLATFORM,
        external_id=post.first_id,
        text=post.text,
        created_at=post.created_at,
        url=f"{SITE}/{handle or 'i/web'}/status/{post.id}",
        author=handle,
        author_name=author.name or None if author else None,
        author_followers=author.followers if author else None,
        author_verified=author.verified if author else False,
        kind="reply" if reply else "post",
        parent_id=post.replied_to,
        thread_id=root if reply else post.first_id,
        language=None if post.lang in NO_LANGUAGE else post.lang,
        likes=post.likes,
        shares=post.shares,
        replies=post.replies,
        raw={**post.raw},
        location=location,
        original=json.dumps(post.raw, ensure_ascii=False)[:10_000],
        revision=post.id,
    )
