"""A local Trustpilot API v1 for tests: ``business-units/find``, a business unit's reviews newest
first with ``page``/``perPage`` and ``links`` (``next-page``), one review, the business users'
token endpoint (password grant, Basic auth with the API key and secret), ``private/reviews/{id}/
reply``, the ``apikey`` header, and Trustpilot's errors (401, 429 with ``Retry-After``, 5xx); it
can be told to fail before answering normally."""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fake_platform import RecordingHandler, RecordingServer, running

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "trustpilot"
API_KEY = "tp-key-ecoute-0000"
API_SECRET = "tp-secret-ecoute"
USERNAME = "equipe@cafe-lumiere.fr"
PASSWORD = "s3cret-lumiere"
BUSINESS_USER = "507f191e810c19729de860ea"
DOMAIN = "cafe-lumiere.fr"
UNIT = "5f0c1e2d3a4b5c6d7e8f9a01"
RIVAL_DOMAIN = "maison-rivale.fr"
RIVAL_UNIT = "5f0c1e2d3a4b5c6d7e8f9b77"
_REVIEWS = re.compile(r"^/v1/business-units/(\w+)/reviews$")
_REVIEW = re.compile(r"^/v1/reviews/(\w+)$")
_REPLY = re.compile(r"^/v1/private/reviews/(\w+)/reply$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeTrustpilot(RecordingServer):
    def __init__(self) -> None:
        super().__init__(_Handler)
        self.password = PASSWORD
        self.tokens: set[str] = set()
        self.issued = 0
        self.units: dict[str, str] = {DOMAIN: UNIT, RIVAL_DOMAIN: RIVAL_UNIT}
        self.reviews: dict[str, dict[str, Any]] = {}  # review id → review (its businessUnit.id says whose)
        self.replies: list[tuple[str, str, str]] = []  # (review id, author business user id, message)
        self.lose_next_answer = False  # store the next reply, then answer 503 as a proxy would

    def add(self, *reviews: dict[str, Any], unit: str = UNIT) -> None:
        for review in reviews:
            review = copy.deepcopy(review)
            review["businessUnit"] = {**review.get("businessUnit", {}), "id": unit}
            self.reviews[review["id"]] = review

    def delete(self, review_id: str) -> None:
        del self.reviews[review_id]


class _Handler(RecordingHandler):
    server: FakeTrustpilot
    not_found = {"message": "Not found", "errorCode": 404}

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        srv = self.server
        if path == "/v1/oauth/oauth-business-users-for-applications/accesstoken" and method == "POST":
            return self._token(body)
        if path.startswith("/v1/private/"):
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if bearer not in srv.tokens:
                return 401, {
                    "fault": {
                        "faultstring": "Invalid access token",
                        "detail": {"errorcode": "oauth.v2.InvalidAccessToken"},
                    }
                }
            reply = _REPLY.match(path)
            return (
                self._reply(reply.group(1), json.loads(body or b"{}")) if reply and method == "POST" else None
            )
        if self.headers.get("apikey") != API_KEY:
            return 401, fixture("error__unauthorized.json")
        if path == "/v1/business-units/find":
            name = query.get("name", [""])[0].lower().removeprefix("www.")  # both are referring names
            if name not in srv.units:
                return 404, {"message": "Not found", "errorCode": 404}
            found = fixture("business_unit__find.json")
            found["id"] = srv.units[name]
            return 200, found
        if listing := _REVIEWS.match(path):
            return self._list(listing.group(1), query)
        if review := _REVIEW.match(path):
            found = srv.reviews.get(review.group(1))
            return (200, copy.deepcopy(found)) if found else None
        return None

    def _token(self, body: bytes) -> tuple[int, Any]:
        srv = self.server
        basic = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {basic}":
            return 401, fixture("error__unauthorized.json")
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "password" or (form.get("username"), form.get("password")) != (
            USERNAME,
            srv.password,
        ):
            return 400, fixture("token__invalid_grant.json")
        srv.issued += 1
        token = f"tp-access-{srv.issued}"
        srv.tokens.add(token)
        return 200, {
            **fixture("token__issued.json"),
            "access_token": token,
            "refresh_token": f"tp-refresh-{srv.issued}",
        }

    def _list(self, unit: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        srv = self.server
        if query.get("orderBy", ["createdat.desc"])[0] != "createdat.desc":
            return 400, {"message": "Unsupported orderBy", "errorCode": 400}
        page, size = int(query.get("page", ["1"])[0]), int(query.get("perPage", ["20"])[0])
        if not 1 <= size <= 100 or page < 1:
            return 400, {"message": "perPage must be between 1 and 100", "errorCode": 400}
        language = query.get("language", [None])[0]
        rows = [
            r
            for r in srv.reviews.values()
            if r["businessUnit"]["id"] == unit and (language is None or r.get("language") == language)
        ]
        rows.sort(key=lambda r: r["createdAt"], reverse=True)
        start = (page - 1) * size
        links = []
        base = f"https://api.trustpilot.com/v1/business-units/{unit}/reviews"
        if page > 1:
            links.append(
                {"href": f"{base}?page={page - 1}&perPage={size}", "method": "GET", "rel": "prev-page"}
            )
        if start + size < len(rows):
            links.append(
                {"href": f"{base}?page={page + 1}&perPage={size}", "method": "GET", "rel": "next-page"}
            )
        return 200, {"links": links, "reviews": copy.deepcopy(rows[start : start + size])}

    def _reply(self, review_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        srv = self.server
        review = srv.reviews.get(review_id)
        if review is None:
            return 404, self.not_found
        if review["businessUnit"]["id"] != UNIT:  # not the business user's own business unit
            return 403, {"message": "Forbidden", "errorCode": 403}
        author, message = body.get("authorBusinessUserId"), body.get("message")
        if author != BUSINESS_USER or not isinstance(message, str) or not message:
            return 400, {"message": "authorBusinessUserId and message are required", "errorCode": 400}
        review["companyReply"] = {
            "text": message,
            "authorBusinessUserId": author,
            "authorBusinessUserName": "Équipe Lumière",
            "createdAt": "2026-12-03T09:00:00.000Z",
            "updatedAt": None,
        }
        srv.replies.append((review_id, author, message))
        if srv.lose_next_answer:
            srv.lose_next_answer = False
            return 503, {"message": "Service unavailable", "errorCode": 503}
        return 201, {}


def running_trustpilot() -> Any:
    """A Trustpilot holding Café Lumière's four reviews (one answered) and none for its rival."""
    server = FakeTrustpilot()
    server.add(*fixture("reviews__business_unit.json")["reviews"])
    return running(server)
