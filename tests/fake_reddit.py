"""A local Reddit for tests: its OAuth token endpoint (password and refresh-token grants, Basic
auth with the app's id and secret), listings paged the way Reddit pages them (newest first,
``before``/``after`` fullnames, an empty page when the ``before`` thing is gone), X-Ratelimit-*
headers (the reset in seconds), ``/api/info``, ``/user/<me>/comments`` and ``POST /api/comment``
with its ``{"json": {"errors": ...}}`` answers; it can be told to fail (401, 429, 5xx) before
answering normally."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_platform import RecordingHandler, RecordingServer, answer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "reddit"
CLIENT_ID = "p-jcoLKBynTLew"
CLIENT_SECRET = "gko_LXELoV07ZBNUXrvWZfzE3aI"
USERNAME = "cafe_lumiere"
PASSWORD = "moka-et-grains"
REFRESH_TOKEN = "r-refresh-0001"
RATE_LIMIT = 100


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def account(server: FakeReddit, **extra: Any) -> dict[str, Any]:
    """A Reddit source's settings (unsealed) for this server's script app and account."""
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "username": USERNAME,
        "password": PASSWORD,
        "api_base": server.url,
        "auth_base": server.url,
        **extra,
    }


def children(name: str) -> list[dict[str, Any]]:
    return fixture(name)["data"]["children"]


class FakeReddit(RecordingServer):
    def __init__(self) -> None:
        super().__init__(_Handler)
        self.password = PASSWORD
        self.refresh_token = REFRESH_TOKEN
        self.tokens: set[str] = set()
        self.issued = 0
        self.things: dict[str, dict[str, Any]] = {}  # every post and comment, by fullname
        self.inbox: dict[str, list[str]] = {"mentions": [], "comments": [], "selfreply": []}
        self.searchable: list[str] = []
        self.posted: list[dict[str, Any]] = []
        self.comment_errors: deque[dict[str, Any]] = deque()
        self.lose_next_answer = False  # post the next comment, then answer 502 as a proxy would
        self.remaining = float(RATE_LIMIT)
        self.reset_s = 420

    # --- what Reddit holds ----------------------------------------------------------------

    def add(
        self, things: list[dict[str, Any]], *, inbox: str | None = None, searchable: bool = False
    ) -> None:
        for thing in things:
            self.things[thing["data"]["name"]] = thing
            if inbox:
                self.inbox[inbox].append(thing["data"]["name"])
            if searchable:
                self.searchable.append(thing["data"]["name"])

    def replace(self, thing: dict[str, Any]) -> None:
        """An edit, a deletion or a removal: every listing now shows the new version."""
        self.things[thing["data"]["name"]] = thing

    def drop(self, name: str) -> None:
        """Gone from every listing (as a removed post leaves a subreddit's listing)."""
        self.things.pop(name, None)

    def revoke_tokens(self) -> None:
        self.tokens.clear()


class _Handler(RecordingHandler):
    server: FakeReddit
    not_found = {"message": "Not Found", "error": 404}

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        if path == "/api/v1/access_token":
            return self._token(body)
        if self.headers.get("Authorization", "").removeprefix("Bearer ") not in srv.tokens:
            return 401, fixture("error__unauthorized.json")
        srv.remaining = max(0.0, srv.remaining - 1)
        form = parse_qs(body.decode()) if body else {}
        return self._route(method, path, query, form)

    def _token(self, body: bytes) -> tuple[int, Any]:
        srv = self.server
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return 401, fixture("error__unauthorized.json")
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        grant = form.get("grant_type")
        good = (
            grant == "password" and form.get("username") == USERNAME and form.get("password") == srv.password
        ) or (grant == "refresh_token" and form.get("refresh_token") == srv.refresh_token)
        if not good:
            return 200, fixture("access_token__invalid_grant.json")  # Reddit answers a bad grant with 200
        srv.issued += 1
        token = f"tok-reddit-{srv.issued}"
        srv.tokens.add(token)
        return 200, {**fixture("access_token__password.json"), "access_token": token}

    def _route(self, method: str, path: str, query: dict[str, list[str]], form: dict[str, list[str]]) -> Any:
        srv = self.server
        if method == "POST" and path == "/api/comment":
            return self._comment({k: v[0] for k, v in form.items()})
        if path in ("/message/mentions", "/message/comments", "/message/selfreply"):
            return self._listing(query, srv.inbox[path.rsplit("/", 1)[1]])
        if path == "/search" or (path.startswith("/r/") and path.endswith("/search")):
            q = query.get("q", [""])[0].lower()
            names = [n for n in srv.searchable if n in srv.things and q in _searchable_text(srv.things[n])]
            if path != "/search":
                sub = path.split("/")[2].lower()
                names = [n for n in names if srv.things[n]["data"]["subreddit"].lower() == sub]
            return self._listing(query, names)
        if path.startswith("/r/") and path.endswith("/comments"):
            subs = {s.lower() for s in path.split("/")[2].split("+")}
            names = [
                n
                for n, t in srv.things.items()
                if t["kind"] == "t1" and t["data"]["subreddit"].lower() in subs
            ]
            return self._listing(query, names)
        if path == "/api/info":
            wanted = query.get("id", [""])[0].split(",")
            return 200, _page([copy.deepcopy(srv.things[n]) for n in wanted if n in srv.things], None, None)
        if path == f"/user/{USERNAME}/comments":
            mine = [p["data"]["name"] for p in srv.posted]
            return self._listing(query, mine)
        return None

    def _listing(self, query: dict[str, list[str]], names: list[str]) -> tuple[int, Any]:
        """Reddit's paging: newest first; ``before=X`` gives the page just newer than X (empty when
        X is no longer in the listing), ``after=X`` the page just older."""
        srv = self.server
        rows = sorted(
            (srv.things[n] for n in dict.fromkeys(names) if n in srv.things),
            key=lambda t: t["data"].get("created_utc", 0),
            reverse=True,
        )
        order = [r["data"]["name"] for r in rows]
        limit = min(100, int(query.get("limit", ["25"])[0]))
        if "before" in query:
            at = order.index(query["before"][0]) if query["before"][0] in order else 0
            page = rows[max(0, at - limit) : at]
        elif "after" in query:
            at = order.index(query["after"][0]) + 1 if query["after"][0] in order else len(rows)
            page = rows[at : at + limit]
        else:
            page = rows[:limit]
        older = page and order.index(page[-1]["data"]["name"]) < len(order) - 1
        after = page[-1]["data"]["name"] if older else None
        before = page[0]["data"]["name"] if page and ("before" in query or "after" in query) else None
        return 200, _page(copy.deepcopy(page), after, before)

    def _comment(self, form: dict[str, str]) -> tuple[int, Any]:
        srv = self.server
        if srv.comment_errors:
            return 200, srv.comment_errors.popleft()
        if form.get("api_type") != "json" or form.get("thing_id") not in srv.things:
            return 200, {"json": {"errors": [["NO_THING_ID", "that thing does not exist", "thing_id"]]}}
        if len(form.get("text", "")) > 10_000:
            return 200, {"json": {"errors": [["TOO_LONG", "this is too long (max: 10000)", "text"]]}}
        answer_ = fixture("comment__posted.json")
        data = answer_["json"]["data"]["things"][0]["data"]
        new_id = f"kq4r{len(srv.posted) + 1:03d}"
        parent = srv.things[form["thing_id"]]["data"]
        in_path = re.search(r"/comments/([a-z0-9]+)/", parent.get("permalink") or parent.get("context") or "")
        link = parent.get("link_id") or (f"t3_{in_path.group(1)}" if in_path else parent["name"])
        data.update(
            id=new_id,
            name=f"t1_{new_id}",
            body=form["text"],
            parent_id=form["thing_id"],
            link_id=link,
            created_utc=1764906000.0 + len(srv.posted),
            permalink=f"/r/{parent['subreddit']}/comments/{link[3:]}/x/{new_id}/",
        )
        srv.posted.append({"kind": "t1", "data": data})
        srv.things[data["name"]] = {"kind": "t1", "data": {**data, "subreddit": "posted_by_us"}}
        if srv.lose_next_answer:
            srv.lose_next_answer = False
            return 502, {"message": "Bad Gateway", "error": 502}
        return 200, answer_

    def reply(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        srv = self.server
        base = {
            "X-Ratelimit-Used": str(int(RATE_LIMIT - srv.remaining)),
            "X-Ratelimit-Remaining": f"{srv.remaining:.1f}",
            "X-Ratelimit-Reset": str(srv.reset_s),
        }
        answer(self, status, raw, {**base, **headers})


def _page(rows: list[dict[str, Any]], after: str | None, before: str | None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(rows),
            "modhash": "",
            "geo_filter": "",
            "children": rows,
            "before": before,
        },
    }


def _searchable_text(thing: dict[str, Any]) -> str:
    data = thing["data"]
    return f"{data.get('title', '')} {data.get('selftext', '')}".lower()


def running_reddit() -> Any:
    """A Reddit holding the fixtures: the inbox's mention and comment reply, three posts found by
    searches, and a subreddit's newest comments."""
    server = FakeReddit()
    server.add(children("message_mentions__username_mention.json"), inbox="mentions")
    server.add(children("message_comments__comment_reply.json"), inbox="comments")
    server.add(children("search__new_links.json"), searchable=True)
    server.add(children("subreddit_comments__newest.json"))
    return running(server)
