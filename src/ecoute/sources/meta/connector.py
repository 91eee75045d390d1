"""Hearing a brand on Facebook and Instagram through Meta's Graph API: two source types, one
package, because the Sources page lists platforms (the desk, the composer's length limits and
the docs are per platform) while the Graph client, its errors, the webhooks and the cursors are
shared.

``facebook`` (a Page): the comments and replies on the Page's latest posts (visitors' posts to
the Page too), and posts the Page is tagged in (``/{page-id}/tagged``). Settings: ``page_id``,
``access_token`` (a Page access token, sealed); ``app_secret`` and ``verify_token`` (sealed) for
webhooks; ``posts`` (how many of the latest posts to watch, default 10), ``tagged`` (default
true), ``api_base`` (Meta's unless told).

``instagram`` (a Business or Creator account): the comments and replies on its latest media, and
media it is tagged in (``/{ig-user-id}/tags``). Settings: ``ig_user_id``, ``access_token`` (the
Page token of the Page linked to the account, or an Instagram user token with ``api_base``
``https://graph.instagram.com``), ``app_secret``, ``verify_token``, ``posts``, ``tags``, ``api_base``.

Cursor: for each watched post, its comments' ids and revisions (``{post: {comment: revision}}``).
Each poll reads the watched posts' comments again: a comment not in the cursor is new, one with
another revision was edited, and one missing from a complete listing was deleted (hidden from
the inbox, kept in the audit trail). Posts with no comment are not read. Once Meta's usage
headers near 100 %, the poll stops there and the posts not read keep their cursor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

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
from ecoute.sources.meta.api import API_BASE, GraphApi, ObjectGone
from ecoute.sources.meta.payload import (
    FACEBOOK,
    FACEBOOK_URL,
    INSTAGRAM,
    FacebookComment,
    FacebookPost,
    InstagramComment,
    InstagramMedia,
    digest,
)
from ecoute.sources.payload_fields import rejected
from ecoute.sources.setting_values import flag

logger = logging.getLogger(__name__)
DEFAULT_POSTS = 10
MAX_POSTS = 50
COMMENT_PAGES = 5  # pages of comments per post and poll: beyond, deletions are not inferred
PAGE_LIMIT = 100
IG_PAGE_LIMIT = 50
TAGGED_LIMIT = 25
MAX_REPLY = {FACEBOOK: 8000, INSTAGRAM: 2200}
FB_COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url,like_count,comment_count"
FB_POST_FIELDS = "id,message,created_time,updated_time,from{id,name},permalink_url"
IG_COMMENT_FIELDS = "id,text,timestamp,username,from,like_count,hidden,parent_id"
MENTIONED_COMMENT = "id,text,timestamp,username,like_count,media{id,permalink}"
IG_MEDIA_FIELDS = "id,caption,timestamp,permalink,username,like_count,comments_count,media_product_type"
FACEBOOK_SETTINGS = ("page_id", "access_token")
INSTAGRAM_SETTINGS = ("ig_user_id", "access_token")


@dataclass(frozen=True)
class Root:
    """A post (or media) whose comments are heard: its id, link and how many comments it has
    (None when Meta did not say)."""

    id: str
    url: str | None
    comments: int | None


@dataclass
class _Heard:
    items: list[RawItem | Rejected] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    watch: dict[str, dict[str, str]] = field(default_factory=dict)


class MetaSource(ApiSource):
    """What the two Meta sources share: the Graph client from sealed settings, the comment
    watch, and replies read before they are posted."""

    platform: ClassVar[str]
    own_setting: ClassVar[str]

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        own = self._own(settings)
        old = _watch(cursor.get("posts"))
        heard = _Heard()
        new_cursor: dict[str, Any] = dict(cursor)
        with self._api(settings) as api:
            roots, extra = self._roots(api, settings, own, cursor, heard)
            new_cursor.update(extra)
            for index, root in enumerate(roots):
                before = old.get(root.id, {})
                if api.near_limit:
                    logger.warning(
                        "meta.near_rate_limit", extra={"platform": self.platform, "usage": api.usage}
                    )
                    heard.watch.update({r.id: old[r.id] for r in roots[index:] if r.id in old})
                    break
                if root.comments == 0 and not before:
                    continue
                try:
                    self._comments(api, root, own, before, heard)
                except ObjectGone as error:
                    # The post is gone (or out of reach): so are its comments, and the post
                    # itself when it was a visitor's (stored); the rest of the poll goes on.
                    logger.info("meta.post_gone", extra={"post": root.id, "error": str(error)})
                    heard.deleted.extend([root.id, *before])
        new_cursor["posts"] = heard.watch
        return PollResult(heard.items, new_cursor, deleted=heard.deleted)

    def _comments(self, api: GraphApi, root: Root, own: str, before: dict[str, str], heard: _Heard) -> None:
        rows, complete = self._listing(api, root)
        now: dict[str, str] = {}
        for index, (payload, parent) in enumerate(rows):
            try:
                comment = self._read(payload, root, parent, where=f"{root.id} comments[{index}]")
            except PayloadError as error:
                heard.items.append(rejected(error, location=f"{root.id} [{index}]", payload=payload))
                if isinstance(payload, dict) and str(payload.get("id")) in before:
                    now[str(payload["id"])] = before[str(payload["id"])]  # unreadable is not deleted
                continue
            revision = digest(comment.text)
            now[comment.id] = revision
            if comment.author.id == own:
                continue  # the brand's own replies are not mentions
            if before.get(comment.id) != revision:
                heard.items.append(comment.item())
        if complete:
            heard.deleted.extend(i for i in before if i not in now)
        else:
            now = {**before, **now}
        heard.watch[root.id] = now

    # --- per platform -------------------------------------------------------------------

    def _roots(
        self, api: GraphApi, settings: Mapping[str, Any], own: str, cursor: Mapping[str, Any], heard: _Heard
    ) -> tuple[list[Root], dict[str, Any]]:
        raise NotImplementedError

    def _listing(self, api: GraphApi, root: Root) -> tuple[list[tuple[Any, str | None]], bool]:
        raise NotImplementedError

    def _read(
        self, payload: Any, root: Root, parent: str | None, *, where: str
    ) -> FacebookComment | InstagramComment:
        raise NotImplementedError

    def _replies_of(self, api: GraphApi, target: str) -> list[tuple[str, str, str | None]]:
        """(id, text, author id) of the replies already under ``target``."""
        raise NotImplementedError

    def _post_reply(self, api: GraphApi, target: str, text: str) -> str:
        raise NotImplementedError

    def check(self, settings: Mapping[str, Any]) -> str:
        """The Sources page's test: read the Page or account with the token (stores nothing)."""
        own = self._own(settings)
        name_field = "name" if self.platform == FACEBOOK else "username"
        with self._api(settings) as api:
            body = api.get(f"/{own}", {"fields": f"id,{name_field}"})
        name = body.get(name_field) if isinstance(body, dict) else None
        return f"{self.platform.title()} {name or own} ({own}) is readable with this token"

    # --- replying -----------------------------------------------------------------------

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        """A reply under the comment. The Graph API takes no idempotency key: the comment's
        replies are read first, and one the brand already posted with the same text is returned
        instead of posting again."""
        text = text.strip()
        limit = MAX_REPLY[self.platform]
        if not text:
            raise SourceError("reply: the text is empty", retriable=False)
        if len(text) > limit:
            raise SourceError(
                f"reply: {len(text)} characters, over {self.platform.title()}'s limit of {limit}",
                retriable=False,
            )
        own = self._own(settings)
        target = in_reply_to.external_id
        self._check_target(in_reply_to)
        with self._api(settings) as api:
            for reply_id, reply_text, author in self._replies_of(api, target):
                if author == own and reply_text.strip() == text:
                    return SentReply(reply_id, self._reply_url(reply_id, in_reply_to))
            posted = self._post_reply(api, target, text)
        return SentReply(posted, self._reply_url(posted, in_reply_to))

    def _check_target(self, target: ReplyTarget) -> None:
        pass

    def _reply_url(self, reply_id: str, target: ReplyTarget) -> str | None:
        return target.url

    # --- settings -----------------------------------------------------------------------

    def _own(self, settings: Mapping[str, Any]) -> str:
        own = str(settings.get(self.own_setting) or "").strip()
        if not own:
            raise SourceError(
                f"setting {self.own_setting!r} is missing: add it to the source "
                f"(see docs/sources/{self.platform}.md)",
                retriable=False,
            )
        return own

    def _api(self, settings: Mapping[str, Any]) -> Pooled[GraphApi]:
        app = self.app_settings
        token = secret(settings, "access_token", app)
        app_secret = secret(settings, "app_secret", app) if settings.get("app_secret_sealed") else None
        return Pooled(
            self._client,
            lambda client: GraphApi(
                access_token=token,
                app_secret=app_secret,
                api_base=str(settings.get("api_base") or API_BASE),
                settings=app,
                client=client,
                sleep=self._sleep,
            ),
        )


