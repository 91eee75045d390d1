"""What the local platform servers share: running one on 127.0.0.1 for a test, and answering
with a body, its length and the platform's rate-limit headers."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

Server = TypeVar("Server", bound=ThreadingHTTPServer)


class LocalPlatform(ThreadingHTTPServer):
    """A platform's fake API on a free port of 127.0.0.1, with a queue of failures to answer next."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.failures: deque[tuple[int, dict[str, str], bytes]] = deque()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail_with(self, status: int, headers: dict[str, str] | None = None, body: Any = None) -> None:
        """The next request gets this status, headers and JSON body instead of its answer."""
        self.failures.append((status, headers or {}, b"" if body is None else json.dumps(body).encode()))


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
