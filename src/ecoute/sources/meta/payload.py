"""Facebook Page and Instagram payloads read through typed accessors, and turned into the RawItems
the ingest path takes: Graph API nodes (a Page's ``Post`` and ``Comment``, an ``IG Media`` and
``IG Comment``) and the changes of a webhook notification (``feed`` for a Page; ``comments`` for
an Instagram account).

Ids are Meta's own and the same whether an item was polled or pushed (a Page comment's
``{post-id}_{comment-id}``, an Instagram comment's number), so an item heard both ways is stored
once. A comment's thread is its post (or media); its parent is the comment it answers, else the
post. Facebook gives no edit time for a comment: its revision is a digest of its text, so an edit
heard either way updates the stored mention and the same text again changes nothing.

Authors: a Facebook commenter is a name and a Page-scoped id, nothing more (no handle, no
followers, no verification; without a Page token, not even that). An Instagram commenter is a
username (and an Instagram-scoped id).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecoute.sources.base import PayloadError, RawItem
from ecoute.sources.payload_fields import text_field as _text

FACEBOOK = "facebook"
INSTAGRAM = "instagram"
FACEBOOK_URL = "https://www.facebook.com/"


def instant(value: Any) -> datetime:
    """A Graph time: ``2026-11-30T09:15:00+0000`` (ISO 8601 with a ``+0000`` offset) or, in
    webhooks, epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r:.40}")
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _time(payload: Mapping[str, Any], name: str, *, where: str) -> datetime:
    value = payload.get(name)
    try:
        return instant(value)
    except (ValueError, OverflowError, OSError):
        raise PayloadError(f"{where}.{name}", f"expected a Graph API time, got {value!r:.40}") from None


