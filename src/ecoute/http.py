"""The one outgoing-HTTP helper: timeout and User-Agent from settings, retries, ``Retry-After``.

Every connector fetches through :func:`fetch` so that politeness (a stable User-Agent, backing off
when a server says so) and failure handling (``SourceError`` split into retriable or not) are
decided once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ecoute.settings import Settings, get_settings
from ecoute.sources.base import SourceError

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]

# Waits we are willing to block a worker for. A server that asks for longer (Retry-After: 3600)
# gets what it asked for: we stop now and let the scheduler poll again later.
MAX_RETRY_AFTER_S = 60.0
BACKOFF_BASE_S = 1.0
BACKOFF_MAX_S = 30.0

# 501 and 505 mean "this server will never do that": retrying cannot help.
_PERMANENT_5XX = frozenset({501, 505})
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
    if client is not None:
        return _fetch_with(client, url, headers=headers, params=params, settings=settings, sleep=sleep)
    with httpx.Client() as own_client:
        return _fetch_with(own_client, url, headers=headers, params=params, settings=settings, sleep=sleep)


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


def _fetch_with(
    client: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str] | None,
    params: Mapping[str, str] | None,
    settings: Settings,
    sleep: Sleep,
) -> httpx.Response:
    attempts = max(1, settings.int("http_retries"))
    request_headers = {"User-Agent": settings.raw("user_agent"), **(headers or {})}
    timeout = httpx.Timeout(settings.int("http_timeout"))
    for attempt in range(1, attempts + 1):
        last_try = attempt == attempts
        try:
            response = client.get(
                url, headers=request_headers, params=params, timeout=timeout, follow_redirects=True
            )
        except _TRANSIENT_ERRORS as exc:
            problem = f"{type(exc).__name__}: {_one_line(str(exc)) or 'no detail'}"
            if last_try:
                raise SourceError(
                    f"GET {url} failed: {problem} (after {attempts} attempts)", retriable=True
                ) from exc
            _wait(sleep, url, attempt, backoff_seconds(attempt), problem=problem)
            continue
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # Unsupported scheme, malformed URL, redirect loop: the configuration is wrong.
            raise SourceError(f"GET {url} failed: {_one_line(str(exc))}", retriable=False) from exc
        if response.is_success or response.status_code == 304:
            return response
        _raise_unless_retriable(url, response, attempt, attempts)
        _wait(sleep, url, attempt, _delay_for(url, response, attempt), problem=_status(response))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _raise_unless_retriable(url: str, response: httpx.Response, attempt: int, attempts: int) -> None:
    if not is_retriable_status(response.status_code):
        raise SourceError(f"GET {url} failed: {_status(response)}", retriable=False)
    if attempt == attempts:
        raise SourceError(
            f"GET {url} failed: {_status(response)} (after {attempts} attempts)", retriable=True
        )


def _delay_for(url: str, response: httpx.Response, attempt: int) -> float:
    asked = retry_after_seconds(response.headers.get("Retry-After"))
    if asked is None:
        return backoff_seconds(attempt)
    if asked > MAX_RETRY_AFTER_S:
        raise SourceError(
            f"GET {url} failed: {_status(response)}, server asks to retry after {asked:.0f} s",
            retriable=True,
        )
    return asked


def _wait(sleep: Sleep, url: str, attempt: int, delay: float, *, problem: str) -> None:
    logger.warning("http.retry", extra={"url": url, "attempt": attempt, "delay_s": delay, "problem": problem})
    sleep(delay)


def _status(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()


def _one_line(text: str) -> str:
    return " ".join(text.split())
