"""Hearing a brand on Mastodon: its account's mentions, hashtag timelines and searches, polled
with cursors; replies posted with an ``Idempotency-Key``.

Settings: ``instance`` (https://mastodon.social), ``access_token`` (sealed at rest),
``hashtags`` and ``searches`` (lists, or comma-separated), ``mentions`` (default true),
``max_characters`` (the instance's limit, default 500).

Cursors, per stream (``notifications``, ``tag:<name>``, ``search:<query>``): the newest id read,
passed as ``min_id`` — Mastodon then answers the page just newer than it, and the Link header's
``prev`` gives the next one — so a poll resumes exactly where the last stopped: nothing is missed,
nothing repeated. The first poll of a stream reads only its newest page (no history import).
The cursor also watches the latest statuses: each poll asks for them again
(``GET /api/v1/statuses?id[]=``, Mastodon 4.3+) to hear edits and deletions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from ecoute.http import Sleep
from ecoute.settings import Settings
from ecoute.sources.api_source import ApiSource
from ecoute.sources.base import PollResult, RawItem, Rejected, ReplyTarget, SentReply, SourceError
from ecoute.sources.credentials import secret
from ecoute.sources.mastodon.api import MastodonApi, Page
from ecoute.sources.mastodon.payload import (
    PLATFORM,
    Notification,
    PayloadError,
    Status,
    Thread,
    rejected,
    to_item,
)
from ecoute.sources.setting_values import flag, names

logger = logging.getLogger(__name__)
PAGE_LIMIT = 40  # Mastodon's maximum per page for timelines, notifications and search
MAX_PAGES = 10  # per stream and poll; the cursor carries the rest to the next poll
WATCHED = 40  # latest statuses asked for again at each poll, to hear edits and deletions
WATCH_CHUNK = 20
DEFAULT_MAX_CHARACTERS = 500


Read = tuple[list["Status | Rejected"], list[str]]  # statuses (or rejects), and the page's own ids


@dataclass(frozen=True)
class Stream:
    key: str
    path: str
    params: dict[str, Any]
    read: Callable[[Any, str], Read]  # a page's body → its statuses
    linked: bool  # paged with Link headers (timelines, notifications) or not (search)


class MastodonSource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "Mastodon: the account's mentions, hashtag timelines and searches on one instance; replies"
    )

    # --- polling ------------------------------------------------------------------------

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        with self._api(settings) as api:
            found: dict[str, Status] = {}
            items: list[RawItem | Rejected] = []
            new_cursor: dict[str, Any] = dict(cursor)
            for stream in streams(settings):
                statuses, new_cursor[stream.key] = self._read(api, stream, cursor.get(stream.key))
                for status in statuses:
                    if isinstance(status, Rejected):
                        items.append(status)
                    else:  # overlapping searches and timelines: each status once
                        found.setdefault(status.uri, status)
            edited, deleted, watch = self._recheck(api, cursor.get("watch", []), found)
            for status in found.values():
                items.append(
                    to_item(status, api.instance, self._thread(api, status), location=_where(status))
                )
            items.extend(to_item(s, api.instance, Thread(), location=_where(s)) for s in edited)
            new_cursor["watch"] = _watch_list(found.values(), watch)
        return PollResult(items, new_cursor, deleted=deleted)

    def _read(
        self, api: MastodonApi, stream: Stream, since: str | None
    ) -> tuple[list[Status | Rejected], str | None]:
        read: list[Status | Rejected] = []
        newest = since
        for _ in range(MAX_PAGES):
            params = {**stream.params, "limit": PAGE_LIMIT}
            if newest is not None:
                params["min_id"] = newest
            page = api.get(stream.path, params)
            statuses, ids = stream.read(page.body, f"{api.instance}{stream.path}")
            read.extend(statuses)
            newest = _advance(page, ids, newest, stream.linked)
            if not ids or since is None or page.exhausted:
                break  # caught up; first poll: the newest page only; budget spent: next poll
        return read, newest

    def _thread(self, api: MastodonApi, status: Status) -> Thread:
        """The uri of the status a reply answers and of its thread's first status (one request
        per reply; a parent that is gone leaves the reply loose)."""
        if not status.in_reply_to_id:
            return Thread()
        try:
            page = api.get(f"/api/v1/statuses/{status.id}/context")
        except SourceError as error:
            if error.kind != "permanent":
                raise
            return Thread()
        ancestors = page.body.get("ancestors") if isinstance(page.body, dict) else None
        if not ancestors:
            return Thread()
        uris = [a.get("uri") for a in ancestors if isinstance(a, dict)]
        return Thread(parent_uri=uris[-1], root_uri=uris[0])

    def _recheck(
        self, api: MastodonApi, watch: list[list[str]], found: Mapping[str, Status]
    ) -> tuple[list[Status], list[str], list[list[str]]]:
        """Ask again for the watched statuses: a new ``edited_at`` is an edit, a missing one was
        deleted. Returns the edited statuses, the deleted uris, and the watch list still kept."""
        watch = [w for w in watch if isinstance(w, list) and len(w) == 3 and w[1] not in found]
        edited: list[Status] = []
        deleted: list[str] = []
        kept: list[list[str]] = []
        for start in range(0, len(watch), WATCH_CHUNK):
            chunk = watch[start : start + WATCH_CHUNK]
            try:
                page = api.get("/api/v1/statuses", {"id[]": [w[0] for w in chunk]})
            except SourceError as error:
                if error.kind != "permanent":  # an instance older than 4.3 answers 404: skip
                    raise
                return [], [], watch
            alive = {}
            for status in _statuses(page.body, "watched")[0]:
                if isinstance(status, Status):
                    alive[status.id] = status
            for status_id, uri, revision in chunk:
                status = alive.get(status_id)
                if status is None:
                    deleted.append(uri)
                    continue
                now = status.edited_at or status.created_at
                if now != revision:
                    edited.append(status)
                kept.append([status_id, uri, now])
        return edited, deleted, kept

    # --- checking -----------------------------------------------------------------------

    def check(self, settings: Mapping[str, Any]) -> str:
        """A real call that stores nothing: ``verify_credentials`` says whose token this is."""
        with self._api(settings) as api:
            body = api.get("/api/v1/accounts/verify_credentials").body
        acct = body.get("acct") if isinstance(body, dict) else None
        if not isinstance(acct, str) or not acct:
            raise SourceError("verify_credentials: the instance's answer names no account", retriable=True)
        return f"signed in as @{acct} on {api.instance}"

    # --- replying -----------------------------------------------------------------------

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        text = _addressed(text, in_reply_to.author_handle)
        limit = int(settings.get("max_characters") or DEFAULT_MAX_CHARACTERS)
        if counted_length(text) > limit:
            raise SourceError(
                f"reply: {counted_length(text)} characters, over this instance's limit of {limit} "
                f"(counting the @{in_reply_to.author_handle} that addresses it)",
                retriable=False,
            )
        with self._api(settings) as api:
            local_id = self._local_id(api, in_reply_to)
            posted = api.post_status(
                text,
                local_id,
                idempotency_key=idempotency_key,
                visibility=settings.get("visibility", "public"),
            )
        try:
            status = Status.read(posted)
        except PayloadError as error:
            raise SourceError(
                f"reply: the instance's answer is not a status ({error})", retriable=True
            ) from None
        return SentReply(platform_reply_id=status.uri, url=status.url)

    def _local_id(self, api: MastodonApi, target: ReplyTarget) -> str:
        """The id of the status on this account's instance (ids are local to each instance):
        found by resolving its uri through search, as Mastodon's own apps do."""
        page = api.get(
            "/api/v2/search", {"q": target.external_id, "type": "statuses", "resolve": "true", "limit": 1}
        )
        for status in _searched(page.body, "search")[0]:
            if isinstance(status, Status) and status.uri == target.external_id:
                return status.id
        raise SourceError(
            f"reply: {api.instance} cannot find the status {target.external_id} (deleted, or not visible "
            "to this account)",
            retriable=False,
        )

    def _api(self, settings: Mapping[str, Any]) -> _Session:
        instance = str(settings.get("instance") or "").strip()
        if not instance.startswith(("https://", "http://")):
            raise SourceError(
                f"setting 'instance': expected the instance's URL (https://mastodon.social), "
                f"got {instance!r}",
                retriable=False,
            )
        app_settings = self.app_settings
        token = secret(settings, "access_token", app_settings)
        return _Session(instance, token, app_settings, self._client, self._sleep)


