"""A local YouTube Data API for tests: comment threads (newest first, with a few of their replies,
``pageToken`` paging), ``comments.list`` by parent or ids, ``search.list`` (``publishedAfter``),
``comments.insert``, Google's token endpoint (refresh-token grant), API keys and bearer tokens,
and YouTube's error bodies (401, 403 ``quotaExceeded`` / ``commentsDisabled``, 5xx); it can be
told to fail before answering normally."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_platform import RecordingHandler, RecordingServer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "youtube"
CHANNEL = "UCcafeLumiere0000000000a"
API_KEY = "AIzaSyTest-ecoute-0000000000000000"
CLIENT_ID = "1234-ecoute.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-ecoute-test"
REFRESH_TOKEN = "1//refresh-ecoute"
ACCESS_TOKEN = "ya29.access-ecoute"
REPLIES_SHOWN = 1  # replies YouTube includes with a thread; the rest need comments.list


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeYouTube(RecordingServer):
    def __init__(self) -> None:
        super().__init__(_Handler)
        self.tokens: set[str] = {ACCESS_TOKEN}
        self.refresh_token = REFRESH_TOKEN
        self.issued = 0
        self.threads: dict[str, dict[str, Any]] = {}  # top-level comment id → thread (without replies)
        self.replies: dict[str, list[dict[str, Any]]] = {}  # top-level comment id → every reply
        self.videos: list[dict[str, Any]] = []  # search results
        self.disabled: set[str] = set()  # videos whose comments are turned off
        self.posted: list[dict[str, Any]] = []
        self.units = 0  # quota spent
        self.lose_next_answer = False  # post the next reply, then answer 503 as a proxy would

    # --- what YouTube holds ---------------------------------------------------------------

    def add_threads(self, payload: dict[str, Any], replies: list[dict[str, Any]] | None = None) -> None:
        for thread in payload["items"]:
            thread = copy.deepcopy(thread)
            listed = thread.pop("replies", {}).get("comments", [])
            self.threads[thread["id"]] = thread
            self.replies.setdefault(thread["id"], [])
            for reply in [*listed, *(replies or [])]:
                if reply["snippet"].get("parentId") == thread["id"]:
                    self.keep_reply(reply)

    def keep_reply(self, reply: dict[str, Any]) -> None:
        kept = self.replies.setdefault(reply["snippet"]["parentId"], [])
        kept[:] = [r for r in kept if r["id"] != reply["id"]] + [copy.deepcopy(reply)]
        kept.sort(key=lambda r: r["snippet"]["publishedAt"])

    def edit(self, comment: dict[str, Any]) -> None:
        parent = comment["snippet"].get("parentId")
        if parent:
            self.keep_reply(comment)
        else:
            self.threads[comment["id"]]["snippet"]["topLevelComment"] = copy.deepcopy(comment)

    def delete(self, comment_id: str) -> None:
        self.threads.pop(comment_id, None)
        for kept in self.replies.values():
            kept[:] = [r for r in kept if r["id"] != comment_id]

    def all_comments(self) -> dict[str, dict[str, Any]]:
        found = {t["id"]: t["snippet"]["topLevelComment"] for t in self.threads.values()}
        for kept in self.replies.values():
            found.update({r["id"]: r for r in kept})
        return found


class _Handler(RecordingHandler):
    server: FakeYouTube
    not_found = {"error": {"code": 404, "message": "Not Found", "errors": []}}

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        if path == "/token":
            return self._token(body)
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if query.get("key", [""])[0] != API_KEY and bearer not in srv.tokens:
            return 401, fixture("error__unauthorized.json")
        return self._route(method, path, query, body, private=bearer in srv.tokens)

    def _token(self, body: bytes) -> tuple[int, Any]:
        srv = self.server
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != srv.refresh_token:
            return 400, fixture("token__invalid_grant.json")
        srv.issued += 1
        token = f"ya29.refreshed-{srv.issued}"
        srv.tokens.add(token)
        return 200, {**fixture("token__refreshed.json"), "access_token": token}

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes, *, private: bool
    ) -> Any:
        srv = self.server
        if method == "POST" and path == "/comments":
            srv.units += 50
            return self._insert(json.loads(body)) if private else (401, fixture("error__unauthorized.json"))
        if path == "/commentThreads":
            srv.units += 1
            return self._threads(query, private=private)
        if path == "/comments":
            srv.units += 1
            return self._comments(query)
        if path == "/search":
            srv.units += 100
            return self._search(query)
        return None

    def _threads(self, query: dict[str, list[str]], *, private: bool) -> Any:
        srv = self.server
        video = query.get("videoId", [None])[0]
        if video in srv.disabled:
            return 403, fixture("error__comments_disabled.json")
        if "allThreadsRelatedToChannelId" in query:
            if not private:
                return 403, {
                    "error": {
                        "code": 403,
                        "errors": [{"reason": "forbidden", "domain": "youtube.commentThread"}],
                    }
                }
            channel = query["allThreadsRelatedToChannelId"][0]
            rows = [t for t in srv.threads.values() if t["snippet"].get("channelId") == channel]
        else:
            rows = [t for t in srv.threads.values() if t["snippet"].get("videoId") == video]
        rows.sort(
            key=lambda t: t["snippet"]["topLevelComment"]["snippet"].get("publishedAt", ""), reverse=True
        )
        page, token = _paged(rows, query)
        items = []
        for thread in page:
            thread = copy.deepcopy(thread)
            replies = srv.replies.get(thread["id"], [])
            thread["snippet"]["totalReplyCount"] = len(replies)
            if replies:
                thread["replies"] = {"comments": copy.deepcopy(replies[-REPLIES_SHOWN:])}
            items.append(thread)
        return 200, _list("youtube#commentThreadListResponse", items, token)

    def _comments(self, query: dict[str, list[str]]) -> Any:
        srv = self.server
        if "parentId" in query:
            page, token = _paged(srv.replies.get(query["parentId"][0], []), query)
            return 200, _list("youtube#commentListResponse", copy.deepcopy(page), token)
        everything = srv.all_comments()
        wanted = query.get("id", [""])[0].split(",")
        return 200, _list(
            "youtube#commentListResponse",
            [copy.deepcopy(everything[i]) for i in wanted if i in everything],
            None,
        )

    def _search(self, query: dict[str, list[str]]) -> Any:
        srv = self.server
        q = query.get("q", [""])[0].lower()
        after = query.get("publishedAfter", [""])[0]
        rows = [
            v
            for v in srv.videos
            if q in (v["snippet"]["title"] + " " + v["snippet"]["description"]).lower()
            and (not after or v["snippet"]["publishedAt"] > after)
        ]
        rows.sort(key=lambda v: v["snippet"]["publishedAt"], reverse=True)
        page, token = _paged(rows, query)
        return 200, _list("youtube#searchListResponse", copy.deepcopy(page), token)

    def _insert(self, body: dict[str, Any]) -> Any:
        srv = self.server
        snippet = body.get("snippet", {})
        parent = snippet.get("parentId")
        if parent not in srv.threads:
            return 404, {"error": {"code": 404, "errors": [{"reason": "parentCommentNotFound"}]}}
        if len(snippet.get("textOriginal", "")) > 10_000:
            return 400, fixture("error__comment_text_too_long.json")
        comment = fixture("comment__inserted.json")
        new_id = f"{parent}.Reply{len(srv.posted) + 1:08d}"
        comment["id"] = new_id
        comment["snippet"].update(
            parentId=parent, textOriginal=snippet["textOriginal"], textDisplay=snippet["textOriginal"]
        )
        srv.posted.append(comment)
        srv.keep_reply(comment)
        if srv.lose_next_answer:
            srv.lose_next_answer = False
            return 503, {
                "error": {"code": 503, "message": "The service is currently unavailable.", "errors": []}
            }
        return 200, comment


def _paged(rows: list[Any], query: dict[str, list[str]]) -> tuple[list[Any], str | None]:
    start = int(query.get("pageToken", ["p0"])[0].removeprefix("p") or 0)
    size = int(query.get("maxResults", ["20"])[0])
    page = rows[start : start + size]
    return page, f"p{start + size}" if start + size < len(rows) else None


def _list(kind: str, items: list[Any], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "etag": "etag",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
    }
    if token:
        body["nextPageToken"] = token
    body["items"] = items
    return body


def running_youtube() -> Any:
    """A YouTube holding the fixtures: the channel's two threads (one with three replies, of which
    YouTube shows one), a reviewer's video thread, and three search results."""
    server = FakeYouTube()
    server.add_threads(fixture("comment_threads__channel.json"), fixture("comments__replies.json")["items"])
    server.add_threads(fixture("comment_threads__video.json"))
    server.videos = fixture("search__videos.json")["items"]
    return running(server)