def _count(payload: Mapping[str, Any], name: str) -> int:
    value = payload.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _id_of(value: Any) -> str | None:
    """An object reference's id: ``{"id": "…"}`` or the id itself."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) and value else None


def digest(text: str) -> str:
    """The revision of a text that Meta gives no edit time for."""
    return "t:" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _original(raw: Mapping[str, Any]) -> str:
    return json.dumps(raw, ensure_ascii=False)[:10_000]


@dataclass(frozen=True, slots=True)
class Author:
    id: str | None
    name: str | None  # Facebook: the person's or Page's name; Instagram: the username

    @classmethod
    def read(cls, value: Any, *, name_key: str) -> Author:
        if not isinstance(value, Mapping):
            return cls(None, None)
        name = value.get(name_key)
        return cls(_id_of(value), name if isinstance(name, str) and name else None)


# --- Facebook ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FacebookComment:
    id: str
    post_id: str
    parent_id: str | None  # the comment it answers (None for a comment on the post)
    text: str
    author: Author
    created_at: datetime
    url: str | None
    likes: int
    replies: int
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, post_id: str, where: str = "comment") -> FacebookComment:
        """A ``Comment`` node as ``/{post-id}/comments`` lists it."""
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        message = payload.get("message")
        if not isinstance(message, str):
            raise PayloadError(f"{where}.message", f"expected the comment's text, got {message!r:.40}")
        parent = _id_of(payload.get("parent"))
        return cls(
            id=str(_text(payload, "id", where=where)),
            post_id=post_id,
            parent_id=parent if parent and parent != post_id else None,
            text=message,
            author=Author.read(payload.get("from"), name_key="name"),
            created_at=_time(payload, "created_time", where=where),
            url=_text(payload, "permalink_url", where=where, required=False),
            likes=_count(payload, "like_count"),
            replies=_count(payload, "comment_count"),
            raw=payload,
        )

    def item(self) -> RawItem:
        return RawItem(
            platform=FACEBOOK,
            external_id=self.id,
            text=self.text,
            created_at=self.created_at,
            url=self.url or FACEBOOK_URL + self.id,
            author=self.author.id,
            author_name=self.author.name,
            kind="reply" if self.parent_id else "comment",
            parent_id=self.parent_id or self.post_id,
            thread_id=self.post_id,
            likes=self.likes,
            replies=self.replies,
            raw={**self.raw, "post_id": self.post_id},
            location=FACEBOOK_URL + self.id,
            original=_original(self.raw),
            revision=digest(self.text),
        )


@dataclass(frozen=True, slots=True)
class FacebookPost:
    id: str
    text: str
    author: Author
    created_at: datetime
    updated_at: str | None
    url: str | None
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "post") -> FacebookPost:
        """A ``Post`` node as ``/{page-id}/feed`` and ``/{page-id}/tagged`` list it."""
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        message = payload.get("message")
        updated = payload.get("updated_time")
        return cls(
            id=str(_text(payload, "id", where=where)),
            text=message if isinstance(message, str) else "",
            author=Author.read(payload.get("from"), name_key="name"),
            created_at=_time(payload, "created_time", where=where),
            updated_at=updated if isinstance(updated, str) else None,
            url=_text(payload, "permalink_url", where=where, required=False),
            raw=payload,
        )

    def item(self) -> RawItem:
        return RawItem(
            platform=FACEBOOK,
            external_id=self.id,
            text=self.text,
            created_at=self.created_at,
            url=self.url or FACEBOOK_URL + self.id,
            author=self.author.id,
            author_name=self.author.name,
            kind="post",
            thread_id=self.id,
            raw=dict(self.raw),
            location=FACEBOOK_URL + self.id,
            original=_original(self.raw),
            revision=digest(self.text),
        )


# --- Instagram --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstagramComment:
    id: str
    media_id: str
    parent_id: str | None  # the top-level comment a reply answers
    text: str
    author: Author
    created_at: datetime
    url: str | None  # the media's permalink: Instagram gives comments none of their own
    likes: int
    hidden: bool
    raw: Mapping[str, Any]

    @classmethod
    def read(
        cls, payload: Any, *, media_id: str, url: str | None, where: str = "comment"
    ) -> InstagramComment:
        """An ``IG Comment`` as ``/{ig-media-id}/comments`` (and its ``replies``) list it."""
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        text = payload.get("text")
        if not isinstance(text, str):
            raise PayloadError(f"{where}.text", f"expected the comment's text, got {text!r:.40}")
        author = Author.read(payload.get("from"), name_key="username")
        username = payload.get("username")
        if isinstance(username, str) and username:
            author = Author(author.id, username)
        parent = _id_of(payload.get("parent_id"))
        return cls(
            id=str(_text(payload, "id", where=where)),
            media_id=_id_of(payload.get("media")) or media_id,
            parent_id=parent,
            text=text,
            author=author,
            created_at=_time(payload, "timestamp", where=where),
            url=url,
            likes=_count(payload, "like_count"),
            hidden=payload.get("hidden") is True,
            raw=payload,
        )

    def item(self) -> RawItem:
        raw = {k: v for k, v in self.raw.items() if k != "replies"}
        return RawItem(
            platform=INSTAGRAM,
            external_id=self.id,
            text=self.text,
            created_at=self.created_at,
            url=self.url,
            author=self.author.name or self.author.id,
            author_name=self.author.name,
            kind="reply" if self.parent_id else "comment",
            parent_id=self.parent_id or self.media_id,
            thread_id=self.media_id,
            likes=self.likes,
            raw={**raw, "media_id": self.media_id},
            location=f"instagram comment {self.id}",
            original=_original(raw),
            revision=digest(self.text),
        )


@dataclass(frozen=True, slots=True)
class InstagramMedia:
    id: str
    caption: str
    username: str | None
    created_at: datetime
    url: str | None
    likes: int
    comments: int
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "media") -> InstagramMedia:
        """An ``IG Media`` as ``/{ig-user-id}/media`` and ``/{ig-user-id}/tags`` list it."""
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        caption = payload.get("caption")
        return cls(
            id=str(_text(payload, "id", where=where)),
            caption=caption if isinstance(caption, str) else "",
            username=_text(payload, "username", where=where, required=False),
            created_at=_time(payload, "timestamp", where=where),
            url=_text(payload, "permalink", where=where, required=False),
            likes=_count(payload, "like_count"),
            comments=_count(payload, "comments_count"),
            raw=payload,
        )

    def item(self) -> RawItem:
        """Media the account is tagged or @mentioned in (someone else's post)."""
        return RawItem(
            platform=INSTAGRAM,
            external_id=self.id,
            text=self.caption,
            created_at=self.created_at,
            url=self.url,
            author=self.username,
            author_name=self.username,
            kind="post",
            thread_id=self.id,
            likes=self.likes,
            replies=self.comments,
            raw=dict(self.raw),
            location=self.url or f"instagram media {self.id}",
            original=_original(self.raw),
            revision=digest(self.caption),
        )


# --- webhook changes --------------------------------------------------------------------------


@dataclass
class Changes:
    """What one notification says: items heard (new or edited), ids removed, mentions to fetch
    (Instagram sends only their ids), and changes read but not for Écoute (reactions, likes)."""

    items: list[RawItem]
    removed: list[str]
    mentions: list[dict[str, str]]
    ignored: int
    problems: list[str]


def read_notification(document: Any, *, platform: str, own_id: str) -> Changes:
    """A webhook notification's entries: ``object`` must be ``page`` (Facebook) or ``instagram``.
    Entries for another account than ``own_id`` are ignored. Each change is read on its own: one
    that cannot be read is named in ``problems`` and the others are kept."""
    found = Changes([], [], [], 0, [])
    expected = "page" if platform == FACEBOOK else "instagram"
    if not isinstance(document, Mapping) or document.get("object") != expected:
        got = document.get("object") if isinstance(document, Mapping) else type(document).__name__
        found.problems.append(f"object: expected {expected!r}, got {got!r:.40}")
        return found
    entries = document.get("entry")
    if not isinstance(entries, list):
        found.problems.append("entry: expected a list")
        return found
    for e, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("changes"), list):
            found.problems.append(f"entry[{e}]: expected an object with changes")
            continue
        if str(entry.get("id")) != own_id:
            found.ignored += len(entry["changes"])
            continue
        for c, change in enumerate(entry["changes"]):
            where = f"entry[{e}].changes[{c}]"
            try:
                if platform == FACEBOOK:
                    _feed_change(change, own_id, found, where=where)
                else:
                    _instagram_change(change, entry.get("time"), own_id, found, where=where)
            except PayloadError as error:
                found.problems.append(str(error))
    return found


