"""A local Mastodon for tests: serves the fixture statuses and notifications the way a Mastodon
instance does — ``min_id``/``max_id``/``since_id`` paging with Link headers, X-RateLimit-*
headers on every answer, bearer tokens, ``Idempotency-Key`` on POST /api/v1/statuses — and can be
told to fail (401, 429 with Retry-After, 5xx) before answering normally."""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fake_platform import answer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "mastodon"
TOKEN = "tok-mastodon-test"
RATE_LIMIT = 300


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _key(item_id: str) -> tuple[int, str]:
    return (len(item_id), item_id)


class FakeMastodon(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.token = TOKEN
        self.notifications: list[dict[str, Any]] = []
        self.tags: dict[str, list[dict[str, Any]]] = {}
        self.searchable: list[dict[str, Any]] = []
        self.statuses: dict[str, dict[str, Any]] = {}  # every status the instance knows, by id
        self.contexts: dict[str, dict[str, Any]] = {}
        self.posted: list[dict[str, Any]] = []
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.failures: deque[tuple[int, dict[str, str], bytes]] = deque()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.remaining = RATE_LIMIT
        self.reset_at = datetime(2030, 1, 1, tzinfo=UTC)
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    # --- what the instance holds ----------------------------------------------------------

    def add_notifications(self, notifications: list[dict[str, Any]]) -> None:
        self.notifications.extend(notifications)
        for n in notifications:
            if n.get("status"):
                self.know(n["status"])

    def add_tag(self, tag: str, statuses: list[dict[str, Any]]) -> None:
        self.tags.setdefault(tag.lower(), []).extend(statuses)
        for s in statuses:
            self.know(s)

    def know(self, status: dict[str, Any]) -> None:
        self.statuses[status["id"]] = status
        if status.get("reblog"):
            self.statuses[status["reblog"]["id"]] = status["reblog"]

    def edit(self, status: dict[str, Any]) -> None:
        """The author edited it: every list holding it now shows the new revision."""
        for collection in [self.notifications, self.searchable, *self.tags.values()]:
            for entry in collection:
                if entry.get("status", {}).get("id") == status["id"]:
                    entry["status"] = status
                elif entry.get("id") == status["id"]:
                    entry.update(status)
        self.statuses[status["id"]] = status

    def delete(self, status_id: str) -> None:
        self.statuses.pop(status_id, None)
        self.notifications = [n for n in self.notifications if n.get("status", {}).get("id") != status_id]

    def fail_with(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.failures.append((status, headers or {}, raw))

    def paths(self) -> list[str]:
        return [path for _method, path, _h in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: FakeMastodon

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with srv.lock:
            srv.requests.append((method, self.path, dict(self.headers)))
            if srv.failures:
                status, headers, raw = srv.failures.popleft()
                return self._reply(status, raw, headers)
            if self.headers.get("Authorization") != f"Bearer {srv.token}":
                return self._json(401, fixture("error__invalid_token.json"))
            srv.remaining = max(0, srv.remaining - 1)
            route = self._route(method, parts.path, query, body)
        if route is None:
            return self._json(404, fixture("error__record_not_found.json"))
        status, payload, link = route
        return self._json(status, payload, link)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        if method == "POST" and path == "/api/v1/statuses":
            return self._post_status(json.loads(body))
        if path == "/api/v1/accounts/verify_credentials":
            return 200, fixture("verify_credentials__ok.json"), None
        if path == "/api/v1/notifications":
            types = query.get("types[]")
            rows = [n for n in srv.notifications if not types or n["type"] in types]
            return self._page(path, query, rows)
        if path.startswith("/api/v1/timelines/tag/"):
            return self._page(path, query, srv.tags.get(path.rsplit("/", 1)[1].lower(), []))
        if path == "/api/v2/search":
            return self._search(query)
        if path == "/api/v1/statuses":
            found = [srv.statuses[i] for i in query.get("id[]", []) if i in srv.statuses]
            return 200, found, None
        if path.startswith("/api/v1/statuses/") and path.endswith("/context"):
            status_id = path.split("/")[4]
            if status_id not in srv.statuses:
                return None
            return 200, srv.contexts.get(status_id, {"ancestors": [], "descendants": []}), None
        return None

    def _page(self, path: str, query: dict[str, list[str]], rows: list[dict[str, Any]]) -> Any:
        """Mastodon's paging: newest first; ``min_id`` gives the page just newer than it."""
        limit = min(40, int(query.get("limit", ["20"])[0]))
        ordered = sorted(rows, key=lambda r: _key(r["id"]), reverse=True)
        if "max_id" in query:
            ordered = [r for r in ordered if _key(r["id"]) < _key(query["max_id"][0])]
        if "since_id" in query:
            ordered = [r for r in ordered if _key(r["id"]) > _key(query["since_id"][0])]
        if "min_id" in query:
            newer = [r for r in ordered if _key(r["id"]) > _key(query["min_id"][0])]
            page = newer[-limit:]
        else:
            page = ordered[:limit]
        link = None
        if page:
            base = f"{self.server.url}{path}"
            keep = {k: v for k, v in query.items() if k not in ("min_id", "max_id", "since_id")}
            nxt = urlencode({**keep, "max_id": page[-1]["id"]}, doseq=True)
            prev = urlencode({**keep, "min_id": page[0]["id"]}, doseq=True)
            link = f'<{base}?{nxt}>; rel="next", <{base}?{prev}>; rel="prev"'
        return 200, copy.deepcopy(page), link

    def _search(self, query: dict[str, list[str]]) -> Any:
        srv = self.server
        q = query.get("q", [""])[0]
        if q.startswith("http"):
            hits = [s for s in srv.statuses.values() if s["uri"] == q]
        else:
            hits = [s for s in srv.searchable if q.lower() in s["content"].lower()]
        if "min_id" in query:
            hits = [s for s in hits if _key(s["id"]) > _key(query["min_id"][0])]
        hits = sorted(hits, key=lambda s: _key(s["id"]), reverse=True)[:40]
        return 200, {"accounts": [], "statuses": copy.deepcopy(hits), "hashtags": []}, None

    def _post_status(self, body: dict[str, Any]) -> Any:
        srv = self.server
        key = self.headers.get("Idempotency-Key")
        if key and key in srv.idempotency:
            return 200, srv.idempotency[key], None
        if body.get("in_reply_to_id") not in srv.statuses:
            return 404, fixture("error__record_not_found.json"), None
        if len(body["status"]) > 500:
            return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}, None
        new_id = str(113600000000000000 + len(srv.posted) + 1)
        status = copy.deepcopy(fixture("status__documented.json"))
        status.update(
            id=new_id,
            uri=f"https://mastodon.social/users/cafe_lumiere/statuses/{new_id}",
            url=f"https://mastodon.social/@cafe_lumiere/{new_id}",
            content=f"<p>{body['status']}</p>",
            in_reply_to_id=body["in_reply_to_id"],
            visibility=body.get("visibility", "public"),
        )
        srv.posted.append(status)
        if key:
            srv.idempotency[key] = status
        return 200, status, None

    def _json(self, status: int, payload: Any, link: str | None = None) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if link:
            headers["Link"] = link
        self._reply(status, json.dumps(payload).encode(), headers)

    def _reply(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        srv = self.server
        base = {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(srv.remaining),
            "X-RateLimit-Reset": srv.reset_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        answer(self, status, raw, {**base, **headers})


def running_mastodon() -> Any:
    return running(FakeMastodon())


def reset_in(seconds: int) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
