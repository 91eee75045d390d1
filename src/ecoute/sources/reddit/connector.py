"""Hearing a brand on Reddit: its account's inbox (username mentions, replies to its comments and
posts), searches of posts, and the newest comments of chosen subreddits matched against the
brand's words; replies posted as comments, never twice.

Settings: ``client_id``, ``client_secret`` (sealed), ``username``, and either ``password`` (a
script app; sealed) or ``refresh_token`` (from the authorization-code flow; sealed);
``searches`` (queries, all of Reddit, or ``r/<subreddit> <query>`` for one subreddit),
``subreddits`` with ``keywords`` (their newest comments kept when they name a keyword; every
comment when no keyword is set), ``inbox`` (default true), ``app_id`` (the User-Agent's app id),
``api_base`` and ``auth_base`` (Reddit's hosts unless told).

Cursors, per stream (``mentions``, ``comments``, ``selfreply``, ``search:<query>``, ``subreddits:<a+b>``): the
newest thing read and its time. The next poll asks for the things ``before`` it (newer, in
Reddit's listing order) page by page, so nothing is missed or repeated. Reddit answers an empty
page when the cursor's thing has since been deleted or removed from the listing: the newest page
is then read and what is newer than the cursor's time kept. The first poll of a stream reads
only its newest page (no history import). The cursor also watches the latest things: each poll
asks for them again (``/api/info``) to hear edits and deletions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ecoute.sources.api_source import ApiSource, Pooled
from ecoute.sources.base import PollResult, RawItem, Rejected, ReplyTarget, SentReply, SourceError
from ecoute.sources.credentials import secret
from ecoute.sources.reddit.api import API_BASE, AUTH_BASE, Grant, RedditApi
from ecoute.sources.reddit.payload import PLATFORM, SITE, Listing, Thing, to_item
from ecoute.sources.setting_values import flag, names

PAGE_LIMIT = 100  # Reddit's maximum per listing page
FIRST_PAGE = 25  # the first poll of a stream, and the check of a vanished cursor
MAX_PAGES = 10  # per stream and poll; the cursor carries the rest to the next poll
WATCHED = 100  # latest things asked for again at each poll (/api/info takes 100 fullnames)
MAX_REPLY = 10_000  # characters in a comment (Reddit's VMarkdownLength)
REQUIRED_SETTINGS = ("client_id", "client_secret", "username")
ONE_OF_SETTINGS = ("password", "refresh_token")  # a script app's password, or a web app's refresh token
SECRETS = ("client_secret", "password", "refresh_token")  # sealed at rest


@dataclass(frozen=True)
class Stream:
    key: str
    path: str
    params: dict[str, Any]
    keywords: tuple[str, ...] = ()  # kept only when one of them is named (subreddit comments)


@dataclass
class _Read:
    things: list[Thing | Rejected] = field(default_factory=list)
    cursor: list[Any] | None = None
    exhausted: bool = False


class RedditSource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "Reddit: the account's mentions and comment replies, post searches and subreddits' new "
        "comments; replies"
    )

    # --- polling ------------------------------------------------------------------------

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        with self._api(settings) as reddit:
            found: dict[str, Thing] = {}
            items: list[RawItem | Rejected] = []
            deleted: list[str] = []
            new_cursor: dict[str, Any] = dict(cursor)
            spent = False
            for stream in streams(settings):
                read = self._read(reddit, stream, cursor.get(stream.key))
                new_cursor[stream.key] = read.cursor
                for thing in read.things:
                    if isinstance(thing, Rejected):
                        items.append(thing)
                    elif thing.gone:
                        deleted.append(thing.name)
                    elif not stream.keywords or _names_one(thing.text, stream.keywords):
                        found.setdefault(thing.name, thing)  # overlapping searches: each thing once
                if read.exhausted:
                    spent = True
                    break  # the rate-limit window is spent: the other streams wait for the next poll
            watched = [] if spent else cursor.get("watch", [])  # rechecked at the next poll then
            edited, gone, watch = self._recheck(reddit, watched, found)
            if spent and isinstance(cursor.get("watch"), list):
                watch = [w for w in cursor["watch"] if _valid_watch(w) and w[0] not in found]
            items.extend(to_item(t, location=_where(t)) for t in [*found.values(), *edited])
            new_cursor["watch"] = _watch_list(found.values(), watch)
        return PollResult(items, new_cursor, deleted=[*deleted, *gone])

    def _read(self, reddit: RedditApi, stream: Stream, cursor: Any) -> _Read:
        read = _Read(cursor=cursor)
        if not _valid_cursor(cursor):
            page = reddit.get(stream.path, {**stream.params, "limit": FIRST_PAGE})
            self._take(read, Listing.read(page.body), stream, page.exhausted)
            return read
        for _ in range(MAX_PAGES):
            page = reddit.get(stream.path, {**stream.params, "before": read.cursor[0], "limit": PAGE_LIMIT})
            listing = Listing.read(page.body)
            if not listing.children:
                read.exhausted = page.exhausted
                break
            self._take(read, listing, stream, page.exhausted)
            if len(listing.children) < PAGE_LIMIT or page.exhausted:
                return read
        if read.cursor == cursor and not read.exhausted:
            self._vanished(reddit, stream, read)
        return read

    def _vanished(self, reddit: RedditApi, stream: Stream, read: _Read) -> None:
        """Nothing newer than the cursor: quiet, or its thing left the listing (deleted). The newest
        page tells: what is newer than the cursor's time was missed by ``before``."""
        name, since = read.cursor[0], float(read.cursor[1])
        page = reddit.get(stream.path, {**stream.params, "limit": FIRST_PAGE})
        listing = Listing.read(page.body)
        if name in listing.names():
            return
        newer = [t for t in listing.things(stream.path) if isinstance(t, Rejected) or t.created_utc > since]
        read.things.extend(newer)
        read.cursor = _newest(newer, read.cursor)
        read.exhausted = page.exhausted

    @staticmethod
    def _take(read: _Read, listing: Listing, stream: Stream, exhausted: bool) -> None:
        things = listing.things(stream.path)
        read.things.extend(things)
        read.cursor = _newest(things, read.cursor)
        read.exhausted = exhausted

    def _recheck(
        self, reddit: RedditApi, watch: Any, found: Mapping[str, Thing]
    ) -> tuple[list[Thing], list[str], list[list[Any]]]:
        """Ask again for the things watched (those not just read): an edit changes ``edited``; a
        deletion or removal blanks the body."""
        if not isinstance(watch, list):
            return [], [], []
        watched = [w for w in watch if _valid_watch(w) and w[0] not in found][:WATCHED]
        if not watched:
            return [], [], []
        page = reddit.get("/api/info", {"id": ",".join(w[0] for w in watched)})
        alive = {t.name: t for t in Listing.read(page.body).things("/api/info") if isinstance(t, Thing)}
        edited: list[Thing] = []
        deleted: list[str] = []
        kept: list[list[Any]] = []
        for name, revision, created in watched:
            thing = alive.get(name)
            if thing is None or thing.gone:
                deleted.append(name)
                continue
            if thing.revision != revision:
                edited.append(thing)
            kept.append([name, thing.revision, created])
        return edited, deleted, kept

    # --- replying -----------------------------------------------------------------------

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        """A comment answering the post or comment. Reddit has no idempotency key: the account's
        latest comments are read first, and one already answering that thing with the same text
        (an earlier try that reached Reddit) is returned instead of posting again."""
        text = text.strip()
        if not text:
            raise SourceError("reply: the text is empty", retriable=False)
        if len(text) > MAX_REPLY:
            raise SourceError(
                f"reply: {len(text)} characters, over Reddit's limit of {MAX_REPLY}", retriable=False
            )
        if not in_reply_to.external_id.startswith(("t1_", "t3_")):
            raise SourceError(
                f"reply: {in_reply_to.external_id!r} is not a Reddit post or comment", retriable=False
            )
        with self._api(settings) as reddit:
            earlier = self._already_posted(reddit, in_reply_to.external_id, text)
            if earlier is not None:
                return earlier
            posted = reddit.post_comment(in_reply_to.external_id, text)
        name = posted.get("name") or (f"t1_{posted['id']}" if posted.get("id") else None)
        if not name:
            raise SourceError("reply: Reddit's answer names no comment", retriable=True)
        permalink = posted.get("permalink")
        return SentReply(platform_reply_id=str(name), url=SITE + permalink if permalink else None)

    def _already_posted(self, reddit: RedditApi, thing_id: str, text: str) -> SentReply | None:
        page = reddit.get(f"/user/{reddit.grant.username}/comments", {"sort": "new", "limit": PAGE_LIMIT})
        for thing in Listing.read(page.body).things("user comments"):
            if isinstance(thing, Thing) and thing.parent_id == thing_id and thing.body.strip() == text:
                return SentReply(platform_reply_id=thing.name, url=thing.url)
        return None

    def _api(self, settings: Mapping[str, Any]) -> Pooled[RedditApi]:
        missing = [name for name in ("client_id", "username") if not str(settings.get(name) or "").strip()]
        if missing:
            raise SourceError(f"setting {missing[0]!r} is missing: add it to the source", retriable=False)
        app = self.app_settings
        password = settings.get("password_sealed") and secret(settings, "password", app)
        refresh = settings.get("refresh_token_sealed") and secret(settings, "refresh_token", app)
        if not password and not refresh:
            raise SourceError(
                "setting 'password' or 'refresh_token' is missing: add one to the source",
                retriable=False,
                kind="auth",
            )
        username = str(settings["username"]).strip().removeprefix("/").removeprefix("u/")
        if not _USERNAME.fullmatch(username):
            raise SourceError(
                "setting 'username': expected a Reddit username (letters, digits, _ and -), "
                f"got {username!r:.40}",
                retriable=False,
            )
        grant = Grant(
            client_id=str(settings["client_id"]).strip(),
            client_secret=secret(settings, "client_secret", app),
            username=username,
            password=password or None,
            refresh_token=refresh or None,
        )
        return Pooled(
            self._client,
            lambda client: RedditApi(
                grant,
                api_base=str(settings.get("api_base") or API_BASE),
                auth_base=str(settings.get("auth_base") or AUTH_BASE),
                app_id=str(settings.get("app_id") or "ecoute"),
                settings=app,
                client=client,
                sleep=self._sleep,
            ),
        )


