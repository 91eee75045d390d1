"""A thin client for the few Mastodon endpoints Écoute uses, over the one HTTP helper.

Each request carries the account's bearer token; failures come back as ``SourceError`` with
their kind (401: reconnect; 429: wait for ``X-RateLimit-Reset``; 5xx, timeouts: back off).
Mastodon also reports the remaining budget on every answer: when ``X-RateLimit-Remaining``
reaches 0 the poll stops paging there (keeping what it read) rather than earning a 429.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from ecoute.http import Sleep, request, wait_asked
from ecoute.settings import Settings
from ecoute.sources.base import SourceError


@dataclass(frozen=True)
class Page:
    body: Any
    newer: str | None  # the ``min_id`` of Link rel="prev": where the next, newer page starts
    exhausted: bool  # the rate-limit budget is spent until its reset
    wait_s: float | None


class MastodonApi:
    def __init__(
        self,
        instance: str,
        token: str,
        *,
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
    ):
        self.instance = instance.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._settings, self._client, self._sleep = settings, client, sleep

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Page:
        response = request(
            "GET",
            self.instance + path,
            headers=self._headers,
            params=params,
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
        )
        prev = response.links.get("prev", {}).get("url")
        newer = parse_qs(urlsplit(prev).query).get("min_id", [None])[0] if prev else None
        remaining = response.headers.get("X-RateLimit-Remaining", "")
        exhausted = remaining.strip() == "0"
        return Page(_json(response, path), newer, exhausted, wait_asked(response) if exhausted else None)

    def post_status(self, text: str, in_reply_to_id: str, *, idempotency_key: str, visibility: str) -> Any:
        """POST /api/v1/statuses once; Mastodon answers a repeated ``Idempotency-Key`` (kept for an
        hour) with the status it already created instead of posting again."""
        response = request(
            "POST",
            self.instance + "/api/v1/statuses",
            headers={**self._headers, "Idempotency-Key": idempotency_key},
            json={"status": text, "in_reply_to_id": in_reply_to_id, "visibility": visibility},
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
        )
        return _json(response, "/api/v1/statuses")


def _json(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(
            f"{path}: the instance answered {response.headers.get('content-type', 'no content type')}, "
            "not JSON (is the instance URL right?)",
            retriable=True,
        ) from None
