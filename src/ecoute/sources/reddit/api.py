"""A thin client for the few Reddit endpoints Écoute uses, over the one HTTP helper.

Every request carries the User-Agent Reddit requires (``<platform>:<app id>:<version> (by
/u/<username>)``; default agents are throttled hard), a bearer token from the OAuth grant (held
until it expires, fetched again once when refused) and ``raw_json=1`` so texts arrive unescaped.

Rate limits: Reddit reports ``X-Ratelimit-Remaining`` and ``X-Ratelimit-Reset`` (seconds until the
window ends) on every answer. When the budget is spent the poll stops paging there (keeping what
it read); a 429 is a ``rate_limit`` failure with the reset as its wait. Writes can also be refused
with HTTP 200 and a ``RATELIMIT`` error in the JSON body ("you are doing that too much").
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx

from ecoute.http import Sleep, request, reset_seconds
from ecoute.settings import Settings
from ecoute.sources import oauth_token
from ecoute.sources.api_source import json_answer
from ecoute.sources.base import SourceError

API_BASE = "https://oauth.reddit.com"
AUTH_BASE = "https://www.reddit.com"
TOKEN_PATH = "/api/v1/access_token"


@dataclass(frozen=True)
class Grant:
    """How the source gets its access tokens: a script app's password, or a refresh token from
    the authorization-code flow (``duration=permanent``)."""

    client_id: str
    client_secret: str
    username: str
    password: str | None = None
    refresh_token: str | None = None

    def form(self) -> dict[str, str]:
        if self.refresh_token:
            return {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
        return {"grant_type": "password", "username": self.username, "password": self.password or ""}


@dataclass(frozen=True)
class Page:
    body: Any
    exhausted: bool  # the rate-limit budget is spent until its reset
    wait_s: float | None


def user_agent(app_id: str, username: str) -> str:
    try:
        ours = version("ecoute")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        ours = "0"
    return f"server:{app_id}:{ours} (by /u/{username})"


class RedditApi:
    def __init__(
        self,
        grant: Grant,
        *,
        api_base: str = API_BASE,
        auth_base: str = AUTH_BASE,
        app_id: str = "ecoute",
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
    ):
        self.grant = grant
        self.api_base, self.auth_base = api_base.rstrip("/"), auth_base.rstrip("/")
        self.user_agent = user_agent(app_id, grant.username)
        self._settings, self._client, self._sleep = settings, client, sleep
        self._key = oauth_token.account_key(
            self.auth_base + TOKEN_PATH,
            grant.client_id,
            grant.username,
            grant.refresh_token or grant.password or "",
        )

    # --- reading ----------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Page:
        query = {**(params or {}), "raw_json": 1}
        response = oauth_token.with_token(
            self._key, self._obtain, lambda t: self._send("GET", path, t, query)
        )
        remaining = _float(response.headers.get("X-Ratelimit-Remaining"))
        exhausted = remaining is not None and remaining < 1
        wait = reset_seconds(response.headers.get("X-Ratelimit-Reset")) if exhausted else None
        return Page(json_answer(response, path, "Reddit"), exhausted, wait)

    # --- writing ----------------------------------------------------------------------------

    def post_comment(self, thing_id: str, text: str) -> Mapping[str, Any]:
        """POST /api/comment once (no retry here: the caller checks the account's comments before
        trying again, Reddit having no idempotency key). Returns the new comment's data."""
        form = {"thing_id": thing_id, "text": text, "api_type": "json", "raw_json": "1"}
        response = oauth_token.with_token(
            self._key, self._obtain, lambda t: self._send("POST", "/api/comment", t, None, form, retry=False)
        )
        body = json_answer(response, "/api/comment", "Reddit")
        answer = body.get("json") if isinstance(body, dict) else None
        if not isinstance(answer, dict):
            raise SourceError("/api/comment: the answer has no json object", retriable=True)
        refused(answer.get("errors"), "/api/comment")
        things = (answer.get("data") or {}).get("things") if isinstance(answer.get("data"), dict) else None
        if not things or not isinstance(things[0], dict) or not isinstance(things[0].get("data"), dict):
            raise SourceError("/api/comment: the answer names no new comment", retriable=True)
        return things[0]["data"]

    # --- plumbing ---------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None,
        form: Mapping[str, str] | None = None,
        *,
        retry: bool = True,
    ) -> httpx.Response:
        return request(
            method,
            self.api_base + path,
            headers={"Authorization": f"Bearer {token}", "User-Agent": self.user_agent},
            params=params,
            data=form,
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
            retry=retry,
        )

    def _obtain(self) -> Any:
        basic = base64.b64encode(f"{self.grant.client_id}:{self.grant.client_secret}".encode()).decode()
        response = request(
            "POST",
            self.auth_base + TOKEN_PATH,
            headers={"Authorization": f"Basic {basic}", "User-Agent": self.user_agent},
            data=self.grant.form(),
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
        )
        return json_answer(response, TOKEN_PATH, "Reddit")


_TRY_AGAIN_IN = re.compile(r"(\d+)\s*(second|minute|hour)", re.IGNORECASE)
_UNITS = {"second": 1, "minute": 60, "hour": 3600}


def refused(errors: Any, where: str) -> None:
    """Raise for Reddit's errors in a 200 answer: ``[["RATELIMIT", "you are doing that too much.
    try again in 3 minutes.", "ratelimit"]]`` is a rate limit, anything else (THREAD_LOCKED,
    DELETED_COMMENT, TOO_OLD...) is permanent for that reply."""
    if not errors:
        return
    first = errors[0] if isinstance(errors, list) else errors
    code, message = (
        (str(first[0]), str(first[1]) if len(first) > 1 else "")
        if isinstance(first, list)
        else (
            str(first),
            "",
        )
    )
    if code == "RATELIMIT":
        found = _TRY_AGAIN_IN.search(message)
        wait = int(found.group(1)) * _UNITS[found.group(2).lower()] if found else 60
        raise SourceError(
            f"{where}: Reddit is rate limiting this account ({message})",
            retriable=True,
            kind="rate_limit",
            retry_after=float(wait),
        )
    raise SourceError(
        f"{where}: Reddit refused it: {code}{f' ({message})' if message else ''}", retriable=False
    )


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
