"""A thin client for the few YouTube Data API v3 endpoints Écoute uses, over the one HTTP helper.

Public reads (``search.list``, a public video's comments) use the API key; the channel's own
comments and replies use the channel's OAuth token (``youtube.force-ssl``), refreshed from its
refresh token when one is set. YouTube has no rate-limit headers: it answers 403 with a reason,
and the reason alone tells a spent daily quota (``quotaExceeded``: wait until midnight Pacific,
when quotas reset) from a token without the right (reconnect) or a video whose comments are
turned off (skip that video, nothing is wrong with the source).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from ecoute.http import Sleep, request
from ecoute.settings import Settings
from ecoute.sources import oauth_token
from ecoute.sources.api_source import json_answer
from ecoute.sources.base import SourceError

API_BASE = "https://www.googleapis.com/youtube/v3"
TOKEN_URL = "https://oauth2.googleapis.com/token"
PACIFIC = ZoneInfo("America/Los_Angeles")
_READ = frozenset({400, 403, 404})  # answers whose reason we read ourselves
_QUOTA = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_TOO_FAST = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_NOT_ALLOWED = frozenset({"insufficientPermissions", "authError", "forbidden", "accessNotConfigured"})


class CommentsDisabled(SourceError):
    """This video's comments are turned off: skip it, the source itself is fine."""

    def __init__(self, message: str):
        super().__init__(message, retriable=False, kind="permanent")


@dataclass(frozen=True)
class OAuth:
    """The channel's authorisation: an access token, or a refresh token and the OAuth client
    that obtained it (Google access tokens last an hour)."""

    access_token: str | None = None
    refresh_token: str | None = None
    client_id: str = ""
    client_secret: str = ""


class YouTubeApi:
    def __init__(
        self,
        *,
        api_key: str | None,
        oauth: OAuth | None,
        api_base: str = API_BASE,
        token_url: str = TOKEN_URL,
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
    ):
        self.api_key, self.oauth = api_key, oauth
        self.api_base, self.token_url = api_base.rstrip("/"), token_url
        self._settings, self._client, self._sleep = settings, client, sleep
        refresh = oauth.refresh_token if oauth else None
        self._key = (
            oauth_token.account_key(token_url, oauth.client_id, refresh) if oauth and refresh else None
        )

    @property
    def can_read_privately(self) -> bool:
        return self.oauth is not None

    def get(self, path: str, params: Mapping[str, Any], *, private: bool = False) -> Any:
        """GET ``path``: with the channel's token when ``private`` (or when there is no API key),
        else with the API key."""
        if private or not self.api_key:
            return self._authorised(lambda headers: self._send("GET", path, params, headers))
        return self._send("GET", path, {**params, "key": self.api_key}, {})

    def insert_comment(self, parent_id: str, text: str) -> Any:
        """POST comments once (no retry here: the caller looks for the reply before trying again)."""
        body = {"snippet": {"parentId": parent_id, "textOriginal": text}}
        return self._authorised(
            lambda headers: self._send("POST", "/comments", {"part": "snippet"}, headers, body, retry=False)
        )

    def _authorised(self, call: Callable[[dict[str, str]], Any]) -> Any:
        oauth = self.oauth
        if oauth is None:
            raise SourceError(
                "setting 'access_token' is missing: connect the channel to read its comments and reply",
                retriable=False,
                kind="auth",
            )
        if self._key is None:
            return call({"Authorization": f"Bearer {oauth.access_token}"})
        return oauth_token.with_token(
            self._key, self._refresh, lambda t: call({"Authorization": f"Bearer {t}"})
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
            handled=_READ,
        )
        answer = json_answer(response, path, "YouTube")
        if response.status_code in _READ:
            raise classified(response.status_code, answer, f"{method} {path}")
        return answer

    def _refresh(self) -> Any:
        assert self.oauth is not None
        return refresh_google_token(
            self.token_url, self.oauth, settings=self._settings, client=self._client, sleep=self._sleep
        )


def refresh_google_token(
    token_url: str, oauth: OAuth, *, settings: Settings, client: httpx.Client, sleep: Sleep
) -> Any:
    """Google's token endpoint's answer to the refresh-token grant (YouTube, Business Profile)."""
    response = request(
        "POST",
        token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": oauth.refresh_token or "",
            "client_id": oauth.client_id,
            "client_secret": oauth.client_secret,
        },
        settings=settings,
        client=client,
        sleep=sleep,
        handled=frozenset({400}),  # {"error": "invalid_grant"}: revoked or expired
    )
    return json_answer(response, "token", "Google")


def classified(status: int, body: Any, what: str) -> SourceError:
    """The ``SourceError`` a YouTube error answer stands for, from its first ``errors[].reason``."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    reasons = [e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)]
    reason = str(reasons[0]) if reasons else str(error.get("status") or status)
    message = " ".join(str(error.get("message") or "").split())[:200]
    words = f"{what} failed: HTTP {status} {reason}{f' ({message})' if message else ''}"
    if reason in _QUOTA:
        return SourceError(
            f"{words}; quotas reset at midnight Pacific time",
            retriable=True,
            kind="rate_limit",
            retry_after=seconds_to_quota_reset(),
        )
    if reason in _TOO_FAST:
        return SourceError(words, retriable=True, kind="rate_limit", retry_after=60.0)
    if reason == "commentsDisabled":
        return CommentsDisabled(words)
    if status == 403 and reason in _NOT_ALLOWED:
        return SourceError(f"{words}: reconnect the channel", retriable=False, kind="auth")
    return SourceError(words, retriable=False)


def seconds_to_quota_reset(now: datetime | None = None) -> float:
    """Seconds until the next midnight in California, when YouTube's daily quotas reset."""
    here = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = datetime(here.year, here.month, here.day, tzinfo=PACIFIC) + timedelta(days=1)
    return max(1.0, (midnight.astimezone(UTC) - here.astimezone(UTC)).total_seconds())
