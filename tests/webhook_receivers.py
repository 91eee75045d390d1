"""Real HTTP receivers on 127.0.0.1 for webhook tests: one that checks the signature over the raw
bytes exactly as a customer's server should, and one that fails a given number of times first."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    fail_first: int = 0  # answer 503 to this many requests before accepting
    retry_after: str | None = None
    signed: bool = True  # False: a chat tool's incoming webhook, which takes any well-formed POST
    requests: list[Received] = field(default_factory=list)


def signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The check a receiver does, written here from the documented scheme, not from Écoute's code."""
    timestamp = headers.get("x-ecoute-timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers.get("x-ecoute-signature", ""))


@contextmanager
def running_receiver(
    fail_first: int = 0, retry_after: str | None = None, *, signed: bool = True
) -> Iterator[Receiver]:
    receiver = Receiver(url="", fail_first=fail_first, retry_after=retry_after, signed=signed)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = signature_ok(receiver.secret, headers, body)
            receiver.requests.append(Received(headers, body, verified))
            if len(receiver.requests) <= receiver.fail_first:
                self.send_response(503)
                if receiver.retry_after:
                    self.send_header("Retry-After", receiver.retry_after)
            else:
                self.send_response(204 if verified or not receiver.signed else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ecoute"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
