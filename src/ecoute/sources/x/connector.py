"""Hearing a brand on X (API v2): the account's mentions and recent searches (unowned mentions,
competitors), polled with cursors; replies posted where the author addressed the brand, never
twice.

Settings: ``username`` (the brand's handle), ``user_id`` (its numeric id, for mentions and replies;
asked once of ``GET /2/users/me`` when a connected account leaves it out), ``searches``
(recent-search queries, ≤512 characters each: ``"café lumière" -is:retweet``),
``mentions`` (default true); authorisation: ``access_token`` and ``refresh_token`` with
``client_id`` (and ``client_secret`` for a confidential client) from the OAuth 2 connection, or
an app ``bearer_token`` (search only); ``consumer_secret`` for the Account Activity webhook;
``api_base`` and ``token_url`` (X's unless told). Secrets are sealed at rest.

Cursors, per stream (``mentions``, ``search:<query>``): X pages newest first, so the
``newest_id`` of a catch-up's first page becomes the next ``since_id`` only once every page
down to it was read (``next_token``/``pagination_token``, same ``since_id``). A catch-up cut
short (pages, rate limit) keeps its ``next`` token and resumes there: nothing missed, nothing
repeated. The first poll of a stream reads only its newest page (no history import, which X
bills per post read). The cursor also watches the posts of the last two days: each poll looks
them up again (``GET /2/tweets?ids=``) to hear edits and deletions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ecoute.sources.api_source import ApiSource, Pooled
from ecoute.sources.base import PollResult, RawItem, Rejected, ReplyTarget, SentReply, SourceError
from ecoute.sources.credentials import secret
from ecoute.sources.setting_values import flag, names
from ecoute.sources.x.api import API_BASE, FIELDS, TOKEN_URL, UserGrant, XApi
from ecoute.sources.x.length import MAX_WEIGHTED, weighted_length
from ecoute.sources.x.payload import PLATFORM, SITE, Page, Post, User, to_item
from ecoute.webhooks.sealing import SecretUnreadable, seal, unseal

PAGE_SIZE = 100  # X's maximum per page for search and mentions
FIRST_PAGE = 20  # the first poll of a stream (search asks 10 at least, mentions 5)
MAX_PAGES = 10  # per stream and poll; the cursor carries the rest to the next poll
WATCHED = 100  # posts looked up again at each poll (GET /2/tweets takes 100 ids)
WATCH_DAYS = 2
MAX_QUERY = 512  # recent search's query limit
REQUIRED_SETTINGS = ("username",)
ONE_OF_SETTINGS = ("refresh_token", "access_token", "bearer_token")
SECRETS = ("access_token", "refresh_token", "client_secret", "bearer_token", "consumer_secret")
NOT_ADDRESSED = (
    "X lets an app reply only to a post whose author addressed the brand (mentioned @{handle} or "
    "quoted one of its posts); answer this one from X itself, or by another channel"
)

Found = tuple[Post, User | None]
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")


@dataclass(frozen=True)
class Stream:
    key: str
    path: str
    params: dict[str, Any]
    token_param: str  # "pagination_token" (timelines) or "next_token" (search)


@dataclass
class _Read:
    posts: list[Found | Rejected] = field(default_factory=list)
    cursor: dict[str, Any] | None = None
    exhausted: bool = False


class XSource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "X: the account's mentions and recent searches (unowned mentions, competitors); replies "
        "where the author addressed the brand"
    )

    # --- polling ------------------------------------------------------------------------

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        with self._api(settings, cursor) as x:
            found: dict[str, Found] = {}
            items: list[RawItem | Rejected] = []
            new_cursor: dict[str, Any] = dict(cursor)
            spent = False
            own = _own_id(x, settings) if x.has_user else str(settings.get("user_id") or "").strip()
            settings = {**settings, "user_id": own} if own else settings
            for stream in streams(settings):
                read = self._read(x, stream, cursor.get(stream.key))
                new_cursor[stream.key] = read.cursor
                for entry in read.posts:
                    if isinstance(entry, Rejected):
                        items.append(entry)
                    elif entry[0].author_id == own:
                        continue  # the brand's own posts, found by a search: not mentions
                    else:  # mentions and searches overlap, and two versions of one post: each once
                        _keep_newest(found, entry)
                if read.exhausted:
                    spent = True
                    break  # the rate-limit window is spent: the other streams wait for the next poll
            watch = _valid_watch(cursor.get("watch"))
            edited, deleted, kept = ([], [], watch) if spent else self._recheck(x, watch, found)
            items.extend(to_item(p, u, location=_where(p, u)) for p, u in [*found.values(), *edited])
            new_cursor["watch"] = _watch_list(found.values(), kept)
            new_cursor.update(self._rotated(settings, x))
        return PollResult(items, new_cursor, deleted=deleted)

    def _read(self, x: XApi, stream: Stream, cursor: Any) -> _Read:
        state = cursor if isinstance(cursor, dict) else {}
        since, newest, token = (_id(state.get(k)) for k in ("since_id", "newest", "next"))
        if since is None and token is None:  # first poll of the stream: its newest page only
            page, exhausted = self._page_and_budget(x, stream, {"max_results": FIRST_PAGE})
            first = {"since_id": page.newest_id} if page.newest_id else None
            return _Read(_entries(page), first, exhausted)
        read = _Read()
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"max_results": PAGE_SIZE}
            if since:
                params["since_id"] = since
            if token:
                params[stream.token_param] = token
            page, exhausted = self._page_and_budget(x, stream, params)
            newest = newest or page.newest_id  # the first page of this catch-up holds the newest
            read.posts.extend(_entries(page))
            token, read.exhausted = page.next_token, exhausted
            if token is None or exhausted:
                break
        if token is None:
            read.cursor = {"since_id": newest or since}
        else:  # cut short: resume below, and only then move since_id up
            read.cursor = {"since_id": since, "newest": newest, "next": token}
        return read

    @staticmethod
    def _page_and_budget(x: XApi, stream: Stream, params: dict[str, Any]) -> tuple[Page, bool]:
        answer = x.get(stream.path, {**stream.params, **FIELDS, **params})
        return _read_page(answer.body, stream.path), answer.exhausted

    def _recheck(
        self, x: XApi, watch: list[list[str]], found: Mapping[str, Found]
    ) -> tuple[list[Found], list[str], list[list[str]]]:
        """Look the watched posts up again (their latest version known): missing ones were deleted
        (X deletes an edited post's whole chain); one with a newer version in its edit history
        was edited, and that version is looked up. Returns the edits, the deleted ids, the watch
        list kept."""
        cutoff = datetime.now(UTC) - timedelta(days=WATCH_DAYS)
        watch = [w for w in watch if w[0] not in found and _created(w[2]) >= cutoff]
        if not watch:
            return [], [], []
        page = _read_page(
            x.get("/2/tweets", {"ids": ",".join(w[1] for w in watch), **FIELDS}).body, "/2/tweets"
        )
        alive = {p.id: p for p in page.posts if isinstance(p, Post)}
        deleted: list[str] = []
        kept: list[list[str]] = []
        newer: dict[str, list[str]] = {}
        for first, latest, created in watch:
            post = alive.get(latest)
            if post is None:
                if _gone(page.missing.get(latest)):
                    deleted.append(first)
                continue  # any other refusal (a protected account): no longer watched
            if post.latest_id != post.id:
                newer[post.latest_id] = [first, created]
            else:
                kept.append([first, latest, created])
        edited: list[Found] = []
        if newer:
            versions = _read_page(
                x.get("/2/tweets", {"ids": ",".join(newer), **FIELDS}).body, "/2/tweets (edits)"
            )
            for post in versions.posts:
                if isinstance(post, Post) and post.id in newer:
                    edited.append((post, versions.users.get(post.author_id or "")))
                    kept.append([newer.pop(post.id)[0], post.id, post.created_at])
            deleted.extend(first for first, _created in newer.values())
        return edited, deleted, kept

    # --- checking -----------------------------------------------------------------------

    def check(self, settings: Mapping[str, Any]) -> str:
        """A real call that stores nothing: whose user token this is, or (app token only) the
        brand's account looked up by its handle."""
        with self._api(settings, {}) as x:
            if x.has_user:
                body = x.get("/2/users/me", {"user.fields": "username"}, user=True).body
            else:
                body = x.get(f"/2/users/by/username/{_handle(settings)}").body
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("username"), str):
            raise SourceError("X's answer names no account", retriable=True)
        who = f"@{data['username']} (id {data.get('id')})"
        return f"signed in as {who}" if x.has_user else f"app token works; {who}, search only"

    # --- replying -----------------------------------------------------------------------

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        """A post answering the mention. X has no idempotency key: the account's latest posts are
        read first, and one already answering that post with the same text (an earlier try that
        reached X) is returned instead of posting again."""
        text = text.strip()
        if not text:
            raise SourceError("reply: the text is empty", retriable=False)
        length = weighted_length(text)
        if length > MAX_WEIGHTED:
            raise SourceError(
                f"reply: {length} characters as X counts them (links 23, CJK and emoji 2), over its "
                f"limit of {MAX_WEIGHTED}",
                retriable=False,
            )
        handle = _handle(settings)
        with self._api(settings, {}) as x:
            user_id = _own_id(x, settings)
            target, page = self._target(x, in_reply_to.external_id)
            if not _addressed(target, page, user_id, handle):
                raise SourceError(f"reply: {NOT_ADDRESSED.format(handle=handle)}", retriable=False)
            earlier = self._already_posted(x, user_id, handle, target.id, text)
            if earlier is not None:
                return earlier
            posted = x.post_reply(target.id, text)
        return SentReply(platform_reply_id=posted["id"], url=f"{SITE}/{handle}/status/{posted['id']}")

    def _target(self, x: XApi, post_id: str) -> tuple[Post, Page]:
        """The post answered, as X shows it now (its latest version), with its page's expansions."""
        page = _read_page(x.get(f"/2/tweets/{post_id}", FIELDS, user=True).body, f"/2/tweets/{post_id}")
        for post in page.posts:
            if isinstance(post, Post):
                return post, page
        raise SourceError(f"reply: the post {post_id} is gone from X (deleted, or hidden)", retriable=False)

    def _already_posted(
        self, x: XApi, user_id: str, handle: str, post_id: str, text: str
    ) -> SentReply | None:
        page = _read_page(
            x.get(f"/2/users/{user_id}/tweets", {**FIELDS, "max_results": PAGE_SIZE}, user=True).body,
            "the account's posts",
        )
        for post in page.posts:
            if isinstance(post, Post) and post.replied_to == post_id and post.text.strip() == text:
                return SentReply(platform_reply_id=post.id, url=f"{SITE}/{handle}/status/{post.id}")
        return None

    # --- authorisation ------------------------------------------------------------------

    def _api(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> Pooled[XApi]:
        app = self.app_settings
        refresh = settings.get("refresh_token_sealed") and secret(settings, "refresh_token", app)
        access = settings.get("access_token_sealed") and secret(settings, "access_token", app)
        bearer = settings.get("bearer_token_sealed") and secret(settings, "bearer_token", app)
        if not (refresh or access or bearer):
            raise SourceError(
                "setting 'refresh_token', 'access_token' or 'bearer_token' is missing: connect the account",
                retriable=False,
                kind="auth",
            )
        grant = None
        if refresh or access:
            client_id = str(settings.get("client_id") or "").strip()
            if refresh and not client_id:
                raise SourceError(
                    "setting 'client_id' is missing: add the app's OAuth 2 client id", retriable=False
                )
            client_secret = settings.get("client_secret_sealed") and secret(settings, "client_secret", app)
            grant = UserGrant(client_id, access or None, refresh or None, client_secret or None)
        rotated = self._held_refresh(cursor, refresh or "")
        return Pooled(
            self._client,
            lambda client: XApi(
                grant=grant,
                bearer_token=bearer or None,
                api_base=str(settings.get("api_base") or API_BASE),
                token_url=str(settings.get("token_url") or TOKEN_URL),
                settings=app,
                client=client,
                sleep=self._sleep,
                rotated_refresh=rotated,
            ),
        )

    def _held_refresh(self, cursor: Mapping[str, Any], given: str) -> str | None:
        """The newest refresh token kept in the cursor, if it descends from the one in the
        settings (a reconnection gives a new one, and the kept one no longer applies)."""
        if not given or cursor.get("refresh_for") != _digest(given) or not cursor.get("refresh_token_sealed"):
            return None
        try:
            return unseal(self.app_settings.secret_key, str(cursor["refresh_token_sealed"]))
        except SecretUnreadable:
            return None

    def _rotated(self, settings: Mapping[str, Any], x: XApi) -> dict[str, Any]:
        """The refresh token X rotated to, sealed, for the cursor (only when it changed)."""
        given = settings.get("refresh_token_sealed") and secret(settings, "refresh_token", self.app_settings)
        newest = x.refresh_token
        if not given or not newest or newest == given:
            return {}
        return {
            "refresh_for": _digest(given),
            "refresh_token_sealed": seal(self.app_settings.secret_key, newest),
        }


def streams(settings: Mapping[str, Any]) -> list[Stream]:
    found: list[Stream] = []
    if flag(settings.get("mentions", True)):
        found.append(Stream("mentions", f"/2/users/{_user_id(settings)}/mentions", {}, "pagination_token"))
    for query in names(settings.get("searches")):
        if len(query) > MAX_QUERY:
            raise SourceError(
                f"setting 'searches': {query[:40]!r}… is {len(query)} characters, over X's {MAX_QUERY}",
                retriable=False,
            )
        found.append(Stream(f"search:{query}", "/2/tweets/search/recent", {"query": query}, "next_token"))
    return found


def _read_page(body: Any, where: str) -> Page:
    try:
        return Page.read(body, where=where)
    except ValueError as error:  # PayloadError: the answer itself is not shaped like X's
        raise SourceError(f"{where}: X's answer is not a page of posts ({error})", retriable=True) from None


def _entries(page: Page) -> list[Found | Rejected]:
    """The page's posts with their authors; a repost is skipped (it adds no words: the post it
    shares is heard where it matches)."""
    return [
        p if isinstance(p, Rejected) else (p, page.users.get(p.author_id or ""))
        for p in page.posts
        if isinstance(p, Rejected) or p.retweeted is None
    ]


def _keep_newest(found: dict[str, Found], entry: Found) -> None:
    held = found.get(entry[0].first_id)
    if held is None or int(entry[0].id) > int(held[0].id):
        found[entry[0].first_id] = entry


def _addressed(post: Post, page: Page, user_id: str, handle: str) -> bool:
    """Whether X lets the brand reply: the author mentioned it, answered one of its posts, or
    quoted one (the quoted post's author is in the ``referenced_tweets.id`` expansion)."""
    if handle.lower() in post.mentioned or post.in_reply_to_user_id == user_id:
        return True
    return post.quoted is not None and page.referenced_authors.get(post.quoted) == user_id


_OWN_IDS: dict[tuple[str, ...], str] = {}  # per account: its numeric id, asked once per process


def _own_id(x: XApi, settings: Mapping[str, Any]) -> str:
    """The brand account's numeric id: the ``user_id`` setting, or (a source connected from the
    Sources page has none) asked once of ``GET /2/users/me`` with the account's token."""
    if str(settings.get("user_id") or "").strip() or not x.has_user:
        return _user_id(settings)
    key = x.account_key
    if key not in _OWN_IDS:
        body = x.get("/2/users/me", {"user.fields": "username"}, user=True).body
        data = body.get("data") if isinstance(body, dict) else None
        found = str(data.get("id") or "") if isinstance(data, dict) else ""
        if not found.isdigit():
            raise SourceError("X's answer to /2/users/me names no account id", retriable=True)
        _OWN_IDS[key] = found
    return _OWN_IDS[key]


def _user_id(settings: Mapping[str, Any]) -> str:
    user_id = str(settings.get("user_id") or "").strip()
    if not user_id.isdigit():
        raise SourceError(
            f"setting 'user_id': expected the brand account's numeric X id, got {user_id[:30]!r}",
            retriable=False,
        )
    return user_id


def _handle(settings: Mapping[str, Any]) -> str:
    handle = str(settings.get("username") or "").strip().lstrip("@")
    if not _HANDLE.fullmatch(handle):
        raise SourceError(
            f"setting 'username': expected the brand's X handle (letters, digits and _), got {handle!r:.40}",
            retriable=False,
        )
    return handle


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _gone(error_type: str | None) -> bool:
    """Missing without a word, or "resource-not-found": deleted. Anything else (the author's
    account protected or suspended) is not a deletion."""
    return error_type is None or error_type.endswith("resource-not-found") or error_type == "Not Found Error"


def _created(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _valid_watch(value: Any) -> list[list[str]]:
    return [
        w
        for w in (value if isinstance(value, list) else [])
        if isinstance(w, list) and len(w) == 3 and all(isinstance(e, str) for e in w)
    ]


def _watch_list(fresh: Iterable[Found], kept: list[list[str]]) -> list[list[str]]:
    watch = [[p.first_id, p.id, p.created_at] for p, _u in fresh] + kept
    watch.sort(key=lambda w: w[2], reverse=True)
    return watch[:WATCHED]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _where(post: Post, author: User | None) -> str:
    return f"{SITE}/{author.username if author else 'i/web'}/status/{post.id}"


__all__ = ["ONE_OF_SETTINGS", "REQUIRED_SETTINGS", "XSource"]
