"""A local X (API v2) for tests: posts and users from the fixtures, answered the way X answers —
``data`` newest first with ``includes.users`` and ``includes.tweets`` (the ``author_id`` and
``referenced_tweets.id`` expansions), ``meta.newest_id``/``next_token`` paging under a fixed
``since_id``, lookups that list missing posts in ``errors``, edits as new ids chained in
``edit_history_tweet_ids``, ``POST /2/tweets`` refusing a reply to an author who did not address
the brand, the OAuth 2 token endpoint rotating refresh tokens, and ``x-rate-limit-*`` headers on
every answer; it can be told to fail (401, 429, 5xx) before answering normally.

Its posts are dated from the last hours when loaded (recent search covers 7 days only).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_platform import RecordingHandler, RecordingServer, answer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "x"
BRAND_ID = "1570234567890123456"
BRAND = "cafelumiere"
CLIENT_ID = "M1M5R3BMVy13QmpScXkzTUt5OE46MTpjaQ"
CLIENT_SECRET = "x-client-secret-0001"
ACCESS_TOKEN = "x-access-at-connection"
REFRESH_TOKEN = "x-refresh-0001"
APP_BEARER = "AAAAAAAAAAAAAAAAAAAAAEcoute%2Bapp"
CONSUMER_SECRET = "x-consumer-secret-for-webhooks"
RATE_LIMIT = 450
WINDOW_S = 900


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def account(server: FakeX, **extra: Any) -> dict[str, Any]:
    """An X source's settings (unsealed) for this server's app and the brand's user token."""
    return {
        "username": BRAND,
        "user_id": BRAND_ID,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "access_token": ACCESS_TOKEN,
        "refresh_token": REFRESH_TOKEN,
        "consumer_secret": CONSUMER_SECRET,
        "api_base": server.url,
        "token_url": server.url + "/2/oauth2/token",
        **extra,
    }


