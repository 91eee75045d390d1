"""A local feed server for tests: serves fixture feeds with ETag/Last-Modified, counts requests,
and can be told to fail (status + headers) before answering normally."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "sources" / "fixtures" / "rss"
LAST_MODIFIED = "Wed, 05 Mar 2025 08:30:00 GMT"


class FeedServer(ThreadingHTTPServer):
    """Serves one fixture at any path, with an ETag and Last-Modified, like a typical CMS."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FeedHandler)
        self.body = b""
        self.content_type = ""
        self.ignore_conditional = False  # some servers always answer 200 with the whole feed
        self.failures: deque[tuple[int, dict[str, str]]] = deque()
        self.requests: list[Message] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/feed.xml"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'

    def serve(self, fixture: str) -> None:
        self.body = (FIXTURES / fixture).read_bytes()
        self.content_type = "text/html; charset=utf-8" if fixture.endswith(".html") else "application/xml"

    def fail_with(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.append((status, headers or {}))


class _FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:
        srv = self.server
        srv.requests.append(self.headers)
        if srv.failures:
            status, headers = srv.failures.popleft()
            self._reply(status, headers, b"")
        elif not srv.ignore_conditional and (
            self.headers.get("If-None-Match") == srv.etag
            or self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            self._reply(304, {"ETag": srv.etag}, b"")
        else:
            headers = {"Content-Type": srv.content_type, "ETag": srv.etag, "Last-Modified": LAST_MODIFIED}
            self._reply(200, headers, srv.body)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@contextmanager
def running_feed_server() -> Iterator[FeedServer]:
    httpd = FeedServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