class _Session:
    """A MastodonApi over one connection pool for the length of a poll (or the caller's client)."""

    def __init__(
        self, instance: str, token: str, settings: Settings, client: httpx.Client | None, sleep: Sleep
    ):
        self._own = client is None
        self._client = client or httpx.Client()
        self.api = MastodonApi(instance, token, settings=settings, client=self._client, sleep=sleep)

    def __enter__(self) -> MastodonApi:
        return self.api

    def __exit__(self, *exc: object) -> None:
        if self._own:
            self._client.close()


def streams(settings: Mapping[str, Any]) -> list[Stream]:
    found: list[Stream] = []
    if flag(settings.get("mentions", True)):
        found.append(
            Stream("notifications", "/api/v1/notifications", {"types[]": ["mention"]}, _notified, linked=True)
        )
    for tag in names(settings.get("hashtags")):
        tag = tag.lstrip("#")
        found.append(Stream(f"tag:{tag.lower()}", f"/api/v1/timelines/tag/{tag}", {}, _statuses, linked=True))
    for query in names(settings.get("searches")):
        found.append(
            Stream(
                f"search:{query}",
                "/api/v2/search",
                {"q": query, "type": "statuses", "resolve": "false"},
                _searched,
                linked=False,
            )
        )
    return found


def _statuses(body: Any, where: str) -> Read:
    # A boost stands for the boosted status: that is what was said, and by whom.
    return _each(body, where, "statuses", lambda p, at: (s := Status.read(p, where=at)).reblog or s)


