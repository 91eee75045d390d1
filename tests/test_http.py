"""ecoute.http.fetch against a real local HTTP server that answers from a script."""

from __future__ import annotations

import socket
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.http import (
    MAX_RETRY_AFTER_S,
    backoff_seconds,
    fetch,
    is_retriable_status,
    request,
    reset_seconds,
    retry_after_seconds,
)
from ecoute.settings import Settings
from ecoute.sources.base import SourceError


@dataclass
class Reply:
    """One scripted answer: a status with headers and body, or a connection dropped unanswered."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    drop: bool = False
    stall_s: float = 0.0


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.script: deque[Reply] = deque()
        self.requests: list[Message] = []
        self.release = threading.Event()  # ends a stalled reply early when the test is over

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def then(self, *replies: Reply) -> None:
        self.script.extend(replies)


class _ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:
        self.server.requests.append(self.headers)
        reply = self.server.script.popleft() if self.server.script else Reply()
        self.server.release.wait(reply.stall_s)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    httpd = ScriptedServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def settings(**overrides: str) -> Settings:
    values = {"http_retries": "3", "http_timeout": "5", "user_agent": "EcouteTest/1.0"} | overrides
    return Settings(overrides=values, environ={})


def test_fetch_returns_the_response_and_sends_the_user_agent_from_settings(server, sleeps):
    response = fetch(server.url + "/feed", settings=settings(), sleep=sleeps.append)

    assert response.status_code == 200
    assert response.text == "ok"
    assert server.requests[0]["User-Agent"] == "EcouteTest/1.0"
    assert sleeps == []


def test_caller_headers_are_sent_alongside_the_user_agent(server, sleeps):
    fetch(server.url, headers={"If-None-Match": '"v1"'}, settings=settings(), sleep=sleeps.append)

    assert server.requests[0]["If-None-Match"] == '"v1"'
    assert server.requests[0]["User-Agent"] == "EcouteTest/1.0"


def test_429_with_retry_after_seconds_waits_that_long_then_succeeds(server, sleeps):
    server.then(Reply(429, {"Retry-After": "2"}), Reply(200, body=b"finally"))

    response = fetch(server.url, settings=settings(), sleep=sleeps.append)

    assert response.text == "finally"
    assert sleeps == [2.0]
    assert len(server.requests) == 2


def test_503_with_retry_after_as_an_http_date_waits_until_that_date(server, sleeps):
    in_ten_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    server.then(Reply(503, {"Retry-After": in_ten_seconds}))

    fetch(server.url, settings=settings(), sleep=sleeps.append)

    assert sleeps == [pytest.approx(10, abs=2)]


def test_retry_after_beyond_the_cap_gives_up_at_once_as_retriable(server, sleeps):
    server.then(Reply(429, {"Retry-After": "3600"}))

    with pytest.raises(SourceError) as raised:
        fetch(server.url + "/api", settings=settings(), sleep=sleeps.append)

    assert raised.value.retriable is True
    assert str(raised.value) == (
        f"GET {server.url}/api failed: HTTP 429 Too Many Requests, server asks to retry after 3600 s"
    )
    assert sleeps == []
    assert len(server.requests) == 1


def test_5xx_without_retry_after_backs_off_exponentially(server, sleeps):
    server.then(Reply(500), Reply(502))

    response = fetch(server.url, settings=settings(), sleep=sleeps.append)

    assert response.status_code == 200
    assert sleeps == [1.0, 2.0]


def test_three_failures_raise_a_retriable_error_naming_url_and_status(server, sleeps):
    server.then(Reply(503), Reply(503), Reply(503))

    with pytest.raises(SourceError) as raised:
        fetch(server.url + "/feed.xml", settings=settings(), sleep=sleeps.append)

    assert raised.value.retriable is True
    assert str(raised.value) == (
        f"GET {server.url}/feed.xml failed: HTTP 503 Service Unavailable (after 3 attempts)"
    )
    assert len(server.requests) == 3
    assert sleeps == [1.0, 2.0]


def test_attempts_follow_the_http_retries_setting(server, sleeps):
    server.then(Reply(500), Reply(500), Reply(500))

    with pytest.raises(SourceError):
        fetch(server.url, settings=settings(http_retries="2"), sleep=sleeps.append)

    assert len(server.requests) == 2


def test_404_is_not_retried_and_not_retriable(server, sleeps):
    server.then(Reply(404))

    with pytest.raises(SourceError) as raised:
        fetch(server.url + "/gone.xml", settings=settings(), sleep=sleeps.append)

    assert raised.value.retriable is False
    assert str(raised.value) == f"GET {server.url}/gone.xml failed: HTTP 404 Not Found"
    assert len(server.requests) == 1
    assert sleeps == []


def test_304_is_returned_not_raised(server, sleeps):
    server.then(Reply(304, body=b""))

    response = fetch(server.url, headers={"If-None-Match": '"v1"'}, settings=settings(), sleep=sleeps.append)

    assert response.status_code == 304
    assert sleeps == []


def test_redirects_are_followed(server, sleeps):
    server.then(Reply(301, {"Location": "/moved/feed.xml"}))

    response = fetch(server.url + "/feed.xml", settings=settings(), sleep=sleeps.append)

    assert response.status_code == 200
    assert response.url.path == "/moved/feed.xml"


def test_a_dropped_connection_is_retried(server, sleeps):
    server.then(Reply(drop=True))

    response = fetch(server.url, settings=settings(), sleep=sleeps.append)

    assert response.text == "ok"
    assert len(server.requests) == 2
    assert sleeps == [1.0]


def test_a_connection_dropped_every_time_ends_in_a_one_line_retriable_error(server, sleeps):
    server.then(Reply(drop=True), Reply(drop=True), Reply(drop=True))

    with pytest.raises(SourceError) as raised:
        fetch(server.url + "/feed", settings=settings(), sleep=sleeps.append)

    assert raised.value.retriable is True
    assert str(raised.value).startswith(f"GET {server.url}/feed failed: RemoteProtocolError: ")
    assert str(raised.value).endswith("(after 3 attempts)")
    assert "\n" not in str(raised.value)


def test_connection_refused_is_retriable(sleeps):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/feed"

    with pytest.raises(SourceError) as raised:
        fetch(url, settings=settings(), sleep=sleeps.append)

    assert raised.value.retriable is True
    assert str(raised.value).startswith(f"GET {url} failed: ConnectError: ")
    assert sleeps == [1.0, 2.0]


def test_a_server_slower_than_the_timeout_is_a_retriable_failure(server, sleeps):
    server.then(Reply(stall_s=5))

    with pytest.raises(SourceError) as raised:
        fetch(server.url, settings=settings(http_timeout="1", http_retries="1"), sleep=sleeps.append)

    assert raised.value.retriable is True
    assert "ReadTimeout" in str(raised.value)


def test_an_unsupported_scheme_is_not_retriable(sleeps):
    with pytest.raises(SourceError) as raised:
        fetch("ftp://example.org/feed.xml", settings=settings(), sleep=sleeps.append)

    assert raised.value.retriable is False
    assert "ftp://example.org/feed.xml" in str(raised.value)
    assert sleeps == []


def test_a_client_passed_in_is_used_and_left_open(server, sleeps):
    with httpx.Client(headers={"X-Trace": "abc"}) as client:
        fetch(server.url, settings=settings(), client=client, sleep=sleeps.append)

        assert client.is_closed is False
    assert server.requests[0]["X-Trace"] == "abc"
    assert server.requests[0]["User-Agent"] == "EcouteTest/1.0"


def test_retry_after_reads_seconds_dates_and_ignores_garbage():
    now = datetime(2025, 3, 5, 10, 0, 0, tzinfo=UTC)

    assert retry_after_seconds("120", now=now) == 120.0
    assert retry_after_seconds("Wed, 05 Mar 2025 10:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 05 Mar 2025 09:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("bientôt", now=now) is None
    assert retry_after_seconds(None, now=now) is None


@given(st.integers(min_value=0, max_value=7 * 24 * 3600))
def test_retry_after_http_date_round_trips_any_delay(delay):
    now = datetime(2025, 3, 5, 10, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=delay), usegmt=True)

    assert retry_after_seconds(header, now=now) == float(delay)


@given(st.integers(min_value=1, max_value=50))
def test_backoff_grows_and_stays_under_the_retry_after_cap(attempt):
    assert backoff_seconds(attempt) <= MAX_RETRY_AFTER_S
    assert backoff_seconds(attempt + 1) >= backoff_seconds(attempt)


def test_which_statuses_are_worth_retrying():
    assert [is_retriable_status(s) for s in (408, 429, 500, 502, 503, 504, 520)] == [True] * 7
    assert [is_retriable_status(s) for s in (400, 401, 403, 404, 410, 501, 505)] == [False] * 7


def test_a_reset_header_in_seconds_from_now_is_not_read_as_a_1970_date():
    now = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    assert reset_seconds("420", now=now) == 420  # Reddit's X-Ratelimit-Reset
    assert reset_seconds(str(now.timestamp() + 90), now=now) == 90  # epoch seconds
    assert reset_seconds("2026-12-06T02:05:00Z", now=now) == 300  # Mastodon's ISO time
    assert reset_seconds("soon", now=now) is None


def test_a_429_whose_reset_is_in_seconds_waits_for_it(server, sleeps):
    server.then(Reply(429, {"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "540"}))

    with pytest.raises(SourceError) as raised:
        fetch(server.url, settings=settings(), sleep=sleeps.append)

    assert (raised.value.kind, raised.value.retry_after) == ("rate_limit", 540)
    assert sleeps == []  # beyond the cap: left to the next poll, not slept here


def test_statuses_the_caller_handles_are_returned_for_it_to_read(server, sleeps):
    server.then(Reply(403, body=b'{"error": {"errors": [{"reason": "quotaExceeded"}]}}'))

    response = request("GET", server.url, settings=settings(), sleep=sleeps.append, handled=frozenset({403}))

    assert response.status_code == 403
    assert response.json()["error"]["errors"][0]["reason"] == "quotaExceeded"
    assert len(server.requests) == 1
