"""A thin client for the few Graph API endpoints Écoute uses (Facebook Pages and Instagram), over
the one HTTP helper, at one pinned Graph version.

The token travels in the ``Authorization`` header (never in a URL that could be logged), with an
``appsecret_proof`` when the app secret is known (Meta asks for it when the app requires it).

Graph answers most errors with HTTP 400 and a body ``{"error": {"code", "error_subcode",
"message", "type"}}``: the code, not the status, says what happened, and it is classified here
onto the failure kinds every source shares:

- 190 (token expired or revoked), 102: ``auth`` — the source needs reconnecting;
- 10 and 200–299 (a permission missing): ``auth`` too — reconnect granting the permission;
- 4, 17, 32, 613, 80001–80009 (rate limits): ``rate_limit``, waiting as long as the usage
  headers' ``estimated_time_to_regain_access`` says (else an hour, Meta's window);
- 100 with subcode 33 (the object was deleted, or cannot be read): ``ObjectGone`` — skip that
  post or comment, the source itself is fine;
- 1, 2 (unknown or temporary errors) and 5xx: ``transient``, backing off.

Every answer's usage headers (``X-App-Usage``, ``X-Business-Use-Case-Usage``) are read: once a
share of the budget nears 100 %, ``near_limit`` turns on and the connector stops reading for
this poll, before Meta starts refusing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from ecoute.http import Sleep, request
from ecoute.settings import Settings
from ecoute.sources.api_source import json_answer
from ecoute.sources.base import SourceError

GRAPH_VERSION = "v24.0"  # the one Graph API version Écoute speaks (Meta keeps each for 2 years)
API_BASE = "https://graph.facebook.com"
NEAR_LIMIT = 90  # percent of a usage budget after which a poll stops reading
RATE_WINDOW_S = 3600.0  # Meta's limits are counted over a rolling hour
_READ = frozenset({400, 401, 403, 404})
_AUTH = frozenset({102, 190})
_PERMISSION = frozenset({10, *range(200, 300)})
_RATE = frozenset({4, 17, 32, 613, *range(80001, 80010)})
_TRANSIENT = frozenset({1, 2})


class ObjectGone(SourceError):
    """The post or comment was deleted, or cannot be read or answered any more: skip it."""

    def __init__(self, message: str):
        super().__init__(message, retriable=False, kind="permanent")


class GraphApi:
    def __init__(
        self,
        *,
        access_token: str,
        app_secret: str | None,
        api_base: str = API_BASE,
        settings: Settings,
        client: httpx.Client,
        sleep: Sleep = time.sleep,
    ):
        self._token, self._app_secret = access_token, app_secret
        self.base = f"{api_base.rstrip('/')}/{GRAPH_VERSION}"
        self._settings, self._client, self._sleep = settings, client, sleep
        self.usage = 0  # the highest share of any budget (percent) Meta last reported
        self.regain_s: float | None = None  # when Meta said access comes back, if it did

    @property
    def near_limit(self) -> bool:
        return self.usage >= NEAR_LIMIT

    def get(self, path: str, params: Mapping[str, Any]) -> Any:
        return self._send("GET", path, params)

    def post(self, path: str, form: Mapping[str, Any]) -> Any:
        """One POST with a form body (no retry here: the caller looks for what it posted before
        trying again)."""
        return self._send("POST", path, {}, form=form, retry=False)

    def pages(self, path: str, params: Mapping[str, Any], *, max_pages: int) -> tuple[list[Any], bool]:
        """Up to ``max_pages`` pages of an edge (``paging.cursors.after``): the rows, and whether
        that was all of them."""
        rows: list[Any] = []
        after: str | None = None
        for _ in range(max_pages):
            body = self.get(path, {**params, **({"after": after} if after else {})})
            data = body.get("data") if isinstance(body, dict) else None
            rows.extend(data if isinstance(data, list) else [])
            paging = body.get("paging") if isinstance(body, dict) else None
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not (isinstance(paging, dict) and paging.get("next") and after):
                return rows, True
            if self.near_limit:
                break
        return rows, False

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        *,
        form: Mapping[str, Any] | None = None,
        retry: bool = True,
    ) -> Any:
        query = dict(params)
        if self._app_secret:
            query["appsecret_proof"] = hmac.new(
                self._app_secret.encode(), self._token.encode(), hashlib.sha256
            ).hexdigest()
        response = request(
            method,
            self.base + path,
            headers={"Accept": "application/json", "Authorization": f"Bearer {self._token}"},
            params=query,
            data=form,
            settings=self._settings,
            client=self._client,
            sleep=self._sleep,
            retry=retry,
            handled=_READ,
        )
        self._read_usage(response.headers)
        answer = json_answer(response, path, "Graph API")
        if response.status_code in _READ or (isinstance(answer, dict) and "error" in answer):
            raise classified(response.status_code, answer, f"{method} {path}", self.regain_s)
        return answer

    def _read_usage(self, headers: httpx.Headers) -> None:
        shares, regain = usage(headers)
        self.usage = max(shares, default=0)
        self.regain_s = regain


def usage(headers: Mapping[str, str]) -> tuple[list[int], float | None]:
    """The shares of the budgets (percent) in ``X-App-Usage`` (``{"call_count", "total_time",
    "total_cputime"}``) and ``X-Business-Use-Case-Usage`` (per business object, a list of
    ``{"type", "call_count", "total_time", "total_cputime", "estimated_time_to_regain_access"}``,
    the last in minutes); unreadable headers count for nothing."""
    shares: list[int] = []
    regain: float | None = None
    app = _json_header(headers.get("x-app-usage"))
    if isinstance(app, dict):
        shares.extend(_shares(app))
    buc = _json_header(headers.get("x-business-use-case-usage"))
    if isinstance(buc, dict):
        for uses in buc.values():
            for use in uses if isinstance(uses, list) else []:
                if not isinstance(use, dict):
                    continue
                shares.extend(_shares(use))
                minutes = use.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and not isinstance(minutes, bool) and minutes > 0:
                    regain = max(regain or 0.0, float(minutes) * 60)
    return shares, regain


def _json_header(value: str | None) -> Any:
    if not value or len(value) > 10_000:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _shares(use: Mapping[str, Any]) -> list[int]:
    found = []
    for name in ("call_count", "total_time", "total_cputime"):
        value = use.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append(int(value))
    return found


def classified(status: int, body: Any, what: str, regain_s: float | None = None) -> SourceError:
    """The ``SourceError`` a Graph error answer stands for, from its ``error.code``."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    message = " ".join(str(error.get("message") or "").split())[:200]
    named = f"code {code}" + (f"/{subcode}" if subcode else "") if code is not None else "no error code"
    words = f"{what} failed: HTTP {status}, Graph {named}{f' ({message})' if message else ''}"
    if code in _AUTH or (code is None and status == 401):
        return SourceError(
            f"{words}: the Page access token expired or was revoked, reconnect the source",
            retriable=False,
            kind="auth",
        )
    if code in _PERMISSION:
        return SourceError(
            f"{words}: the token lacks a permission, reconnect granting it (see docs/sources)",
            retriable=False,
            kind="auth",
        )
    if code in _RATE:
        return SourceError(
            f"{words}: Meta's rate limit",
            retriable=True,
            kind="rate_limit",
            retry_after=regain_s or RATE_WINDOW_S,
        )
    if code == 100 and subcode == 33 or status == 404:
        return ObjectGone(words)
    if code in _TRANSIENT or error.get("is_transient") is True:
        return SourceError(words, retriable=True, kind="transient")
    return SourceError(words, retriable=False)
