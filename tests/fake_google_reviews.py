"""A local Google Business Profile API (v4 reviews) for tests: a location's reviews listed newest
update first with ``pageSize``/``pageToken``, ``PUT …/reviews/{id}/reply`` (create or replace),
Google's token endpoint (refresh-token grant), bearer tokens, and Google's error bodies (401
``UNAUTHENTICATED``, 403 ``PERMISSION_DENIED``, 429 ``RESOURCE_EXHAUSTED``, 5xx); it can be told to
fail before answering normally."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_platform import RecordingHandler, RecordingServer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "google_reviews"
ACCOUNT = "104857600123"
LOCATION = "7723450001"
CLIENT_ID = "5678-ecoute.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-ecoute-reviews"
REFRESH_TOKEN = "1//refresh-reviews"
ACCESS_TOKEN = "ya29.access-reviews"
_REPLY = re.compile(r"^/v4/accounts/(\w+)/locations/(\w+)/reviews/([\w-]+)/reply$")
_LIST = re.compile(r"^/v4/accounts/(\w+)/locations/(\w+)/reviews$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeGoogleReviews(RecordingServer):
    def __init__(self) -> None:
        super().__init__(_Handler)
        self.tokens: set[str] = {ACCESS_TOKEN}
        self.refresh_token = REFRESH_TOKEN
        self.issued = 0
        self.reviews: dict[str, dict[str, Any]] = {}  # reviewId → Review
        self.puts: list[tuple[str, str]] = []  # (reviewId, comment) of every reply PUT
        self.lose_next_answer = False  # store the next reply, then answer 503 as a proxy would

    def add(self, *reviews: dict[str, Any]) -> None:
        for review in reviews:
            self.reviews[review["reviewId"]] = copy.deepcopy(review)

    def delete(self, review_id: str) -> None:
        del self.reviews[review_id]

    @property
    def api_base(self) -> str:
        return f"{self.url}/v4"


class _Handler(RecordingHandler):
    server: FakeGoogleReviews
    not_found = {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}

    def do_PUT(self) -> None:
        self._call("PUT")

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        if path == "/token":
            return self._token(body)
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in srv.tokens:
            return 401, fixture("error__unauthenticated.json")
        listing, reply = _LIST.match(path), _REPLY.match(path)
        place = (listing or reply).groups()[:2] if (listing or reply) else None
        if place is not None and place != (ACCOUNT, LOCATION):
            return 403, fixture("error__permission_denied.json")
        if method == "GET" and listing:
            return self._list(query)
        if method == "PUT" and reply:
            return self._reply(reply.group(3), json.loads(body or b"{}"))
        return None

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

    def _list(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        srv = self.server
        if query.get("orderBy", [""])[0] != "updateTime desc":
            return 400, {"error": {"code": 400, "message": "Invalid orderBy", "status": "INVALID_ARGUMENT"}}
        rows = sorted(srv.reviews.values(), key=lambda r: r["updateTime"], reverse=True)
        size = int(query.get("pageSize", ["50"])[0])
        if not 1 <= size <= 50:
            return 400, {"error": {"code": 400, "message": "Invalid pageSize", "status": "INVALID_ARGUMENT"}}
        start = int(query.get("pageToken", ["0"])[0] or 0)
        page = copy.deepcopy(rows[start : start + size])
        ratings = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
        stars = [ratings[r["starRating"]] for r in rows if r.get("starRating") in ratings]
        answer: dict[str, Any] = {"reviews": page} if page else {}
        answer["averageRating"] = round(sum(stars) / len(stars), 1) if stars else 0
        answer["totalReviewCount"] = len(rows)
        if start + size < len(rows):
            answer["nextPageToken"] = str(start + size)
        return 200, answer

    def _reply(self, review_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        srv = self.server
        review = srv.reviews.get(review_id)
        if review is None:
            return 404, self.not_found
        comment = body.get("comment")
        if not isinstance(comment, str) or len(comment.encode()) > 4096:
            return 400, {"error": {"code": 400, "message": "Invalid comment", "status": "INVALID_ARGUMENT"}}
        reply = {**fixture("reply__updated.json"), "comment": comment}
        review["reviewReply"] = reply  # one reply per review: a PUT replaces it
        srv.puts.append((review_id, comment))
        if srv.lose_next_answer:
            srv.lose_next_answer = False
            return 503, {
                "error": {
                    "code": 503,
                    "message": "The service is currently unavailable.",
                    "status": "UNAVAILABLE",
                }
            }
        return 200, reply


def source_settings(server: FakeGoogleReviews, **extra: Any) -> dict[str, Any]:
    """A google_reviews source's settings (unsealed) for this location on ``server``."""
    return {
        "account_id": ACCOUNT,
        "location_id": LOCATION,
        "access_token": ACCESS_TOKEN,
        "api_base": server.api_base,
        "keep_unmatched": True,
        **extra,
    }


def running_google_reviews() -> Any:
    """A Business Profile holding the location's five reviews (one answered, two translated)."""
    server = FakeGoogleReviews()
    server.add(*fixture("reviews__location.json")["reviews"])
    return running(server)