class FakeX(RecordingServer):
    def __init__(self) -> None:
        super().__init__(_Handler)
        self.posts: dict[str, dict[str, Any]] = {}  # every version, by id
        self.users: dict[str, dict[str, Any]] = {}
        self.access_tokens: set[str] = {ACCESS_TOKEN}
        self.refresh_token = REFRESH_TOKEN
        self.refreshes = 0
        self.posted: list[dict[str, Any]] = []
        self.lose_next_answer = False  # post the next reply, then answer 503 as a proxy would
        self.remaining = RATE_LIMIT
        self.next_id = 1866000000000000000

    # --- what X holds -------------------------------------------------------------------------

    def load(self, name: str, *, hours_ago: float = 2.0) -> None:
        body = fixture(name)
        posts = body["data"] if isinstance(body["data"], list) else [body["data"]]
        for post in [*posts, *body.get("includes", {}).get("tweets", [])]:
            self.posts.setdefault(post["id"], copy.deepcopy(post))
        for user in body.get("includes", {}).get("users", []):
            self.users[user["id"]] = user
        newest_first = sorted(self.posts, key=int, reverse=True)
        for rank, post_id in enumerate(newest_first):
            stamp = datetime.now(UTC) - timedelta(hours=hours_ago, minutes=rank)
            self.posts[post_id]["created_at"] = stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def add(self, post: dict[str, Any]) -> None:
        post = copy.deepcopy(post)
        post["created_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.posts[post["id"]] = post

    def edit(self, post_id: str, text: str) -> str:
        """An edit: a new id, both versions' history chained oldest first."""
        old = self.posts[post_id]
        new_id = self._new_id()
        history = [*old["edit_history_tweet_ids"], new_id]
        for version in history[:-1]:
            self.posts[version]["edit_history_tweet_ids"] = history
        self.posts[new_id] = {
            **copy.deepcopy(old),
            "id": new_id,
            "text": text,
            "edit_history_tweet_ids": history,
        }
        return new_id

    def delete(self, post_id: str) -> None:
        """Deleting one version deletes the whole chain."""
        for version in self.posts.pop(post_id)["edit_history_tweet_ids"]:
            self.posts.pop(version, None)

    def revoke(self) -> None:
        """The brand revoked the app: no token or refresh token works any more."""
        self.access_tokens.clear()
        self.refresh_token = "revoked"

    def _new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def latest(self) -> list[dict[str, Any]]:
        """Each post's newest version, newest first (what timelines and search list)."""
        rows = [p for p in self.posts.values() if p["edit_history_tweet_ids"][-1] == p["id"]]
        return sorted(rows, key=lambda p: int(p["id"]), reverse=True)


class _Handler(RecordingHandler):
    server: FakeX
    not_found = {"title": "Not Found Error", "type": "about:blank", "status": 404, "detail": "Not Found"}

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        if path == "/2/oauth2/token":
            return self._token(body)
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
        user = bearer in srv.access_tokens
        if not user and bearer != APP_BEARER:
            return 401, fixture("error__unauthorized.json")
        srv.remaining = max(0, srv.remaining - 1)
        if method == "POST" and path == "/2/tweets":
            return self._create(json.loads(body)) if user else (403, fixture("error__client_forbidden.json"))
        return self._read(path, {k: v[0] for k, v in query.items()}, user)

    def _read(self, path: str, query: dict[str, str], user: bool) -> Any:
        srv = self.server
        if path == f"/2/users/{BRAND_ID}/mentions":
            return self._page(query, [p for p in srv.latest() if _mentions(p, BRAND)], "pagination_token")
        if path == "/2/tweets/search/recent":
            return self._page(query, [p for p in srv.latest() if _matches(p, query["query"])], "next_token")
        if path == f"/2/users/{BRAND_ID}/tweets":
            return self._page(
                query, [p for p in srv.latest() if p["author_id"] == BRAND_ID], "pagination_token"
            )
        if path == "/2/tweets":
            return 200, self._lookup(query["ids"].split(","))
        if path.startswith("/2/tweets/"):
            found = self._lookup([path.rsplit("/", 1)[1]])
            return 200, {**found, "data": found["data"][0]} if found.get("data") else found
        if path == "/2/users/me" and user:
            return 200, fixture("users_me__brand.json")
        if path == f"/2/users/by/username/{BRAND}":
            return 200, fixture("users_me__brand.json")
        return None

    def _page(self, query: dict[str, str], rows: list[dict[str, Any]], token_name: str) -> tuple[int, Any]:
        since = int(query.get("since_id", "0"))
        rows = [r for r in rows if int(r["id"]) > since]
        token = query.get(token_name)
        if token:  # the page just older than the previous page's last post
            below = int(base64.b64decode(token).decode())
            rows = [r for r in rows if int(r["id"]) < below]
        size = int(query.get("max_results", "10"))
        page, rest = rows[:size], rows[size:]
        if not page:
            return 200, {"meta": {"result_count": 0}}
        meta: dict[str, Any] = {
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
            "result_count": len(page),
        }
        if rest:
            meta["next_token"] = base64.b64encode(page[-1]["id"].encode()).decode()
        return 200, {**self._expanded(page), "meta": meta}

    def _lookup(self, ids: list[str]) -> dict[str, Any]:
        srv = self.server
        found = [copy.deepcopy(srv.posts[i]) for i in ids if i in srv.posts]
        errors = [
            {
                "value": i,
                "detail": f"Could not find tweet with ids: [{i}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": i,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            for i in ids
            if i not in srv.posts
        ]
        body = self._expanded(found) if found else {}
        return {**body, **({"errors": errors} if errors else {})}

    def _expanded(self, posts: list[dict[str, Any]]) -> dict[str, Any]:
        srv = self.server
        referenced = [r["id"] for p in posts for r in p.get("referenced_tweets", []) if r["id"] in srv.posts]
        authors = {p["author_id"] for p in posts} | {srv.posts[r]["author_id"] for r in referenced}
        includes: dict[str, Any] = {"users": [srv.users[a] for a in sorted(authors) if a in srv.users]}
        if referenced:
            includes["tweets"] = [copy.deepcopy(srv.posts[r]) for r in dict.fromkeys(referenced)]
        return {"data": copy.deepcopy(posts), "includes": includes}

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        srv = self.server
        target_id = body.get("reply", {}).get("in_reply_to_tweet_id")
        target = srv.posts.get(target_id or "")
        if target is None:
            return 400, {
                "title": "Invalid Request",
                "detail": "in_reply_to_tweet_id not found",
                "type": "about:blank",
            }
        if not _addressed(srv, target):
            return 403, fixture("error__reply_not_allowed.json")
        new_id = srv._new_id()
        post = {
            "id": new_id,
            "text": body["text"],
            "edit_history_tweet_ids": [new_id],
            "author_id": BRAND_ID,
            "conversation_id": target.get("conversation_id", target_id),
            "in_reply_to_user_id": target["author_id"],
            "referenced_tweets": [{"type": "replied_to", "id": target_id}],
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "lang": "fr",
            "entities": {},
        }
        srv.posts[new_id] = post
        srv.posted.append(post)
        if srv.lose_next_answer:
            srv.lose_next_answer = False
            return 503, fixture("error__service_unavailable.json")
        created = fixture("create_tweet__reply.json")
        created["data"].update(id=new_id, text=body["text"], edit_history_tweet_ids=[new_id])
        return 201, created

    def _token(self, body: bytes) -> tuple[int, Any]:
        srv = self.server
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            return 401, {
                "error": "unauthorized_client",
                "error_description": "Missing valid authorization header",
            }
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != srv.refresh_token:
            return 400, fixture("token__invalid_request.json")
        srv.refreshes += 1
        fresh = fixture("token__refreshed.json")
        fresh["access_token"] = f"x-access-{srv.refreshes}"
        fresh["refresh_token"] = srv.refresh_token = f"x-refresh-{srv.refreshes + 1:04d}"
        srv.access_tokens.add(fresh["access_token"])
        return 200, fresh

    def reply(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        srv = self.server
        base = {
            "x-rate-limit-limit": str(RATE_LIMIT),
            "x-rate-limit-remaining": str(srv.remaining),
            "x-rate-limit-reset": str(int(time.time()) + WINDOW_S),
        }
        answer(self, status, raw, {**base, **headers})


def _mentions(post: dict[str, Any], username: str) -> bool:
    return any(m["username"].lower() == username for m in post.get("entities", {}).get("mentions", []))


def _matches(post: dict[str, Any], query: str) -> bool:
    """Enough of X's query language for the tests: every word or "quoted phrase" present,
    ``-is:retweet`` honoured."""
    text = post["text"].lower()
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', query):
        if word == "-is:retweet":
            if any(r["type"] == "retweeted" for r in post.get("referenced_tweets", [])):
                return False
        elif (phrase or word).lower() not in text:
            return False
    return True


def _addressed(srv: FakeX, target: dict[str, Any]) -> bool:
    """X's self-serve rule: the author @mentioned the brand or quoted one of its posts."""
    quoted = [r["id"] for r in target.get("referenced_tweets", []) if r["type"] == "quoted"]
    return _mentions(target, BRAND) or any(srv.posts.get(q, {}).get("author_id") == BRAND_ID for q in quoted)


def running_x() -> Any:
    """An X holding the fixtures: the brand's two mentions (a thread), and a search's posts (an
    unowned mention, a repost, a quote of the brand's post)."""
    server = FakeX()
    server.load("users_mentions__brand.json")
    server.load("search_recent__cafe_lumiere.json")
    return running(server)
