"""Hearing a brand on YouTube: the comments on its own channel, the comments of chosen videos,
and videos that mention it (search); replies posted under the comment, never twice.

Settings: ``channel_id`` (the brand's channel, ``UC…``); ``access_token`` (sealed) — or
``refresh_token``, ``client_id`` and ``client_secret`` (sealed) — for the channel's comments and
replies; ``api_key`` (sealed) for public reads; ``videos`` (video ids whose comments to hear),
``searches`` (queries: videos published about the brand), ``channel_comments`` (default true),
``api_base`` and ``token_url`` (Google's unless told).

Cursors, per stream (``channel``, ``video:<id>``, ``search:<query>``): the latest time heard and
the ids heard at that very time. Comment threads come newest first, page by page
(``pageToken``) until a page holds nothing newer; searches ask only for videos published after
the cursor (``publishedAfter``). The first poll of a stream reads its newest page (no history
import). The cursor also watches the latest comments: each poll asks for them again
(``comments.list?id=``, 1 quota unit for up to 50) to hear edits and deletions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from ecoute.sources.api_source import ApiSource, Pooled
from ecoute.sources.base import (
    PayloadError,
    PollResult,
    RawItem,
    Rejected,
    ReplyTarget,
    SentReply,
    SourceError,
)
from ecoute.sources.credentials import secret
from ecoute.sources.payload_fields import rejected
from ecoute.sources.setting_values import flag, names
from ecoute.sources.youtube.api import API_BASE, TOKEN_URL, CommentsDisabled, OAuth, YouTubeApi
from ecoute.sources.youtube.payload import (
    PLATFORM,
    WATCH,
    Comment,
    Thread,
    Video,
    comment_item,
    instant,
    video_item,
)

logger = logging.getLogger(__name__)
PAGE_LIMIT = 100  # commentThreads.list and comments.list maximum
SEARCH_LIMIT = 50  # search.list maximum
MAX_PAGES = 5  # comment pages per stream and poll
SEARCH_PAGES = 2  # search.list draws on its own small daily bucket: two pages per query at most
WATCHED = 50  # comments.list takes up to 50 ids
MAX_REPLY = 10_000
REQUIRED_SETTINGS = ("channel_id",)
# ... and at least one way in: ``api_key`` (public reads) or the channel's OAuth token.
ONE_OF_SETTINGS = ("api_key", "access_token", "refresh_token")
THREADS = {"part": "snippet,replies", "order": "time", "maxResults": PAGE_LIMIT, "textFormat": "plainText"}


@dataclass(frozen=True)
class Stream:
    key: str
    path: str
    params: dict[str, Any]
    private: bool  # read with the channel's token (its own comments) rather than the API key


@dataclass
class _Mark:
    """A stream's high-water mark: the latest time heard and the ids heard at that time."""

    since: str | None = None
    at: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, cursor: Any) -> _Mark:
        if not isinstance(cursor, dict) or not isinstance(cursor.get("since"), str):
            return cls()
        try:
            instant(cursor["since"])
        except ValueError:
            return cls()
        return cls(cursor["since"], {str(i) for i in cursor.get("at", []) if isinstance(i, str)})

    def is_new(self, when: str, item_id: str) -> bool:
        if self.since is None:
            return True
        moment, since = instant(when), instant(self.since)
        return moment > since or (moment == since and item_id not in self.at)

    def advance(self, when: str, item_id: str) -> None:
        if self.since is None or instant(when) > instant(self.since):
            self.since, self.at = when, {item_id}
        elif instant(when) == instant(self.since):
            self.at.add(item_id)

    def dump(self) -> dict[str, Any] | None:
        return {"since": self.since, "at": sorted(self.at)} if self.since else None


@dataclass
class _Heard:
    own: str = ""  # the brand's channel: its own comments are not mentions
    items: list[RawItem | Rejected] = field(default_factory=list)
    watch: list[list[str]] = field(default_factory=list)  # [comment id, revision, thread id, video id]