def _value(change: Any, where: str) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(change, Mapping) or not isinstance(change.get("value"), Mapping):
        raise PayloadError(f"{where}.value", "expected an object")
    return str(change.get("field")), change["value"]


def _feed_change(change: Any, page_id: str, found: Changes, *, where: str) -> None:
    field, value = _value(change, where)
    at = f"{where}.value"
    item, verb = value.get("item"), value.get("verb")
    if field not in ("feed", "mention") or item not in ("comment", "post", "status", "photo", "video"):
        found.ignored += 1  # reactions, likes, shares, ratings...
        return
    if item == "comment":
        target = str(_text(value, "comment_id", where=at))
    else:
        target = str(_text(value, "post_id", where=at))
    if verb == "remove":
        found.removed.append(target)
        return
    if verb not in ("add", "edited", "edit") or "message" not in value:
        found.ignored += 1  # hide/unhide, a mention without its text, a post without words
        return
    author = Author.read(value.get("from"), name_key="name")
    if field == "mention" and author.id is None:
        author = Author(_id_of(value.get("sender_id")), value.get("sender_name") or None)
    if author.id == page_id:
        found.ignored += 1  # the Page's own words are not mentions
        return
    payload = {k: v for k, v in value.items() if k not in ("verb", "item")}
    payload["id"] = target
    if "from" not in payload and author.id:
        payload["from"] = {"id": author.id, "name": author.name}
    if item == "comment":
        post_id = str(_text(value, "post_id", where=at))
        parent = _id_of(value.get("parent_id"))
        payload["parent"] = {"id": parent} if parent else None
        found.items.append(FacebookComment.read(payload, post_id=post_id, where=at).item())
    else:
        found.items.append(FacebookPost.read(payload, where=at).item())


def _instagram_change(change: Any, entry_time: Any, ig_user_id: str, found: Changes, *, where: str) -> None:
    field, value = _value(change, where)
    at = f"{where}.value"
    if field == "mentions":
        comment, media = _id_of(value.get("comment_id")), _id_of(value.get("media_id"))
        if not media:
            raise PayloadError(f"{at}.media_id", "expected the media's id")
        found.mentions.append({"media_id": media, **({"comment_id": comment} if comment else {})})
        return
    if field not in ("comments", "live_comments"):
        found.ignored += 1
        return
    author = Author.read(value.get("from"), name_key="username")
    if author.id == ig_user_id:
        found.ignored += 1  # the account's own replies
        return
    media = _id_of(value.get("media"))
    if not media:
        raise PayloadError(f"{at}.media.id", "expected the media's id")
    # A comment notification carries no time of its own: the entry's time is when it happened.
    payload = {**value, "timestamp": value.get("timestamp") or entry_time, "username": author.name}
    found.items.append(InstagramComment.read(payload, media_id=media, url=None, where=at).item())