def streams(settings: Mapping[str, Any]) -> list[Stream]:
    found: list[Stream] = []
    if flag(settings.get("inbox", True)):
        found.append(Stream("mentions", "/message/mentions", {}))
        found.append(Stream("comments", "/message/comments", {}))
        found.append(Stream("selfreply", "/message/selfreply", {}))
    for query in names(settings.get("searches")):
        subreddit, words = _scoped(query)
        if subreddit:
            found.append(
                Stream(
                    f"search:{query}",
                    f"/r/{subreddit}/search",
                    {"q": words, "sort": "new", "type": "link", "restrict_sr": 1},
                )
            )
        else:
            found.append(Stream(f"search:{query}", "/search", {"q": words, "sort": "new", "type": "link"}))
    subreddits = [s.removeprefix("/").removeprefix("r/") for s in names(settings.get("subreddits"))]
    wrong = [s for s in subreddits if not _SUBREDDIT.fullmatch(s)]
    if wrong:
        raise SourceError(
            f"setting 'subreddits': {wrong[0]!r:.40} is not a subreddit name (letters, digits and _)",
            retriable=False,
        )
    if subreddits:
        joined = "+".join(sorted(set(subreddits), key=str.lower))
        keywords = tuple(names(settings.get("keywords")))
        found.append(Stream(f"subreddits:{joined.lower()}", f"/r/{joined}/comments", {}, keywords))
    return found