class YouTubeSource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "YouTube: comments on the channel and on chosen videos, videos found by searches; replies"
    )

    # --- polling ------------------------------------------------------------------------

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        with self._api(settings) as api:
            heard = _Heard(own=str(settings.get("channel_id") or "").strip())
            new_cursor: dict[str, Any] = dict(cursor)
            seen: set[str] = set()
            for stream in streams(settings, api):
                mark = _Mark.read(cursor.get(stream.key))
                if stream.path == "/search":
                    self._search(api, stream, mark, heard, seen)
                else:
                    try:
                        self._threads(api, stream, mark, heard, seen)
                    except CommentsDisabled as error:
                        logger.warning(
                            "youtube.comments_disabled", extra={"stream": stream.key, "error": str(error)}
                        )
                new_cursor[stream.key] = mark.dump()
            edited, deleted, kept = self._recheck(api, cursor.get("watch", []), seen)
            heard.items.extend(edited)
            new_cursor["watch"] = (heard.watch + kept)[:WATCHED]
        return PollResult(heard.items, new_cursor, deleted=deleted)

    def _threads(self, api: YouTubeApi, stream: Stream, mark: _Mark, heard: _Heard, seen: set[str]) -> None:
        before = _Mark(mark.since, set(mark.at))
        token: str | None = None
        for _ in range(MAX_PAGES if before.since else 1):
            body = api.get(
                stream.path,
                {**stream.params, **({"pageToken": token} if token else {})},
                private=stream.private,
            )
            fresh = False
            for index, payload in enumerate(_items(body)):
                try:
                    thread = Thread.read(payload, where=f"items[{index}]")
                except PayloadError as error:
                    heard.items.append(rejected(error, location=f"{stream.key} [{index}]", payload=payload))
                    continue
                fresh |= self._thread(api, thread, before, mark, heard, seen)
            token = body.get("nextPageToken") if isinstance(body, dict) else None
            if not fresh or not token:
                return

    def _thread(
        self, api: YouTubeApi, thread: Thread, before: _Mark, mark: _Mark, heard: _Heard, seen: set[str]
    ) -> bool:
        """The thread's comments new since ``before`` (their replies fetched in full when YouTube
        included only some); whether anything was new."""
        comments = [thread.top, *thread.replies]
        top_new = before.is_new(thread.top.revision, thread.top.id)
        if top_new and thread.total_reply_count > len(thread.replies):
            comments = [thread.top, *self._replies(api, thread.top.id)]
        fresh = False
        for comment in comments:
            if comment.id in seen or not before.is_new(comment.revision, comment.id):
                continue
            seen.add(comment.id)
            fresh = True
            mark.advance(comment.revision, comment.id)
            if heard.own and comment.author_channel_id == heard.own:
                continue
            replies = thread.total_reply_count if comment is thread.top else 0
            heard.items.append(
                comment_item(
                    comment,
                    thread_id=thread.top.id,
                    video_id=thread.video_id,
                    replies=replies,
                    location=_where(comment, thread.video_id),
                )
            )
            heard.watch.append([comment.id, comment.revision, thread.top.id, thread.video_id or ""])
        return fresh

    def _replies(self, api: YouTubeApi, parent_id: str) -> list[Comment]:
        found: list[Comment] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            params = {
                "part": "snippet",
                "parentId": parent_id,
                "maxResults": PAGE_LIMIT,
                "textFormat": "plainText",
            }
            body = api.get(
                "/comments",
                {**params, **({"pageToken": token} if token else {})},
                private=api.can_read_privately,
            )
            found.extend(_comments(body, "comments.list"))
            token = body.get("nextPageToken") if isinstance(body, dict) else None
            if not token:
                break
        return found

    def _search(self, api: YouTubeApi, stream: Stream, mark: _Mark, heard: _Heard, seen: set[str]) -> None:
        before = _Mark(mark.since, set(mark.at))
        params = {**stream.params, **({"publishedAfter": before.since} if before.since else {})}
        token: str | None = None
        for _ in range(SEARCH_PAGES if before.since else 1):
            body = api.get(stream.path, {**params, **({"pageToken": token} if token else {})})
            for index, payload in enumerate(_items(body)):
                if not (
                    isinstance(payload, dict) and payload.get("id", {}).get("kind") in (None, "youtube#video")
                ):
                    continue
                try:
                    video = Video.read(payload, where=f"items[{index}]")
                except PayloadError as error:
                    heard.items.append(rejected(error, location=f"{stream.key} [{index}]", payload=payload))
                    continue
                if video.id in seen or not before.is_new(video.published_at, video.id):
                    continue
                seen.add(video.id)
                mark.advance(video.published_at, video.id)
                heard.items.append(video_item(video, location=WATCH + video.id))
            token = body.get("nextPageToken") if isinstance(body, dict) else None
            if not token:
                return

    def _recheck(
        self, api: YouTubeApi, watch: Any, seen: set[str]
    ) -> tuple[list[RawItem], list[str], list[list[str]]]:
        """Ask again for the comments watched (those not just heard): a changed ``updatedAt`` is an
        edit; a comment YouTube no longer returns was deleted."""
        if not isinstance(watch, list):
            return [], [], []
        watched = [w for w in watch if _valid_watch(w) and w[0] not in seen][:WATCHED]
        if not watched:
            return [], [], []
        body = api.get(
            "/comments",
            {
                "part": "snippet",
                "id": ",".join(w[0] for w in watched),
                "maxResults": WATCHED,
                "textFormat": "plainText",
            },
            private=api.can_read_privately,
        )
        alive = {c.id: c for c in _comments(body, "comments.list")}
        edited: list[RawItem] = []
        deleted: list[str] = []
        kept: list[list[str]] = []
        for comment_id, revision, thread_id, video_id in watched:
            comment = alive.get(comment_id)
            if comment is None:
                deleted.append(comment_id)
                continue
            if comment.revision != revision:
                edited.append(
                    comment_item(
                        comment,
                        thread_id=thread_id,
                        video_id=video_id or None,
                        location=_where(comment, video_id),
                    )
                )
            kept.append([comment_id, comment.revision, thread_id, video_id])
        return edited, deleted, kept

    # --- replying -----------------------------------------------------------------------

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        """A reply under the comment's thread (YouTube threads are one level deep: answering a
        reply answers its top-level comment). YouTube has no idempotency key: the thread's replies
        are read first, and one the channel already posted with the same text is returned
        instead of posting again."""
        text = text.strip()
        if not text:
            raise SourceError("reply: the text is empty", retriable=False)
        if len(text) > MAX_REPLY:
            raise SourceError(
                f"reply: {len(text)} characters, over YouTube's limit of {MAX_REPLY}", retriable=False
            )
        if in_reply_to.thread_id == in_reply_to.external_id and not in_reply_to.external_id.startswith("Ug"):
            raise SourceError(
                "reply: this is a video, not a comment; comment on it from YouTube", retriable=False
            )
        parent = in_reply_to.external_id.split(".", 1)[0]
        video = _video_of(in_reply_to.url)
        channel = str(settings.get("channel_id") or "")
        with self._api(settings) as api:
            for reply in self._replies(api, parent):
                if reply.author_channel_id == channel and reply.text.strip() == text:
                    return _sent(reply, video)
            posted = api.insert_comment(parent, text)
        try:
            return _sent(Comment.read(posted), video)
        except PayloadError as error:
            raise SourceError(f"reply: YouTube's answer is not a comment ({error})", retriable=True) from None

    def _api(self, settings: Mapping[str, Any]) -> Pooled[YouTubeApi]:
        app = self.app_settings
        api_key = secret(settings, "api_key", app) if settings.get("api_key_sealed") else None
        oauth = None
        if settings.get("refresh_token_sealed"):
            oauth = OAuth(
                refresh_token=secret(settings, "refresh_token", app),
                client_id=str(settings.get("client_id") or ""),
                client_secret=secret(settings, "client_secret", app),
            )
        elif settings.get("access_token_sealed"):
            oauth = OAuth(access_token=secret(settings, "access_token", app))
        if api_key is None and oauth is None:
            raise SourceError(
                "setting 'api_key' or 'access_token' is missing: add one to the source",
                retriable=False,
                kind="auth",
            )
        return Pooled(
            self._client,
            lambda client: YouTubeApi(
                api_key=api_key,
                oauth=oauth,
                api_base=str(settings.get("api_base") or API_BASE),
                token_url=str(settings.get("token_url") or TOKEN_URL),
                settings=app,
                client=client,
                sleep=self._sleep,
            ),
        )