class FacebookSource(MetaSource):
    platform: ClassVar[str] = FACEBOOK
    own_setting: ClassVar[str] = "page_id"
    description: ClassVar[str] = (
        "Facebook Page: comments and replies on its posts, visitors' posts, posts it is tagged in; "
        "replies. Settings: page_id, access_token (Page token); app_secret, verify_token for webhooks"
    )

    def _roots(
        self, api: GraphApi, settings: Mapping[str, Any], own: str, cursor: Mapping[str, Any], heard: _Heard
    ) -> tuple[list[Root], dict[str, Any]]:
        fields = f"{FB_POST_FIELDS},comments.limit(0).summary(true)"
        body = api.get(f"/{own}/feed", {"fields": fields, "limit": _posts(settings)})
        roots: list[Root] = []
        seen_posts = _revisions(cursor.get("visitor_posts"))
        visitor: dict[str, str] = {}
        for index, payload in enumerate(_data(body)):
            try:
                post = FacebookPost.read(payload, where=f"feed data[{index}]")
            except PayloadError as error:
                heard.items.append(rejected(error, location=f"{own}/feed [{index}]", payload=payload))
                continue
            summary = (
                payload.get("comments", {}).get("summary", {})
                if isinstance(payload.get("comments"), dict)
                else {}
            )
            total = summary.get("total_count") if isinstance(summary, dict) else None
            roots.append(Root(post.id, post.url, total if isinstance(total, int) else None))
            if post.author.id and post.author.id != own:  # a visitor's post on the Page
                item = post.item()
                visitor[post.id] = str(item.revision)
                if seen_posts.get(post.id) != item.revision:
                    heard.items.append(item)
        extra: dict[str, Any] = {"visitor_posts": visitor}
        if flag(settings.get("tagged", True)) and not api.near_limit:
            extra["tagged"] = _tagged(api, f"/{own}/tagged", FB_POST_FIELDS, FacebookPost.read, cursor, heard)
        return roots, extra

    def _listing(self, api: GraphApi, root: Root) -> tuple[list[tuple[Any, str | None]], bool]:
        params = {
            "filter": "stream",
            "order": "chronological",
            "fields": FB_COMMENT_FIELDS,
            "limit": PAGE_LIMIT,
        }
        rows, complete = api.pages(f"/{root.id}/comments", params, max_pages=COMMENT_PAGES)
        return [(row, None) for row in rows], complete

    def _read(self, payload: Any, root: Root, parent: str | None, *, where: str) -> FacebookComment:
        return FacebookComment.read(payload, post_id=root.id, where=where)

    def _replies_of(self, api: GraphApi, target: str) -> list[tuple[str, str, str | None]]:
        params = {"filter": "stream", "fields": "id,message,from{id,name}", "limit": PAGE_LIMIT}
        rows, _ = api.pages(f"/{target}/comments", params, max_pages=COMMENT_PAGES)
        return [_reply_row(row, "message") for row in rows if isinstance(row, dict)]

    def _post_reply(self, api: GraphApi, target: str, text: str) -> str:
        return _posted_id(api.post(f"/{target}/comments", {"message": text}))

    def _reply_url(self, reply_id: str, target: ReplyTarget) -> str | None:
        return FACEBOOK_URL + reply_id


