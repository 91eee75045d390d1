"""Hearing a brand on Bluesky: the account's mentions, replies and quotes
(``listNotifications``) and keyword searches (``searchPosts``) for what is said without tagging
it; replies posted in the thread.

Settings: ``service`` (the account's PDS, default https://bsky.social), ``identifier`` (handle
or DID), ``app_password`` (sealed at rest), ``searches`` (list or comma-separated), ``mentions``
(default true).

Cursors, per stream: both endpoints page from the newest back, so the cursor keeps a high-water
mark (the newest ``indexedAt`` read, and the posts at exactly that instant); a poll pages back
until it reaches the mark. A backlog longer than a poll's pages is carried on: the page cursor is
saved and the next poll continues from it before moving the mark, so nothing is missed or
repeated. The first poll reads only the newest page. The latest posts are asked for again
(``getPosts``) at each poll: a post that is gone was deleted.

Idempotent replies: the PDS takes no idempotency key, and a client-chosen record key must be a
TID (which encodes a time: one derived from our key would carry a made-up time that PDSs are not
documented to accept). So before posting, the account's latest posts are listed
(``com.atproto.repo.listRecords``) and a post already answering the same parent with the same
text is returned instead of posting again; the create itself is never retried blindly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import regex

from ecoute.http import request
from ecoute.sources.api_source import ApiSource
from ecoute.sources.base import (
    PayloadError,
    PollResult,
    RawItem,
    Rejected,
    ReplyTarget,
    SentReply,
    SourceError,
)
from ecoute.sources.bluesky import session as sessions
from ecoute.sources.bluesky.payload import LINK, PLATFORM, Post, Ref, to_item
from ecoute.sources.credentials import secret

logger = logging.getLogger(__name__)
DEFAULT_SERVICE = "https://bsky.social"
MAX_PAGES = 10
NOTIFICATIONS_LIMIT = 50
SEARCH_LIMIT = 100
WATCHED = 40
PROFILES_CHUNK = 25  # getProfiles and getPosts take at most 25 at once
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
REPLY_REASONS = ["mention", "reply", "quote"]


@dataclass
class Mark:
    """How far a stream was read: the newest instant and the posts at exactly that instant; and
    a pass not finished yet (its page cursor and the newest instant it has read)."""

    at: str | None = None
    uris: list[str] = field(default_factory=list)
    resume: str | None = None
    top: str | None = None
    top_uris: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, value: Any) -> Mark:
        value = value if isinstance(value, dict) else {}
        known = {k: value[k] for k in ("at", "uris", "resume", "top", "top_uris") if k in value}
        return cls(**known)

    def seen(self, post: Post) -> bool:
        at = _instant(post.indexed_at)
        return self.at is not None and (at < self.at or (at == self.at and post.uri in self.uris))

    def saw(self, post: Post) -> None:
        at = _instant(post.indexed_at)
        if self.top is None or at > self.top:
            self.top, self.top_uris = at, [post.uri]
        elif at == self.top and post.uri not in self.top_uris:
            self.top_uris.append(post.uri)

    def finish(self) -> None:
        if self.top is not None and (self.at is None or self.top > self.at):
            self.at, self.uris = self.top, self.top_uris
        elif self.top == self.at:
            self.uris = sorted(set(self.uris) | set(self.top_uris))
        self.resume, self.top, self.top_uris = None, None, []

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "uris": self.uris,
            "resume": self.resume,
            "top": self.top,
            "top_uris": self.top_uris,
        }


@dataclass(frozen=True)
class Stream:
    key: str
    nsid: str
    params: dict[str, Any]
    entries: str  # the answer's list: "notifications" or "posts"


class BlueskySource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "Bluesky: the account's mentions, replies and quotes, and keyword searches; replies"
    )

    # --- polling ------------------------------------------------------------------------

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        with _Xrpc(self, settings) as xrpc:
            posts: dict[str, Post] = {}
            items: list[RawItem | Rejected] = []
            new_cursor: dict[str, Any] = dict(cursor)
            for stream in streams(settings):
                mark = Mark.read(cursor.get(stream.key))
                for found in self._read(xrpc, stream, mark):
                    if isinstance(found, Rejected):
                        items.append(found)
                    else:  # a post both searched and notified: once
                        posts.setdefault(found.uri, found)
                new_cursor[stream.key] = mark.as_json()
            followers = self._followers(xrpc, {p.author.did for p in posts.values()})
            items.extend(to_item(p, followers.get(p.author.did), location=p.uri) for p in posts.values())
            watch = [u for u in cursor.get("watch", []) if isinstance(u, str) and u not in posts]
            deleted = self._gone(xrpc, watch)
            kept = [u for u in watch if u not in deleted]
            new_cursor["watch"] = (list(posts) + kept)[:WATCHED]
        return PollResult(items, new_cursor, deleted=deleted)

    def _read(self, xrpc: _Xrpc, stream: Stream, mark: Mark) -> list[Post | Rejected]:
        read: list[Post | Rejected] = []
        page_cursor = mark.resume
        first_poll = mark.at is None and mark.resume is None
        for _ in range(MAX_PAGES):
            params = {**stream.params, **({"cursor": page_cursor} if page_cursor else {})}
            body = xrpc.get(stream.nsid, params)
            entries = body.get(stream.entries) if isinstance(body, dict) else None
            reached = False
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                try:
                    post = Post.read(entry, f"[{index}]")
                except PayloadError as error:
                    read.append(
                        Rejected(f"{stream.nsid} [{index}]", error.reason, error.field, str(entry)[:2000])
                    )
                    continue
                if mark.seen(post):
                    reached = True
                    continue
                mark.saw(post)
                read.append(post)
            page_cursor = body.get("cursor") if isinstance(body, dict) else None
            if reached or first_poll or not entries or not page_cursor:
                mark.finish()
                return read
        mark.resume = page_cursor  # a backlog: the next poll carries on from here
        return read

    def _followers(self, xrpc: _Xrpc, dids: set[str]) -> dict[str, int]:
        """Follower counts (a post's author view has none): getProfiles, 25 at a time."""
        counts: dict[str, int] = {}
        wanted = sorted(dids)
        for start in range(0, len(wanted), PROFILES_CHUNK):
            body = xrpc.get("app.bsky.actor.getProfiles", {"actors": wanted[start : start + PROFILES_CHUNK]})
            for profile in body.get("profiles", []) if isinstance(body, dict) else []:
                if isinstance(profile, dict) and isinstance(profile.get("followersCount"), int):
                    counts[str(profile.get("did"))] = profile["followersCount"]
        return counts

    def _gone(self, xrpc: _Xrpc, uris: list[str]) -> list[str]:
        gone: list[str] = []
        for start in range(0, len(uris), PROFILES_CHUNK):
            chunk = uris[start : start + PROFILES_CHUNK]
            body = xrpc.get("app.bsky.feed.getPosts", {"uris": chunk})
            alive = (
                {p.get("uri") for p in body.get("posts", []) if isinstance(p, dict)}
                if isinstance(body, dict)
                else set()
            )
            gone.extend(u for u in chunk if u not in alive)
        return gone

    # --- checking -----------------------------------------------------------------------

    def check(self, settings: Mapping[str, Any]) -> str:
        """A real sign-in that stores nothing: ``createSession`` with the app password (the
        session held in this process is dropped first, so the password itself is tried)."""
        service = str(settings.get("service") or DEFAULT_SERVICE).rstrip("/")
        sessions.forget(service, str(settings.get("identifier") or "").strip())
        with _Xrpc(self, settings) as xrpc:
            return f"signed in as @{xrpc.handle} ({xrpc.did}) on {xrpc.service}"

    # --- replying -----------------------------------------------------------------------

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        check_length(text)
        with _Xrpc(self, settings) as xrpc:
            parent = self._post(xrpc, in_reply_to.external_id)
            root = parent.root or parent.ref
            already = self._posted(xrpc, parent.ref, text)
            if already is not None:
                logger.info("bluesky.reply_found", extra={"uri": already})
                return SentReply(already, web_url(xrpc.handle, already))
            record = {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "reply": {"root": root.as_json(), "parent": parent.ref.as_json()},
            }
            facets = link_facets(text)
            if facets:
                record["facets"] = facets
            body = xrpc.post(
                "com.atproto.repo.createRecord",
                {"repo": xrpc.did, "collection": "app.bsky.feed.post", "record": record},
            )
        uri = body.get("uri") if isinstance(body, dict) else None
        if not isinstance(uri, str):
            raise SourceError("reply: the PDS's answer has no uri", retriable=True)
        return SentReply(uri, web_url(xrpc.handle, uri))

    def _post(self, xrpc: _Xrpc, uri: str) -> Post:
        body = xrpc.get("app.bsky.feed.getPosts", {"uris": [uri]})
        posts = body.get("posts") if isinstance(body, dict) else None
        if not posts:
            raise SourceError(
                f"reply: the post {uri} is gone (deleted, or hidden from this account)", retriable=False
            )
        try:
            return Post.read(posts[0])
        except PayloadError as error:
            raise SourceError(f"reply: the post {uri} cannot be read ({error})", retriable=False) from None

    def _posted(self, xrpc: _Xrpc, parent: Ref, text: str) -> str | None:
        """A post of ours already answering ``parent`` with ``text`` (an earlier try that went
        through though its answer was lost), among the account's latest."""
        body = xrpc.get(
            "com.atproto.repo.listRecords",
            {"repo": xrpc.did, "collection": "app.bsky.feed.post", "limit": 50},
        )
        for record in body.get("records", []) if isinstance(body, dict) else []:
            value = record.get("value") if isinstance(record, dict) else None
            if not isinstance(value, dict) or value.get("text") != text:
                continue
            reply = value.get("reply") if isinstance(value.get("reply"), dict) else {}
            if (reply.get("parent") or {}).get("uri") == parent.uri:
                return str(record.get("uri"))
        return None


class _Xrpc:
    """XRPC calls for one poll or reply, with the account's session (refreshed when it expires)."""

    def __init__(self, source: BlueskySource, settings: Mapping[str, Any]):
        self.service = str(settings.get("service") or DEFAULT_SERVICE).rstrip("/")
        if not self.service.startswith(("https://", "http://")):
            raise SourceError(
                f"setting 'service': expected the PDS's URL, got {self.service!r}", retriable=False
            )
        self.identifier = str(settings.get("identifier") or "").strip()
        if not self.identifier:
            raise SourceError(
                "setting 'identifier' is missing: the account's handle", retriable=False, kind="auth"
            )
        self._app = source.app_settings
        self._password = secret(settings, "app_password", self._app)
        self._sleep = source._sleep
        self._own = source._client is None
        self._client = source._client or httpx.Client()
        try:
            self._tokens = sessions.session(self.service, self.identifier, self._password, self._call)
        except SourceError:
            self.__exit__()
            raise

    def __enter__(self) -> _Xrpc:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own:
            self._client.close()

    @property
    def did(self) -> str:
        return self._tokens.did

    @property
    def handle(self) -> str:
        return self._tokens.handle or self.identifier

    def get(self, nsid: str, params: Mapping[str, Any]) -> Any:
        return self._authed(lambda token: self._send("GET", nsid, token, params=params))

    def post(self, nsid: str, body: Any) -> Any:
        # One try only: a write whose answer was lost is found by looking, not by posting again.
        return self._authed(lambda token: self._send("POST", nsid, token, body=body, retry=False))

    def _authed(self, send: Callable[[str], Any]) -> Any:
        try:
            return send(self._tokens.access)
        except SourceError as error:
            if "ExpiredToken" not in str(error) and error.kind != "auth":
                raise
        # The access token expired early or was revoked: one more try, refreshed.
        sessions.stale(self.service, self.identifier, self._tokens.access)
        self._tokens = sessions.session(self.service, self.identifier, self._password, self._call)
        return send(self._tokens.access)

    def _call(self, nsid: str, bearer: str, body: Any) -> Any:
        return self._send("POST", nsid, bearer, body=body, retry=nsid != "com.atproto.server.refreshSession")

    def _send(
        self, method: str, nsid: str, token: str, *, params: Any = None, body: Any = None, retry: bool = True
    ) -> Any:
        response = request(
            method,
            f"{self.service}/xrpc/{nsid}",
            headers={"Authorization": f"Bearer {token}"} if token else {},
            params=params,
            json=body,
            settings=self._app,
            client=self._client,
            sleep=self._sleep,
            retry=retry,
        )
        try:
            return response.json()
        except ValueError:
            raise SourceError(
                f"{nsid}: the PDS answered something that is not JSON", retriable=True
            ) from None


def streams(settings: Mapping[str, Any]) -> list[Stream]:
    found: list[Stream] = []
    if str(settings.get("mentions", True)).strip().lower() not in ("false", "0", "no", "off"):
        params = {"reasons": REPLY_REASONS, "limit": NOTIFICATIONS_LIMIT}
        found.append(
            Stream("notifications", "app.bsky.notification.listNotifications", params, "notifications")
        )
    searches = settings.get("searches") or []
    if isinstance(searches, str):
        searches = searches.split(",")
    for query in [str(q).strip() for q in searches if str(q).strip()]:
        params = {"q": query, "sort": "latest", "limit": SEARCH_LIMIT}
        found.append(Stream(f"search:{query}", "app.bsky.feed.searchPosts", params, "posts"))
    return found


def graphemes(text: str) -> int:
    """What Bluesky's 300 counts: user-perceived characters (an emoji with modifiers is one)."""
    return len(regex.findall(r"\X", text))


def check_length(text: str) -> None:
    count, size = graphemes(text), len(text.encode("utf-8"))
    if count > MAX_GRAPHEMES or size > MAX_BYTES:
        raise SourceError(
            f"reply: {count} characters ({size} bytes), over Bluesky's limit of {MAX_GRAPHEMES} "
            f"characters and {MAX_BYTES} bytes (a link counts in full)",
            retriable=False,
        )


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")


def link_facets(text: str) -> list[dict[str, Any]]:
    """Links in a post must be facets (Bluesky does not find them itself), over UTF-8 byte offsets."""
    facets = []
    for match in _URL.finditer(text):
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(match.group().encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": LINK, "uri": match.group()}],
            }
        )
    return facets


def web_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _instant(value: str) -> str:
    """An ``indexedAt`` as a comparable UTC instant (the PDS writes them several ways)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds")
