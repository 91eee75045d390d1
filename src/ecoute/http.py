"""The one outgoing-HTTP helper: timeout and User-Agent from settings, retries, ``Retry-After``.

Every connector fetches through :func:`fetch` so that politeness (a stable User-Agent, backing off
when a server says so) and failure handling (``SourceError`` split into retriable or not) are
decided once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ecoute.settings import Settings, get_settings
from ecoute.sources.base import SourceError

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]

# Waits we are willing to block a worker for. A server that asks for longer (Retry-After: 3600)
# gets what it asked for: we stop now and let the scheduler poll again later.
MAX_RETRY_AFTER_S = 60.0
_max_wait: ContextVar[float] = ContextVar("ecoute_http_max_wait", default=MAX_RETRY_AFTER_S)
BACKOFF_BASE_S = 1.0
BACKOFF_MAX_S = 30.0

# 501 and 505 mean "this server will never do that": retrying cannot help.
_PERMANENT_5XX = frozenset({501, 505})
# Below this a reset "time" is a count of seconds from now, not epoch seconds (2001-09-09).
_EPOCH_FLOOR = 1_000_000_000
_RETRIABLE_4XX = frozenset({408, 425, 429})
# Failures of the connection itself (refused, reset, dropped mid-response, timed out), as opposed
# to a bad URL or a redirect loop, which no amount of retrying fixes.
_TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)


def fetch(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
) -> httpx.Response:
    """GET ``url`` and return the response: a 2xx, or a 304 for a conditional request.

    Connection errors, timeouts, 408/425/429 and 5xx are retried up to the ``http_retries``
    setting (attempts in all), waiting ``Retry-After`` when the server sends one and an
    exponential backoff otherwise. Anything else, or running out of attempts, raises
    ``SourceError`` whose ``retriable`` says whether polling again later may help.

    ``client`` lets a connector reuse one connection pool (it is not closed here); ``sleep`` lets
    tests run without waiting.
    """
    if settings is None:
        settings = get_settings()
    return request("GET", url, headers=headers, params=params, settings=settings, client=client, sleep=sleep)


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
    sleep: Sleep = time.sleep,
    retry: bool = True,
    handled: frozenset[int] = frozenset(),
) -> httpx.Response:
    """Like :func:`fetch`, for any method (a platform API's POST with a JSON body too).

    Failures are classified on the ``SourceError``: 401 → ``auth`` (the source needs
    reconnecting), 429 → ``rate_limit`` with the wait the server asked for (``Retry-After`` or a
    rate-limit reset header), 5xx and connection errors → ``transient``. ``retry=False`` makes
    one attempt only (for a write the caller retries itself, with its idempotency key).
    ``data`` sends a form body (OAuth token endpoints, Reddit's API). Statuses in ``handled`` are
    returned, not raised: the caller reads the platform's error body to classify it itself
    (YouTube's 403 is a quota, a permission or comments turned off, told apart only there).
    """
    if settings is None:
        settings = get_settings()
    call = _Call(method, url, headers, params, json, data, settings, sleep, retry, handled)
    if client is not None:
        return _send(client, call)
    with httpx.Client() as own_client:
        return _send(own_client, call)


@contextmanager
def waits_at_most(seconds: float) -> Iterator[None]:
    """Inside, a ``Retry-After`` longer than ``seconds`` is not slept in this thread: the request
    fails at once as a rate limit carrying the wait asked for (a poll job hands it to the
    scheduler, so that its worker thread polls other sources meanwhile)."""
    token = _max_wait.set(seconds)
    try:
        yield
    finally:
        _max_wait.reset(token)


def is_retriable_status(status: int) -> bool:
    """Whether an HTTP status means "try again later" rather than "this will never work"."""
    return status in _RETRIABLE_4XX or (500 <= status < 600 and status not in _PERMANENT_5XX)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks us to wait (delta-seconds or HTTP-date), or None.

    An unreadable header is ignored (None) rather than trusted; a date in the past means 0.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int) -> float:
    """Wait before retry number ``attempt`` (1-based) when the server gave no ``Retry-After``.

    Deterministic on purpose: a self-hosted desk polls a handful of hosts, so there is no herd
    of clients to de-synchronise with jitter, and tests can assert the exact waits.
    """
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** (attempt - 1))


@dataclass(frozen=True)
class _Call:
    method: str
    url: str
    headers: Mapping[str, str] | None
    params: Mapping[str, Any] | None
    json: Any
    data: Mapping[str, Any] | None
    settings: Settings
    sleep: Sleep
    retry: bool
    handled: frozenset[int]


def _send(client: httpx.Client, call: _Call) -> httpx.Response:
    attempts = max(1, call.settings.int("http_retries")) if call.retry else 1
    request_headers = {"User-Agent": call.settings.raw("user_agent"), **(call.headers or {})}
    timeout = httpx.Timeout(call.settings.int("http_timeout"))
    what = f"{call.method} {call.url}"
    for attempt in range(1, attempts + 1):
        last_try = attempt == attempts
        try:
            response = client.request(
                call.method,
                call.url,
                headers=request_headers,
                params=call.params,
                json=call.json,
                data=call.data,
                timeout=timeout,
                follow_redirects=call.method == "GET",
            )
        except _TRANSIENT_ERRORS as exc:
            problem = f"{type(exc).__name__}: {_one_line(str(exc)) or 'no detail'}"
            if last_try:
                raise SourceError(
                    f"{what} failed: {problem} (after {attempts} attempts)", retriable=True
                ) from exc
            _wait(call.sleep, call.url, attempt, backoff_seconds(attempt), problem=problem)
            continue
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # Unsupported scheme, malformed URL, redirect loop: the configuration is wrong.
            raise SourceError(f"{what} failed: {_one_line(str(exc))}", retriable=False) from exc
        if response.is_success or response.status_code == 304 or response.status_code in call.handled:
            return response
        _raise_unless_retriable(what, response, attempt, attempts)
        _wait(call.sleep, call.url, attempt, _delay_for(what, response, attempt), problem=_status(response))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _raise_unless_retriable(what: str, response: httpx.Response, attempt: int, attempts: int) -> None:
    status = response.status_code
    if status == 401:
        raise SourceError(
            f"{what} failed: {_status(response)}{_platform_words(response)}: the authorisation expired "
            "or was revoked, reconnect the source",
            retriable=False,
            kind="auth",
        )
    if not is_retriable_status(status):
        raise SourceError(f"{what} failed: {_status(response)}{_platform_words(response)}", retriable=False)
    if attempt == attempts:
        raise SourceError(
            f"{what} failed: {_status(response)} (after {attempts} attempts)",
            retriable=True,
            kind="rate_limit" if status == 429 else "transient",
            retry_after=wait_asked(response),
        )


def wait_asked(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """Seconds the server asks us to wait: ``Retry-After``, else a rate-limit reset header
    (``X-RateLimit-Reset``: an ISO 8601 time on Mastodon, epoch seconds on its forks;
    ``ratelimit-reset``: epoch seconds on Bluesky; ``x-rate-limit-reset``: epoch seconds on X),
    else None."""
    asked = retry_after_seconds(response.headers.get("Retry-After"), now=now)
    if asked is not None:
        return asked
    reset = (
        response.headers.get("X-RateLimit-Reset")
        or response.headers.get("RateLimit-Reset")
        or response.headers.get("x-rate-limit-reset")
    )
    return reset_seconds(reset, now=now)


def reset_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds until a rate-limit reset given as epoch seconds, seconds from now (Reddit's
    ``X-Ratelimit-Reset``: a number too small to be a date) or an ISO 8601 time; None if unreadable."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    try:
        number = float(value)
        if 0 <= number < _EPOCH_FLOOR:
            return number
        when = datetime.fromtimestamp(number, UTC)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _platform_words(response: httpx.Response) -> str:
    """The platform's own error message (Mastodon's ``error``, AT Protocol's ``message``), if any."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    # AT Protocol sends both: {"error": "ExpiredToken", "message": "Token has expired"}.
    parts = [body.get("error"), body.get("message") or body.get("error_description")]
    words = ": ".join(str(p) for p in parts if p)
    return f" ({_one_line(words)[:200]})" if words else ""


def _delay_for(what: str, response: httpx.Response, attempt: int) -> float:
    asked = retry_after_seconds(response.headers.get("Retry-After"))
    if asked is None and response.status_code == 429:
        asked = wait_asked(response)
    if asked is None:
        return backoff_seconds(attempt)
    if asked > _max_wait.get():
        raise SourceError(
            f"{what} failed: {_status(response)}, server asks to retry after {asked:.0f} s",
            retriable=True,
            kind="rate_limit" if response.status_code == 429 else "transient",
            retry_after=asked,
        )
    return asked


def _wait(sleep: Sleep, url: str, attempt: int, delay: float, *, problem: str) -> None:
    logger.warning("http.retry", extra={"url": url, "attempt": attempt, "delay_s": delay, "problem": problem})
    sleep(delay)


def _status(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()


def _one_line(text: str) -> str:
    return " ".join(text.split())