class InstagramSource(MetaSource):
    platform: ClassVar[str] = INSTAGRAM
    own_setting: ClassVar[str] = "ig_user_id"
    description: ClassVar[str] = (
        "Instagram Business or Creator account: comments and replies on its media, media it is "
        "tagged in; replies. Settings: ig_user_id, access_token; app_secret, verify_token for webhooks"
    )

    def _roots(
        self, api: GraphApi, settings: Mapping[str, Any], own: str, cursor: Mapping[str, Any], heard: _Heard
    ) -> tuple[list[Root], dict[str, Any]]:
        body = api.get(f"/{own}/media", {"fields": IG_MEDIA_FIELDS, "limit": _posts(settings)})
        roots: list[Root] = []
        for index, payload in enumerate(_data(body)):
            try:
                media = InstagramMedia.read(payload, where=f"media data[{index}]")
            except PayloadError as error:
                heard.items.append(rejected(error, location=f"{own}/media [{index}]", payload=payload))
                continue
            counted = payload.get("comments_count") if isinstance(payload, dict) else None
            roots.append(Root(media.id, media.url, counted if isinstance(counted, int) else None))
        extra: dict[str, Any] = {}
        if flag(settings.get("tags", True)) and not api.near_limit:
            extra["tags"] = _tagged(api, f"/{own}/tags", IG_MEDIA_FIELDS, InstagramMedia.read, cursor, heard)
        return roots, extra

    def _listing(self, api: GraphApi, root: Root) -> tuple[list[tuple[Any, str | None]], bool]:
        fields = f"{IG_COMMENT_FIELDS},replies{{{IG_COMMENT_FIELDS}}}"
        rows, complete = api.pages(
            f"/{root.id}/comments", {"fields": fields, "limit": IG_PAGE_LIMIT}, max_pages=COMMENT_PAGES
        )
        found: list[tuple[Any, str | None]] = []
        for row in rows:
            found.append((row, None))
            replies = row.get("replies") if isinstance(row, dict) else None
            listed = replies.get("data") if isinstance(replies, dict) else None
            parent = str(row.get("id")) if isinstance(row, dict) else None
            found.extend((reply, parent) for reply in (listed if isinstance(listed, list) else []))
            if (
                isinstance(replies, dict)
                and isinstance(replies.get("paging"), dict)
                and replies["paging"].get("next")
            ):
                complete = False  # more replies than Meta nests: deletions are not inferred
        return found, complete

    def _read(self, payload: Any, root: Root, parent: str | None, *, where: str) -> InstagramComment:
        if parent and isinstance(payload, dict) and not payload.get("parent_id"):
            payload = {**payload, "parent_id": parent}
        return InstagramComment.read(payload, media_id=root.id, url=root.url, where=where)

    def _check_target(self, target: ReplyTarget) -> None:
        if target.thread_id and target.thread_id == target.external_id:
            raise SourceError(
                "reply: this is a post the account is tagged in; "
                "Instagram lets it be answered from the app only",
                retriable=False,
            )

    def _replies_of(self, api: GraphApi, target: str) -> list[tuple[str, str, str | None]]:
        """Instagram adds a reply to a reply under the top-level comment: read that one's."""
        comment = api.get(f"/{target}", {"fields": "id,parent_id"})
        parent = comment.get("parent_id") if isinstance(comment, dict) else None
        top = str(parent) if isinstance(parent, str | int) and parent else target
        rows, _ = api.pages(
            f"/{top}/replies",
            {"fields": "id,text,username,from", "limit": IG_PAGE_LIMIT},
            max_pages=COMMENT_PAGES,
        )
        return [_reply_row(row, "text") for row in rows if isinstance(row, dict)]

    def _post_reply(self, api: GraphApi, target: str, text: str) -> str:
        return _posted_id(api.post(f"/{target}/replies", {"message": text}))

    def mentioned(
        self, settings: Mapping[str, Any], mentions: list[dict[str, str]]
    ) -> list[RawItem | Rejected]:
        """The comments and captions that @mention the account, as the ``mentions`` webhook names
        them (ids only): read through ``mentioned_comment`` / ``mentioned_media``. One that is
        gone by now is skipped."""
        own = self._own(settings)
        found: list[RawItem | Rejected] = []
        with self._api(settings) as api:
            for index, mention in enumerate(mentions):
                media_id, comment_id = str(mention.get("media_id") or ""), mention.get("comment_id")
                where = f"mentions[{index}]"
                try:
                    if comment_id:
                        fields = f"mentioned_comment.comment_id({comment_id}){{{MENTIONED_COMMENT}}}"
                        body = api.get(f"/{own}", {"fields": fields})
                        payload = body.get("mentioned_comment") if isinstance(body, dict) else None
                        media = payload.get("media") if isinstance(payload, dict) else None
                        url = media.get("permalink") if isinstance(media, dict) else None
                        comment = InstagramComment.read(payload, media_id=media_id, url=url, where=where)
                        found.append(comment.item())
                    else:
                        fields = f"mentioned_media.media_id({media_id}){{{IG_MEDIA_FIELDS}}}"
                        body = api.get(f"/{own}", {"fields": fields})
                        payload = body.get("mentioned_media") if isinstance(body, dict) else None
                        found.append(InstagramMedia.read(payload, where=where).item())
                except PayloadError as error:
                    found.append(rejected(error, location=f"instagram mention {index}", payload=mention))
                except ObjectGone as error:
                    logger.info("meta.mention_gone", extra={"mention": mention, "error": str(error)})
        return found


