"""A thin client for the few Trustpilot API v1 endpoints Écoute uses, over the one HTTP helper.

Public reads (a business unit found by its domain, its reviews, one review) send the API key in
the ``apikey`` header and work for any business, competitors included. Replying is private: a
business user's token from the password grant (``POST /v1/oauth/oauth-business-users-for-
applications/accesstoken``, Basic auth with the API key and secret), held until it expires.
A 401 means the key or the business user's password no longer works (reconnect); a 429 is
waited out (``Retry-After``); 5xx are retried with back-off by the HTTP helper.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ecoute.http import Sleep, request
from ecoute.settings import Settings
from ecoute.sources import oauth_token
from ecoute.sources.api_source import json_answer
from ecoute.sources.base import SourceError

API_BASE = "https://api.trustpilot.com"
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"


@dataclass(frozen=True)
class BusinessUser:
    """The business user replies are posted as (their login, and their id on Trustpilot)."""

    username: str
    password: str
    user_id: str
    api_secret: str


class TrustpilotApi:
    def __init__(
        self,
        *,
        api_key: str,
        user: BusinessUser | None,
        api_base: str = API_BASE,
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
    ):
        self.api_key, self.user = api_key, user
        self.api_base = api_base.rstrip("/")
        self._settings, self._client, self._sleep = settings, client, sleep

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._send("GET", path, params or {}, {"apikey": self.api_key})

    def post_reply(self, review_id: str, message: str) -> Any:
        """POST the reply once (no retry here: the caller reads the review before trying again)."""
        user = self.user
        if user is None:
            raise SourceError(
                "reply: this Trustpilot source has no business user (username, password, business_user_id): "
                "replies can be posted only on your own business unit",
                retriable=False,
            )
        key = oauth_token.account_key(self.api_base + TOKEN_PATH, self.api_key, user.username, user.password)
        body = {"authorBusinessUserId": user.user_id, "message": message}
        return oauth_token.with_token(
            key,
            self._token,
            lambda token: self._send(
                "POST",
                f"/v1/private/reviews/{review_id}/reply",
                {},
                {"Authorization": f"Bearer {token}"},
                body,
                retry=False,
            ),
        )

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        headers: Mapping[str, str],
        body: Any = None,
        *,
        retry: bool = True,
    ) -> Any:
        response = request(
            method,
            self.api_base + path,
            headers={"Accept": "application/json", **headers},
            params=params,
            json=body,
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
            retry=retry,
        )
        if not response.content:  # a reply's 201 may come without a body
            return {}
        return json_answer(response, path, "Trustpilot")

    def _token(self) -> Any:
        assert self.user is not None
        basic = base64.b64encode(f"{self.api_key}:{self.user.api_secret}".encode()).decode()
        response = request(
            "POST",
            self.api_base + TOKEN_PATH,
            data={"grant_type": "password", "username": self.user.username, "password": self.user.password},
            headers={"Authorization": f"Basic {basic}"},
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
            handled=frozenset({400}),  # {"error": "invalid_grant"}: the password changed
        )
        return json_answer(response, "token", "Trustpilot")
