"""A local Bluesky PDS for tests: app-password sessions whose refresh revokes the old refresh
token, listNotifications and searchPosts paged newest first with a cursor, getProfiles,
getPosts, listRecords and createRecord, ``ratelimit-*`` headers, and failures on demand."""

from __future__ import annotations

import base64
import copy
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_platform import answer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "bluesky"
HANDLE, PASSWORD = "acme.com", "abcd-efgh-ijkl-mnop"
BRAND_DID = "did:plc:acmeacmeacmeacmeacmeacme"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def jwt(kind: str, n: int, exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256K'})}.{part({'scope': kind, 'sub': BRAND_DID, 'exp': int(exp), 'n': n})}.sig"


class FakePds(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.password = PASSWORD
        self.access_ttl = 7200.0
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.issued = 0
        self.calls: list[str] = []
        self.notifications: list[dict[str, Any]] = []
        self.searchable: list[dict[str, Any]] = []
        self.posts: dict[str, dict[str, Any]] = {}
        self.profiles: dict[str, dict[str, Any]] = {
            p["did"]: p for p in fixture("get_profiles__authors.json")["profiles"]
        }
        self.records: list[dict[str, Any]] = []
        self.lose_next_create_answer = False
        self.failures: deque[tuple[int, dict[str, str], bytes]] = deque()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def add_notifications(self, notifications: list[dict[str, Any]]) -> None:
        self.notifications.extend(notifications)
        for n in notifications:
            post = {k: n[k] for k in ("uri", "cid", "author", "record", "indexedAt", "labels")}
            self.posts.setdefault(n["uri"], post)

    def add_searchable(self, posts: list[dict[str, Any]]) -> None:
        self.searchable.extend(posts)
        for p in posts:
            self.posts[p["uri"]] = p

    def delete(self, uri: str) -> None:
        self.posts.pop(uri, None)
        self.notifications = [n for n in self.notifications if n["uri"] != uri]

    def fail_with(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        self.failures.append((status, headers or {}, b"" if body is None else json.dumps(body).encode()))

    def expire_access_tokens(self) -> None:
        self.access.clear()

    def count(self, nsid: str) -> int:
        return self.calls.count(nsid)

    def issue(self) -> dict[str, Any]:
        self.issued += 1
        access = jwt("com.atproto.access", self.issued, time.time() + self.access_ttl)
        refresh = jwt("com.atproto.refresh", self.issued, time.time() + 90 * 86400)
        self.access.add(access)
        self.refresh.add(refresh)
        return {**fixture("create_session__ok.json"), "accessJwt": access, "refreshJwt": refresh}


class _Handler(BaseHTTPRequestHandler):
    server: FakePds

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        nsid = parts.path.removeprefix("/xrpc/")
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        with srv.lock:
            srv.calls.append(nsid)
            if srv.failures:
                status, headers, raw = srv.failures.popleft()
                return self._reply(status, raw, headers)
            status, payload = self._route(nsid, query, body, bearer)
        self._reply(status, json.dumps(payload).encode(), {"Content-Type": "application/json; charset=utf-8"})

    def _route(self, nsid: str, query: dict[str, list[str]], body: Any, bearer: str) -> tuple[int, Any]:
        srv = self.server
        if nsid == "com.atproto.server.createSession":
            if body != {"identifier": HANDLE, "password": srv.password}:
                return 401, fixture("error__invalid_password.json")
            return 200, srv.issue()
        if nsid == "com.atproto.server.refreshSession":
            if bearer not in srv.refresh:
                return 400, fixture("error__revoked_token.json")
            srv.refresh.discard(bearer)  # a refresh token is good once
            return 200, srv.issue()
        if bearer not in srv.access:
            return 400, fixture("error__expired_token.json")
        if nsid == "app.bsky.notification.listNotifications":
            reasons = query.get("reasons", [])
            rows = [n for n in srv.notifications if not reasons or n["reason"] in reasons]
            return 200, self._page(rows, query, "notifications")
        if nsid == "app.bsky.feed.searchPosts":
            q = query["q"][0].lower()
            rows = [p for p in srv.searchable if q in p["record"]["text"].lower()]
            return 200, self._page(rows, query, "posts")
        if nsid == "app.bsky.actor.getProfiles":
            return 200, {"profiles": [srv.profiles[d] for d in query.get("actors", []) if d in srv.profiles]}
        if nsid == "app.bsky.feed.getPosts":
            return 200, {
                "posts": [copy.deepcopy(srv.posts[u]) for u in query.get("uris", []) if u in srv.posts]
            }
        if nsid == "com.atproto.repo.listRecords":
            return 200, {"records": list(reversed(srv.records))[: int(query.get("limit", ["50"])[0])]}
        if nsid == "com.atproto.repo.createRecord":
            return self._create(body)
        return 400, {"error": "MethodNotImplemented", "message": f"no method {nsid}"}

    def _page(self, rows: list[dict[str, Any]], query: dict[str, list[str]], key: str) -> dict[str, Any]:
        ordered = sorted(rows, key=lambda r: r["indexedAt"], reverse=True)
        start = int(query.get("cursor", ["0"])[0])
        limit = int(query.get("limit", ["50"])[0])
        page = ordered[start : start + limit]
        out: dict[str, Any] = {key: copy.deepcopy(page)}
        if start + limit < len(ordered):
            out["cursor"] = str(start + limit)
        return out

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        srv = self.server
        record = body["record"]
        text = record["text"]
        if len(text) > 300 * 4:
            return 400, {
                "error": "InvalidRequest",
                "message": "Record/text must not be longer than 300 graphemes",
            }
        rkey = f"3lzz{len(srv.records):09d}"
        uri = f"at://{body['repo']}/app.bsky.feed.post/{rkey}"
        srv.records.append({"uri": uri, "cid": f"bafyreireply{len(srv.records)}", "value": record})
        if srv.lose_next_create_answer:
            srv.lose_next_create_answer = False
            return 502, {"error": "UpstreamFailure", "message": "Upstream Failure"}
        return 200, {"uri": uri, "cid": f"bafyreireply{len(srv.records)}", "validationStatus": "valid"}

    def _reply(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        base = {
            "ratelimit-limit": "3000",
            "ratelimit-remaining": "2990",
            "ratelimit-reset": str(int(time.time()) + 300),
            "ratelimit-policy": "3000;w=300",
        }
        answer(self, status, raw, {**base, **headers})


def running_pds() -> Any:
    return running(FakePds())
