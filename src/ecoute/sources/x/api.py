"""A thin client for the few X API v2 endpoints Écoute uses, over the one HTTP helper.

Authorisation, one of:

- the brand account's OAuth 2 user token (``tweet.read users.read tweet.write offline.access``):
  the access token given at connection is used until X refuses it (it lasts 2 hours), then a new
  one is fetched with the refresh token, one refresh at a time per account (``oauth_token``'s
  lock). X rotates refresh tokens: each refresh answers a new one and the old one stops working,
  so the newest is held here and handed back to the connector to keep (sealed, in the cursor);
- an app-only bearer token: recent search only (no mentions, no replies).

Rate limits: X sends ``x-rate-limit-limit``, ``x-rate-limit-remaining`` and ``x-rate-limit-reset``
(epoch seconds) on every answer. When the window's budget is spent the poll stops paging there; a
429 waits for the reset (the HTTP helper reads it). 401 needs reconnecting; a 403 on a read too
(the app lost its access, or its keys were regenerated); 5xx are retried with a back-off.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ecoute.http import Sleep, request, reset_seconds
from ecoute.settings import Settings
from ecoute.sources import oauth_token
from ecoute.sources.api_source import json_answer
from ecoute.sources.base import SourceError

API_BASE = "https://api.x.com"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
TWEET_FIELDS = (
    "created_at,conversation_id,referenced_tweets,in_reply_to_user_id,public_metrics,"
    "edit_history_tweet_ids,lang,entities,note_tweet,author_id"
)
EXPANSIONS = "author_id,referenced_tweets.id"
USER_FIELDS = "username,name,verified,verified_type,public_metrics"
FIELDS = {"tweet.fields": TWEET_FIELDS, "expansions": EXPANSIONS, "user.fields": USER_FIELDS}


@dataclass(frozen=True)
class UserGrant:
    """The brand account's OAuth 2 authorisation: its tokens and the app (client) they belong to;
    ``client_secret`` only for a confidential client."""

    client_id: str
    access_token: str | None = None
    refresh_token: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True)
class Page:
    body: Any
    exhausted: bool  # the rate-limit window's budget is spent until its reset
    wait_s: float | None


# The newest refresh token per account, as X rotated it (kept in the process; the connector also
# keeps it sealed in the source's cursor so that another process starts from it).
_REFRESH: dict[tuple[str, ...], str] = {}
_SEEDED: set[tuple[str, ...]] = set()  # accounts whose connection-time access token was handed out


class XApi:
    def __init__(
        self,
        *,
        grant: UserGrant | None,
        bearer_token: str | None,
        api_base: str = API_BASE,
        token_url: str = TOKEN_URL,
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
        rotated_refresh: str | None = None,
    ):
        self.grant, self.bearer_token = grant, bearer_token
        self.api_base, self.token_url = api_base.rstrip("/"), token_url
        self._settings, self._client, self._sleep = settings, client, sleep
        self._key = (
            oauth_token.account_key(
                token_url, grant.client_id, grant.refresh_token or grant.access_token or ""
            )
            if grant
            else None
        )
        if self._key is not None and rotated_refresh and self._key not in _REFRESH:
            _REFRESH[self._key] = rotated_refresh

    @property
    def has_user(self) -> bool:
        return self.grant is not None

    @property
    def account_key(self) -> tuple[str, ...]:
        """Which account this is (the token endpoint, client and first token), for per-account caches."""
        assert self._key is not None
        return self._key

    @property
    def refresh_token(self) -> str | None:
        """The refresh token to keep: the newest X handed out, else the one given."""
        if self._key is None or self.grant is None:
            return None
        return _REFRESH.get(self._key, self.grant.refresh_token)

    # --- reading ----------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, user: bool = False) -> Page:
        """GET ``path`` with the user token (always when ``user``, else when there is one), or the
        app's bearer token."""
        response = self._authorised(lambda token: self._send("GET", path, token, params), user=user)
        remaining = _float(response.headers.get("x-rate-limit-remaining"))
        exhausted = remaining is not None and remaining < 1
        wait = reset_seconds(response.headers.get("x-rate-limit-reset")) if exhausted else None
        return Page(json_answer(response, path, "X"), exhausted, wait)

    # --- writing ----------------------------------------------------------------------------

    def post_reply(self, in_reply_to: str, text: str) -> Mapping[str, Any]:
        """POST /2/tweets once (no retry here: X has no idempotency key, so the caller looks for
        the reply among the account's posts before trying again). Returns the new post's data."""
        body = {"text": text, "reply": {"in_reply_to_tweet_id": in_reply_to}}
        response = self._authorised(
            lambda token: self._send("POST", "/2/tweets", token, None, body, retry=False), user=True
        )
        answer = json_answer(response, "/2/tweets", "X")
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise SourceError("POST /2/tweets: X's answer names no post", retriable=True)
        return data

    # --- plumbing ---------------------------------------------------------------------------

    def _authorised(self, call: Any, *, user: bool) -> httpx.Response:
        if self._key is not None:
            return oauth_token.with_token(self._key, self._obtain, call)
        if user or not self.bearer_token:
            raise SourceError(
                "X needs the brand account's user token for this (mentions, replies): connect the "
                "account (settings access_token and refresh_token)",
                retriable=False,
                kind="auth",
            )
        return call(self.bearer_token)

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None,
        body: Any = None,
        *,
        retry: bool = True,
    ) -> httpx.Response:
        response = request(
            method,
            self.api_base + path,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            params=params,
            json=body,
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
            retry=retry,
            handled=frozenset({403}),
        )
        if response.status_code == 403:
            raise forbidden(response, f"{method} {path}", writing=method != "GET")
        return response

    def _obtain(self) -> Any:
        """Called under the account's lock: first the access token given at connection, then a
        refresh with the newest refresh token (the answer's new refresh token kept)."""
        assert self.grant is not None and self._key is not None
        if self._key not in _SEEDED and self.grant.access_token:
            _SEEDED.add(self._key)
            return {"access_token": self.grant.access_token, "expires_in": 7200}
        refresh = _REFRESH.get(self._key, self.grant.refresh_token)
        if not refresh:
            raise SourceError(
                "X refused the access token and there is no refresh token: reconnect the account",
                retriable=False,
                kind="auth",
            )
        headers = {}
        if self.grant.client_secret:  # a confidential client authenticates with Basic auth
            pair = f"{self.grant.client_id}:{self.grant.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        response = request(
            "POST",
            self.token_url,
            headers=headers,
            data={"grant_type": "refresh_token", "refresh_token": refresh, "client_id": self.grant.client_id},
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
            handled=frozenset({400, 401}),  # {"error": "invalid_request"}: the refresh token is dead
        )
        answer = json_answer(response, "token", "X")
        if isinstance(answer, dict) and isinstance(answer.get("refresh_token"), str):
            _REFRESH[self._key] = answer["refresh_token"]
        return answer


def forbidden(response: httpx.Response, what: str, *, writing: bool) -> SourceError:
    """A 403 in words: on a write X refuses that one post (a reply to someone who did not address
    the brand, a duplicate); on a read the app or token lost its access: reconnect."""
    words = problem_words(response)
    if writing:
        return SourceError(f"{what} refused by X: {words}", retriable=False)
    return SourceError(
        f"{what} failed: HTTP 403 ({words}): the app or the account lost its access, reconnect the source",
        retriable=False,
        kind="auth",
    )


def problem_words(response: httpx.Response) -> str:
    """X's own words for an error: a problem's ``detail`` (or ``title``), or v1-style
    ``errors[0].message``."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no detail"
    if not isinstance(body, dict):
        return "no detail"
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    words = body.get("detail") or body.get("title") or first.get("message") or first.get("detail")
    return " ".join(str(words or "no detail").split())[:300]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