def streams(settings: Mapping[str, Any], api: YouTubeApi) -> list[Stream]:
    found: list[Stream] = []
    channel = str(settings.get("channel_id") or "").strip()
    if channel and api.can_read_privately and flag(settings.get("channel_comments", True)):
        found.append(
            Stream("channel", "/commentThreads", {**THREADS, "allThreadsRelatedToChannelId": channel}, True)
        )
    for video in names(settings.get("videos")):
        found.append(Stream(f"video:{video}", "/commentThreads", {**THREADS, "videoId": video}, False))
    for query in names(settings.get("searches")):
        params = {"part": "snippet", "q": query, "type": "video", "order": "date", "maxResults": SEARCH_LIMIT}
        found.append(Stream(f"search:{query}", "/search", params, False))
    return found


def _items(body: Any) -> list[Any]:
    items = body.get("items") if isinstance(body, dict) else None
    return items if isinstance(items, list) else []


def _comments(body: Any, where: str) -> list[Comment]:
    found: list[Comment] = []
    for index, payload in enumerate(_items(body)):
        try:
            found.append(Comment.read(payload, where=f"{where} items[{index}]"))
        except PayloadError:
            logger.warning("youtube.unreadable_comment", extra={"where": where, "index": index})
    return found


def _valid_watch(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 4 and all(isinstance(e, str) for e in entry)


def _video_of(url: str | None) -> str | None:
    return parse_qs(urlsplit(url).query).get("v", [None])[0] if url else None


def _sent(comment: Comment, video: str | None) -> SentReply:
    video = comment.video_id or video
    return SentReply(platform_reply_id=comment.id, url=f"{WATCH}{video}&lc={comment.id}" if video else None)


def _where(comment: Comment, video: str | None) -> str:
    video = comment.video_id or video
    return f"{WATCH}{video}&lc={comment.id}" if video else comment.id