_SCOPED = re.compile(r"^/?r/([A-Za-z0-9_]{2,21})\s+(.+)$")
_SUBREDDIT = re.compile(r"[A-Za-z0-9_]{2,21}")
_USERNAME = re.compile(r"[A-Za-z0-9_-]{3,20}")


def _scoped(query: str) -> tuple[str | None, str]:
    """``r/<subreddit> <words>`` searches one subreddit; anything else all of Reddit."""
    found = _SCOPED.match(query.strip())
    return (found.group(1), found.group(2).strip()) if found else (None, query.strip())


def _names_one(text: str, keywords: Iterable[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text, re.IGNORECASE) for k in keywords)


def _newest(things: list[Thing | Rejected], cursor: list[Any] | None) -> list[Any] | None:
    """The cursor after reading ``things`` (newest first): the newest thing and its time."""
    read = [t for t in things if isinstance(t, Thing)]
    if not read:
        return cursor
    top = read[0]
    return [top.name, top.created_utc]


def _valid_cursor(cursor: Any) -> bool:
    return (
        isinstance(cursor, list)
        and len(cursor) == 2
        and isinstance(cursor[0], str)
        and isinstance(cursor[1], int | float)
    )


def _valid_watch(entry: Any) -> bool:
    return (
        isinstance(entry, list) and len(entry) == 3 and all(isinstance(e, str | int | float) for e in entry)
    )


def _watch_list(fresh: Iterable[Thing], kept: list[list[Any]]) -> list[list[Any]]:
    watch = [[t.name, t.revision, t.created_utc] for t in fresh] + kept
    watch.sort(key=lambda w: float(w[2]), reverse=True)
    return watch[:WATCHED]


def _where(thing: Thing) -> str:
    return thing.url or thing.name


__all__ = ["REQUIRED_SETTINGS", "RedditSource"]
