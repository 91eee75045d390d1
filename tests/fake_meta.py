"""A local Graph API for tests, speaking for one Facebook Page and one Instagram account: a Page's
feed (with each post's comment count), a post's comments (``filter=stream``, replies with their
``parent``), the posts it is tagged in, an Instagram account's media, their comments with the
replies nested, the media it is tagged in, ``mentioned_comment``, replies posted to comments;
``paging.cursors.after`` paging, the usage headers (``X-App-Usage``,
``X-Business-Use-Case-Usage``), bearer tokens with ``appsecret_proof``, and Graph's error bodies
(190, 4/32, 200, 100/33, 5xx); it can be told to fail before answering normally."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_platform import RecordingHandler, RecordingServer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures"
VERSION = "v24.0"
PAGE_ID = "104233391234567"
IG_USER_ID = "17841400000000001"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAEcouteTestPageToken"
APP_SECRET = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
VERIFY_TOKEN = "ecoute-verify-3d9f"
POST = "104233391234567_802211"
MEDIA = "17895695668004550"


def fixture(platform: str, name: str) -> Any:
    return json.loads((FIXTURES / platform / name).read_text(encoding="utf-8"))


class FakeMeta(RecordingServer):
    def __init__(self, handler: type[RecordingHandler] | None = None) -> None:
        super().__init__(handler or _Handler)
        self.tokens: set[str] = {PAGE_TOKEN}
        self.app_secret = APP_SECRET
        self.app_usage: dict[str, int] = {"call_count": 4, "total_time": 2, "total_cputime": 1}
        self.buc_usage: dict[str, Any] | None = None
        self.fb_posts: list[dict[str, Any]] = []  # newest first, as the feed lists them
        self.fb_comments: dict[str, list[dict[str, Any]]] = {}  # post id → comments, oldest first
        self.tagged: list[dict[str, Any]] = []
        self.ig_media: list[dict[str, Any]] = []
        self.ig_comments: dict[str, list[dict[str, Any]]] = {}  # media id → top-level comments
        self.ig_replies: dict[str, list[dict[str, Any]]] = {}  # comment id → replies
        self.ig_tags: list[dict[str, Any]] = []
        self.mentioned: dict[str, dict[str, Any]] = {}  # comment id → mentioned_comment
        self.posted: list[tuple[str, str]] = []  # (target id, message)
        self.lose_next_answer = False  # post the next reply, then answer 500 as a proxy would

    # --- what Meta holds ------------------------------------------------------------------

    def fb_comment(self, comment_id: str) -> tuple[str, dict[str, Any]] | None:
        for post, comments in self.fb_comments.items():
            for comment in comments:
                if comment["id"] == comment_id:
                    return post, comment
        return None

    def edit_fb(self, comment_id: str, message: str) -> None:
        found = self.fb_comment(comment_id)
        assert found is not None
        found[1]["message"] = message

    def delete_fb(self, comment_id: str) -> None:
        for comments in self.fb_comments.values():
            comments[:] = [c for c in comments if c["id"] != comment_id]

    def add_fb_comment(self, post: str, comment: dict[str, Any]) -> None:
        self.fb_comments.setdefault(post, []).append(copy.deepcopy(comment))

    def ig_comment(self, comment_id: str) -> tuple[str, dict[str, Any]] | None:
        for media, comments in self.ig_comments.items():
            for comment in comments:
                if comment["id"] == comment_id:
                    return media, comment
        for parent, replies in self.ig_replies.items():
            for reply in replies:
                if reply["id"] == comment_id:
                    owner = self.ig_comment(parent)
                    return (owner[0] if owner else ""), reply
        return None

    def delete_ig(self, comment_id: str) -> None:
        for comments in [*self.ig_comments.values(), *self.ig_replies.values()]:
            comments[:] = [c for c in comments if c["id"] != comment_id]


class _Handler(RecordingHandler):
    server: FakeMeta
    not_found = fixture("facebook", "error__object_gone.json")

    def reply(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        srv = self.server
        usage = {"X-App-Usage": json.dumps(srv.app_usage)}
        if srv.buc_usage is not None:
            usage["X-Business-Use-Case-Usage"] = json.dumps(srv.buc_usage)
        super().reply(status, raw, {**usage, **headers})

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in srv.tokens:
            return 400, fixture("facebook", "error__token_expired.json")
        proof = query.get("appsecret_proof", [""])[0]
        expected = hmac.new(srv.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if proof and proof != expected:
            return 400, {
                "error": {"message": "Invalid appsecret_proof provided in the API argument", "code": 100}
            }
        parts = path.strip("/").split("/")
        if not parts or parts[0] != VERSION or len(parts) not in (2, 3):
            return None
        node, edge = parts[1], parts[2] if len(parts) == 3 else ""
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()} if body else {}
        return self._route(method, node, edge, query, form)

    def _route(
        self, method: str, node: str, edge: str, query: dict[str, list[str]], form: dict[str, str]
    ) -> Any:
        srv = self.server
        if method == "POST":
            return self._post(node, edge, form.get("message", ""))
        if node == PAGE_ID and edge == "feed":
            return 200, _paged([_with_count(p, srv) for p in srv.fb_posts], query)
        if node == PAGE_ID and edge == "tagged":
            return 200, _paged(copy.deepcopy(srv.tagged), query)
        if node == IG_USER_ID and edge == "media":
            return 200, _paged(copy.deepcopy(srv.ig_media), query)
        if node == IG_USER_ID and edge == "tags":
            return 200, _paged(copy.deepcopy(srv.ig_tags), query)
        if node == PAGE_ID and not edge:
            return 200, {"name": "Café Lumière", "id": PAGE_ID}
        if node == IG_USER_ID and not edge:
            if query.get("fields", [""])[0].startswith("mentioned_"):
                return self._mentioned(query)
            return 200, {"username": "cafelumiere", "id": IG_USER_ID}
        if edge == "comments" and node in srv.fb_comments:
            return 200, _paged(copy.deepcopy(srv.fb_comments[node]), query)
        if edge == "comments" and srv.fb_comment(node):
            post = srv.fb_comment(node)[0]
            rows = [c for c in srv.fb_comments[post] if c.get("parent", {}).get("id") == node]
            return 200, _paged(copy.deepcopy(rows), query)
        if edge == "comments" and node in srv.ig_comments:
            rows = []
            for comment in srv.ig_comments[node]:
                comment = copy.deepcopy(comment)
                replies = srv.ig_replies.get(comment["id"], [])
                if replies:
                    comment["replies"] = {"data": copy.deepcopy(replies)}
                rows.append(comment)
            return 200, _paged(rows, query)
        if not edge and (found := srv.ig_comment(node)):
            return 200, {k: v for k, v in found[1].items() if k in ("id", "parent_id")}
        if edge == "replies" and srv.ig_comment(node):
            return 200, _paged(copy.deepcopy(srv.ig_replies.get(node, [])), query)
        return 400, fixture("facebook", "error__object_gone.json")  # Graph's answer for an unknown id

    def _post(self, node: str, edge: str, message: str) -> Any:
        srv = self.server
        if edge == "comments" and (found := srv.fb_comment(node) or _post_of(srv, node)):
            post, parent = found
            if len(message) > 8000:
                return 400, {"error": {"message": "(#100) message is too long", "code": 100}}
            new_id = f"{post.split('_')[-1]}_{9000 + len(srv.posted)}"
            comment = {
                "id": new_id,
                "message": message,
                "created_time": "2026-12-02T12:00:00+0000",
                "from": {"name": "Café Lumière", "id": PAGE_ID},
                **({"parent": {"id": parent["id"]}} if parent else {}),
            }
            srv.fb_comments[post].append(comment)
        elif edge == "replies" and (found := srv.ig_comment(node)):
            _media, target = found
            if len(message) > 2200:
                return 400, {"error": {"message": "(#100) message is too long", "code": 100}}
            top = target.get("parent_id") or target["id"]  # a reply to a reply joins the top-level comment
            new_id = f"1787344045914{1100 + len(srv.posted)}"
            srv.ig_replies.setdefault(top, []).append(
                {
                    "id": new_id,
                    "text": message,
                    "timestamp": "2026-12-02T12:00:00+0000",
                    "username": "cafelumiere",
                    "from": {"id": IG_USER_ID, "username": "cafelumiere"},
                    "parent_id": top,
                }
            )
        else:
            return 400, fixture("facebook", "error__object_gone.json")
        srv.posted.append((node, message))
        if srv.lose_next_answer:
            srv.lose_next_answer = False
            return 500, {
                "error": {"message": "An unexpected error has occurred.", "code": 2, "is_transient": True}
            }
        return 200, {"id": new_id}

    def _mentioned(self, query: dict[str, list[str]]) -> Any:
        fields = query.get("fields", [""])[0]
        match = re.match(r"mentioned_comment\.comment_id\((\w+)\)", fields)
        if match and match.group(1) in self.server.mentioned:
            return 200, {
                "mentioned_comment": copy.deepcopy(self.server.mentioned[match.group(1)]),
                "id": IG_USER_ID,
            }
        return 400, fixture("facebook", "error__object_gone.json")


def _post_of(srv: FakeMeta, node: str) -> tuple[str, None] | None:
    return (node, None) if node in srv.fb_comments else None


def _with_count(post: dict[str, Any], srv: FakeMeta) -> dict[str, Any]:
    post = copy.deepcopy(post)
    count = len(srv.fb_comments.get(post["id"], []))
    post["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": count, "can_comment": True}}
    return post


def _paged(rows: list[Any], query: dict[str, list[str]]) -> dict[str, Any]:
    start = int(query.get("after", ["c0"])[0].removeprefix("c") or 0)
    size = int(query.get("limit", ["25"])[0])
    page = rows[start : start + size]
    body: dict[str, Any] = {"data": page}
    if page:
        body["paging"] = {"cursors": {"before": f"c{start}", "after": f"c{start + len(page)}"}}
        if start + size < len(rows):
            body["paging"]["next"] = f"https://graph.facebook.com/{VERSION}/next?after=c{start + size}"
    return body


def running_meta() -> Any:
    """A Meta holding the fixtures: the Page's three posts (one with three comments, one a
    visitor's), a post it is tagged in; the account's two media (one with a comment and its
    two replies, and another comment), a media it is tagged in, a comment that mentions it."""
    return running(loaded(FakeMeta()))


def loaded(server: FakeMeta) -> FakeMeta:
    """``server`` holding the fixtures ``running_meta`` describes."""
    feed = fixture("facebook", "feed__page_posts.json")["data"]
    server.fb_posts = [{k: v for k, v in p.items() if k != "comments"} for p in feed]
    for post in server.fb_posts:
        server.fb_comments[post["id"]] = []
    server.fb_comments[POST] = fixture("facebook", "comments__post_stream.json")["data"]
    server.tagged = fixture("facebook", "tagged__posts.json")["data"]
    server.ig_media = fixture("instagram", "media__recent.json")["data"]
    for media in server.ig_media:
        server.ig_comments[media["id"]] = []
    for comment in fixture("instagram", "comments__media.json")["data"]:
        replies = comment.pop("replies", {}).get("data", [])
        server.ig_comments[MEDIA].append(comment)
        if replies:
            server.ig_replies[comment["id"]] = replies
    server.ig_tags = fixture("instagram", "tags__media.json")["data"]
    mention = fixture("instagram", "mentioned_comment__found.json")["mentioned_comment"]
    server.mentioned[mention["id"]] = mention
    return server
