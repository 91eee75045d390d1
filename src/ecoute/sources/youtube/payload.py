"""YouTube's comment threads, comments and search results read through typed accessors, and
turned into the RawItems the ingest path takes.

Shapes follow the YouTube Data API v3 resources (``CommentThread``, ``Comment`` with its
``CommentSnippet``, ``SearchResult``). A comment's text is its ``textOriginal`` (what the author
typed) when YouTube gives it, else its ``textDisplay`` turned from HTML into text. An item's
``external_id`` is the comment's id, or the video's id for a video found by a search.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecoute.sources.base import PayloadError, RawItem
from ecoute.sources.html_text import html_to_text
from ecoute.sources.payload_fields import text_field as _text

PLATFORM = "youtube"
WATCH = "https://www.youtube.com/watch?v="


def _object(payload: Mapping[str, Any], name: str, *, where: str) -> Mapping[str, Any]:
    value = payload.get(name)
    if not isinstance(value, Mapping):
        raise PayloadError(f"{where}.{name}", "expected an object")
    return value


def _time(payload: Mapping[str, Any], name: str, *, where: str) -> str:
    value = str(_text(payload, name, where=where))
    try:
        instant(value)
    except ValueError:
        raise PayloadError(f"{where}.{name}", f"expected an RFC 3339 time, got {value!r:.40}") from None
    return value


def instant(value: str) -> datetime:
    """An RFC 3339 time as YouTube writes it (``2025-11-02T10:00:00Z``, fractions allowed)."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    parent_id: str | None  # a reply's top-level comment
    video_id: str | None  # absent on replies and on a channel's own discussion
    text: str
    author_name: str
    author_channel_id: str | None
    like_count: int
    published_at: str
    updated_at: str
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "comment") -> Comment:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        snippet = _object(payload, "snippet", where=where)
        at = f"{where}.snippet"
        original = _text(snippet, "textOriginal", where=at, required=False)
        display = _text(snippet, "textDisplay", where=at, required=False)
        if original is None and display is None:
            raise PayloadError(
                f"{at}.textOriginal", "expected the comment's text (textOriginal or textDisplay)"
            )
        channel = snippet.get("authorChannelId")
        likes = snippet.get("likeCount")
        return cls(
            id=str(_text(payload, "id", where=where)),
            parent_id=_text(snippet, "parentId", where=at, required=False),
            video_id=_text(snippet, "videoId", where=at, required=False),
            text=original if original is not None else html_to_text(display or "", keep_lines=True),
            author_name=_text(snippet, "authorDisplayName", where=at, required=False) or "",
            author_channel_id=str(channel["value"])
            if isinstance(channel, Mapping) and channel.get("value")
            else None,
            like_count=likes if isinstance(likes, int) and not isinstance(likes, bool) and likes > 0 else 0,
            published_at=_time(snippet, "publishedAt", where=at),
            updated_at=_time(snippet, "updatedAt", where=at) if snippet.get("updatedAt") else "",
            raw=payload,
        )

    @property
    def revision(self) -> str:
        return self.updated_at or self.published_at

    @property
    def author(self) -> str | None:
        """The author's @handle when YouTube shows one, else their channel id."""
        if self.author_name.startswith("@"):
            return self.author_name
        return self.author_channel_id or self.author_name or None


@dataclass(frozen=True, slots=True)
class Thread:
    id: str
    video_id: str | None
    can_reply: bool
    total_reply_count: int
    top: Comment
    replies: tuple[Comment, ...]  # only some of them: YouTube includes a few with the thread

    @classmethod
    def read(cls, payload: Any, *, where: str = "thread") -> Thread:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        snippet = _object(payload, "snippet", where=where)
        at = f"{where}.snippet"
        top = Comment.read(snippet.get("topLevelComment"), where=f"{at}.topLevelComment")
        listed = (
            payload.get("replies", {}).get("comments", [])
            if isinstance(payload.get("replies"), Mapping)
            else []
        )
        if not isinstance(listed, list):
            raise PayloadError(f"{where}.replies.comments", "expected a list")
        total = snippet.get("totalReplyCount")
        return cls(
            id=str(_text(payload, "id", where=where)),
            video_id=_text(snippet, "videoId", where=at, required=False) or top.video_id,
            can_reply=snippet.get("canReply") is not False,
            total_reply_count=total if isinstance(total, int) and not isinstance(total, bool) else 0,
            top=top,
            replies=tuple(
                Comment.read(r, where=f"{where}.replies.comments[{i}]") for i, r in enumerate(listed)
            ),
        )


@dataclass(frozen=True, slots=True)
class Video:
    id: str
    published_at: str
    channel_id: str | None
    channel_title: str
    title: str
    description: str
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "result") -> Video:
        """A ``search.list`` result of kind ``youtube#video``."""
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        ids = _object(payload, "id", where=where)
        snippet = _object(payload, "snippet", where=where)
        at = f"{where}.snippet"
        return cls(
            id=str(_text(ids, "videoId", where=f"{where}.id")),
            published_at=_time(snippet, "publishedAt", where=at),
            channel_id=_text(snippet, "channelId", where=at, required=False),
            channel_title=_text(snippet, "channelTitle", where=at, required=False) or "",
            title=html_to_text(_text(snippet, "title", where=at, required=False) or ""),
            description=html_to_text(_text(snippet, "description", where=at, required=False) or ""),
            raw=payload,
        )


def comment_item(
    comment: Comment, *, thread_id: str, video_id: str | None, replies: int = 0, location: str
) -> RawItem:
    video = comment.video_id or video_id
    return RawItem(
        platform=PLATFORM,
        external_id=comment.id,
        text=comment.text,
        created_at=comment.published_at,
        url=f"{WATCH}{video}&lc={comment.id}" if video else None,
        author=comment.author,
        author_name=comment.author_name or None,
        kind="reply" if comment.parent_id else "comment",
        parent_id=comment.parent_id,
        thread_id=thread_id,
        likes=comment.like_count,
        replies=replies,
        raw={**comment.raw, "videoId": video},
        location=location,
        original=json.dumps(comment.raw, ensure_ascii=False)[:10_000],
        revision=comment.revision,
    )


def video_item(video: Video, *, location: str) -> RawItem:
    text = f"{video.title}\n\n{video.description}".strip() if video.description else video.title
    return RawItem(
        platform=PLATFORM,
        external_id=video.id,
        text=text,
        created_at=video.published_at,
        url=WATCH + video.id,
        author=video.channel_id or video.channel_title or None,
        author_name=video.channel_title or None,
        kind="post",
        thread_id=video.id,
        raw={**video.raw},
        location=location,
        original=json.dumps(video.raw, ensure_ascii=False)[:10_000],
        revision=video.published_at,
    )
