"""A Mastodon-shaped platform for reply tests: a real local HTTP server answering
``POST /api/v1/statuses`` like Mastodon does (``Idempotency-Key`` honoured, a Status back), and a
source that posts there, registered through a real ``ecoute.sources`` entry point."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ecoute.sources import registry
from ecoute.sources.base import PollResult, ReplyTarget, SentReply, SourceError

ENTRY_POINT = "fake_mastodon"


class FakeMastodon(ThreadingHTTPServer):
    """Counts the statuses it really created; the same Idempotency-Key gets the same status back."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses: dict[str, dict[str, Any]] = {}  # by idempotency key
        self.requests = 0
        self.refuse_next = 0  # answer 422 to the next n requests
        # When the hold_at-th status is created, keep its answer back (the status exists) until
        # ``release`` is set: the poster can be killed while it waits for the platform's answer.
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeMastodon

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests += 1
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.refuse_next:
            self.server.refuse_next -= 1
            return self._answer(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
        key = self.headers.get("Idempotency-Key", "")
        with self.server.lock:
            created = key not in self.server.statuses
            if created:  # Mastodon keeps keys an hour and replays the status
                number = str(109_000_000_000_000_000 + len(self.server.statuses) + 1)
                self.server.statuses[key] = {
                    "id": number,
                    "uri": f"{self.server.url}/users/brand/statuses/{number}",
                    "url": f"{self.server.url}/@brand/{number}",
                    "in_reply_to_id": body.get("in_reply_to_id"),
                    "content": f"<p>{body['status']}</p>",
                    "visibility": body.get("visibility", "public"),
                }
            hold = created and self.server.hold_at == len(self.server.statuses)
        if hold:
            self.server.held.set()
            self.server.release.wait(60)
        self._answer(200, self.server.statuses[key])

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        with contextlib.suppress(OSError):  # the poster died while waiting (a kill -9 test)
            self._write(status, data)

    def _write(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class WorkerDied(BaseException):
    """The process dies (killed): no code catches it, and nothing after it runs."""


class FakeMastodonSource:
    """Polls nothing; posts replies. ``crash_after_post`` simulates a process dying right after
    the platform accepted the reply (before Écoute could write the platform's id)."""

    platform: ClassVar[str] = "mastodon"
    description: ClassVar[str] = "Test double of a Mastodon account that can reply."
    crash_after_post: ClassVar[int] = 0

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        return PollResult(items=[], cursor=dict(cursor))

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        response = httpx.post(
            f"{settings['instance']}/api/v1/statuses",
            json={
                "status": f"@{in_reply_to.author_handle} {text}",
                "in_reply_to_id": in_reply_to.external_id,
            },
            headers={"Idempotency-Key": idempotency_key, "Authorization": "Bearer test-token"},
        )
        if response.status_code != 200:
            raise SourceError(response.json()["error"], retriable=response.status_code >= 500)
        if FakeMastodonSource.crash_after_post:
            FakeMastodonSource.crash_after_post -= 1
            raise WorkerDied("the worker died before writing the platform's answer")
        status = response.json()
        return SentReply(platform_reply_id=status["id"], url=status["url"])


@contextmanager
def fake_mastodon(tmp_path: Path) -> Iterator[FakeMastodon]:
    """The server, and the source installed as a real entry point for as long as the block runs."""
    dist = tmp_path / "site" / "ecoute_fake_mastodon-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ecoute-fake-mastodon\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[ecoute.sources]\n{ENTRY_POINT} = reply_platform:FakeMastodonSource\n"
    )
    sys.path.insert(0, str(dist.parent))
    registry.available.cache_clear()
    server = FakeMastodon()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        sys.path.remove(str(dist.parent))
        registry.available.cache_clear()
        FakeMastodonSource.crash_after_post = 0