def _searched(body: Any, where: str) -> Read:
    return _statuses(body.get("statuses") if isinstance(body, dict) else body, where)


def _notified(body: Any, where: str) -> Read:
    return _each(body, where, "notifications", lambda p, at: Notification.read(p, where=at).status)


def _each(body: Any, where: str, what: str, read: Callable[[Any, str], Status | None]) -> Read:
    """Every entry of a page read into a status, or a Rejected naming its index and field."""
    if not isinstance(body, list):
        return [Rejected(where, f"expected a list of {what}", None, str(body)[:200])], []
    out: list[Status | Rejected] = []
    for index, payload in enumerate(body):
        try:
            status = read(payload, f"[{index}]")
        except PayloadError as error:
            out.append(rejected(error, location=f"{where} [{index}]", payload=payload))
            continue
        if status is not None:
            out.append(status)
    return out, _ids(body)


def _ids(body: list[Any]) -> list[str]:
    """The ids the page is ordered by (a notification's, a boost's own), not the statuses' ids."""
    return [str(p["id"]) for p in body if isinstance(p, dict) and p.get("id") is not None]


def _advance(page: Page, ids: list[str], newest: str | None, linked: bool) -> str | None:
    """The cursor after a page: Link rel="prev"'s ``min_id`` when the server sends it, else the
    greatest id read (ids of one instance are integers written as strings)."""
    if linked and page.newer:
        return page.newer
    candidates = [c for c in ids if c.isdigit()] + ([newest] if newest else [])
    return max(candidates, key=lambda c: (len(c), c)) if candidates else newest


def _watch_list(fresh: Iterable[Status], kept: list[list[str]]) -> list[list[str]]:
    watch = [[s.id, s.uri, s.edited_at or s.created_at] for s in fresh] + kept
    watch.sort(key=lambda w: (len(w[0]), w[0]), reverse=True)
    return watch[:WATCHED]


_URL = re.compile(r"https?://\S+")
_REMOTE_MENTION = re.compile(r"(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
URL_LENGTH = 23  # every link counts as 23 characters, whatever its length


def counted_length(text: str) -> int:
    """A status's length as Mastodon counts it: a link is 23 characters and a remote mention
    counts only its ``@user`` part."""
    return len(_REMOTE_MENTION.sub(r"\1", _URL.sub("x" * URL_LENGTH, text)))


def _addressed(text: str, handle: str | None) -> str:
    """Mastodon notifies only the accounts a status names: start with ``@author`` unless named."""
    if not handle:
        return text
    mention = "@" + handle.lstrip("@")
    return text if mention.lower() in text.lower() else f"{mention} {text}"


def _where(status: Status) -> str:
    return status.url or status.uri
