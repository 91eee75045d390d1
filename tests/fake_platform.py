"""What the local platform servers share: running one on 127.0.0.1 for a test, answering with a
body, its length and the platform's rate-limit headers, and a server that records requests and
serves queued failures first."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

Server = TypeVar("Server", bound=ThreadingHTTPServer)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def answer(handler: BaseHTTPRequestHandler, status: int, raw: bytes, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)


class RecordingServer(ThreadingHTTPServer):
    """A local platform that records every request and can be told to fail (any status, headers
    and body) before answering normally; its handler is a ``RecordingHandler``."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: type[RecordingHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.failures: deque[tuple[int, dict[str, str], bytes]] = deque()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail_with(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.failures.append((status, headers or {}, raw))

    def paths(self) -> list[str]:
        return [urlsplit(path).path for _m, path, _h, _b in self.requests]

    def calls(self, path: str) -> list[dict[str, list[str]]]:
        """The query of every request to ``path``, in order."""
        return [parse_qs(urlsplit(p).query) for _m, p, _h, _b in self.requests if urlsplit(p).path == path]


class RecordingHandler(BaseHTTPRequestHandler):
    """Answers with ``respond`` (a status and a JSON payload, or None for a 404), under the
    server's lock, after recording the request and serving any failure queued first."""

    server: RecordingServer
    not_found: Any = {"error": "Not Found"}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._call("GET")

    def do_POST(self) -> None:
        self._call("POST")

    def respond(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any] | None:
        raise NotImplementedError

    def reply(self, status: int, raw: bytes, headers: dict[str, str]) -> None:
        answer(self, status, raw, headers)

    def _call(self, method: str) -> None:
        srv = self.server
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with srv.lock:
            srv.requests.append((method, self.path, dict(self.headers), body))
            if srv.failures:
                status, headers, raw = srv.failures.popleft()
                return self.reply(status, raw, headers)
            result = self.respond(method, parts.path, parse_qs(parts.query), body)
        status, payload = result if result is not None else (404, self.not_found)
        self.reply(status, json.dumps(payload).encode(), {"Content-Type": "application/json; charset=UTF-8"})
