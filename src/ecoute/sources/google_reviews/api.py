"""A thin client for the Google Business Profile API v4 reviews endpoints, over the one HTTP
helper, with the location owner's OAuth token (scope ``business.manage``) refreshed from its
refresh token when one is set (Google access tokens last an hour).

Google's errors carry a ``status``: 401 ``UNAUTHENTICATED`` and 403 ``PERMISSION_DENIED`` mean
the authorisation no longer reaches the location (reconnect); 429 ``RESOURCE_EXHAUSTED`` is the
per-minute quota (wait) — or, with a limit of 0, an API access Google has not approved yet
(nothing to retry: apply for access); 5xx are retried with back-off by the HTTP helper, then the
poll is retried later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ecoute.http import Sleep, request, wait_asked
from ecoute.settings import Settings
from ecoute.sources import oauth_token
from ecoute.sources.api_source import json_answer
from ecoute.sources.base import SourceError
from ecoute.sources.youtube.api import OAuth, refresh_google_token

API_BASE = "https://mybusiness.googleapis.com/v4"
TOKEN_URL = "https://oauth2.googleapis.com/token"
_READ = frozenset({400, 403, 404, 429})  # answers whose status we read ourselves
QUOTA_WAIT_S = 60.0  # the quota is per minute


class GoogleReviewsApi:
    def __init__(
        self,
        *,
        oauth: OAuth,
        api_base: str = API_BASE,
        token_url: str = TOKEN_URL,
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
    ):
        self.oauth = oauth
        self.api_base, self.token_url = api_base.rstrip("/"), token_url
        self._settings, self._client, self._sleep = settings, client, sleep
        self._key = (
            oauth_token.account_key(token_url, oauth.client_id, oauth.refresh_token)
            if oauth.refresh_token
            else None
        )

    def get(self, path: str, params: Mapping[str, Any]) -> Any:
        return self._authorised(lambda headers: self._send("GET", path, params, headers))

    def put_reply(self, review_path: str, comment: str) -> Any:
        """PUT the review's reply: it creates or replaces the one reply a review has, so sending
        it again (a retry after a lost answer) leaves one reply with this text."""
        return self._authorised(
            lambda headers: self._send("PUT", f"/{review_path}/reply", {}, headers, {"comment": comment})
        )

    def _authorised(self, call: Callable[[dict[str, str]], Any]) -> Any:
        if self._key is None:
            return call({"Authorization": f"Bearer {self.oauth.access_token}"})
        return oauth_token.with_token(
            self._key, self._refresh, lambda t: call({"Authorization": f"Bearer {t}"})
        )

    def _send(
        self, method: str, path: str, params: Mapping[str, Any], headers: Mapping[str, str], body: Any = None
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
            handled=_READ,
        )
        answer = json_answer(response, path, "Google Business Profile")
        if response.status_code in _READ:
            raise classified(response, answer, f"{method} {path}")
        return answer

    def _refresh(self) -> Any:
        # invalid_grant: revoked, expired, or an app still in "Testing" (its tokens last 7 days)
        return refresh_google_token(
            self.token_url, self.oauth, settings=self._settings, client=self._client, sleep=self._sleep
        )


def classified(response: httpx.Response, body: Any, what: str) -> SourceError:
    """The ``SourceError`` a Google error answer stands for, from its ``error.status``."""
    status = response.status_code
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    reason = str(error.get("status") or status)
    message = " ".join(str(error.get("message") or "").split())[:200]
    words = f"{what} failed: HTTP {status} {reason}{f' ({message})' if message else ''}"
    if status == 429 or reason == "RESOURCE_EXHAUSTED":
        if _quota_is_zero(error, message):
            return SourceError(
                f"{words}: Google has not approved this project's access to the Business Profile APIs "
                "yet (see docs/sources/google-reviews.md)",
                retriable=False,
            )
        return SourceError(
            words, retriable=True, kind="rate_limit", retry_after=wait_asked(response) or QUOTA_WAIT_S
        )
    if status == 403 or reason == "PERMISSION_DENIED":
        return SourceError(f"{words}: reconnect the Business Profile account", retriable=False, kind="auth")
    return SourceError(words, retriable=False)


def _quota_is_zero(error: Mapping[str, Any], message: str) -> bool:
    """A quota of 0: Google's ``ErrorInfo`` says ``quota_limit_value: "0"`` (or the message a limit of 0)."""
    details = error.get("details")
    for detail in details if isinstance(details, list) else []:
        metadata = detail.get("metadata") if isinstance(detail, dict) else None
        if isinstance(metadata, dict) and str(metadata.get("quota_limit_value")) == "0":
            return True
    lowered = message.lower()
    return "limit '0'" in lowered or "limit: 0" in lowered