def _tagged(
    api: GraphApi,
    path: str,
    fields: str,
    read: Callable[..., FacebookPost | InstagramMedia],
    cursor: Mapping[str, Any],
    heard: _Heard,
) -> dict[str, str]:
    """The latest posts the brand is tagged in (``tagged`` on a Page, ``tags`` on Instagram):
    those new or changed since the cursor's revisions become items; the new revisions returned."""
    key = path.rsplit("/", 1)[-1]
    before = _revisions(cursor.get(key))
    now: dict[str, str] = {}
    for index, payload in enumerate(_data(api.get(path, {"fields": fields, "limit": TAGGED_LIMIT}))):
        try:
            item = read(payload, where=f"{key} data[{index}]").item()
        except PayloadError as error:
            heard.items.append(rejected(error, location=f"{path} [{index}]", payload=payload))
            continue
        now[item.external_id] = str(item.revision)
        if before.get(item.external_id) != item.revision:
            heard.items.append(item)
    return now


def _posts(settings: Mapping[str, Any]) -> int:
    try:
        wanted = int(str(settings.get("posts") or DEFAULT_POSTS))
    except ValueError:
        raise SourceError(
            f"setting 'posts': expected a number of posts, got {str(settings.get('posts'))[:40]!r}",
            retriable=False,
        ) from None
    return max(1, min(MAX_POSTS, wanted))


def _data(body: Any) -> list[Any]:
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, list) else []


def _watch(value: Any) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): _revisions(v) for k, v in value.items() if isinstance(v, dict)}


def _revisions(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str)}


def _reply_row(row: Mapping[str, Any], text_key: str) -> tuple[str, str, str | None]:
    author = row.get("from")
    author_id = str(author.get("id")) if isinstance(author, dict) and author.get("id") else None
    return str(row.get("id")), str(row.get(text_key) or ""), author_id


def _posted_id(answer: Any) -> str:
    posted = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(posted, str) or not posted:
        raise SourceError(f"reply: Meta's answer has no id ({str(answer)[:100]})", retriable=True)
    return posted
