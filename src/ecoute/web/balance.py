"""Keeping the web processes evenly loaded when clients hold their connections open.

With several web processes, the system hands each new connection to one of them (Linux spreads
connections over the processes' sockets, see ``serving.OwnSocketProcesses``), and a browser or a
proxy then keeps that connection for many requests. Twenty kept-alive connections spread at
random land 14 + 6 as often as 10 + 10: one process, which runs Python on one core at a time,
then serves twice the requests of the other, and its clients wait twice as long while the other
core idles (measured: p95 of the inbox page 526 ms at 13 + 7 against 387 ms at 10 + 10).

Each process counts the connections that sent it a request in the last few seconds
(``ACTIVE_WINDOW_S``) and publishes that count in a small file of its own, in a folder the processes
share (``ecoute serve`` makes it, names it in ``ECOUTE_WEB_BALANCE_DIR`` and removes it on stop); it
reads the others' ten times a second. A process whose count has stayed above its share (all the
live processes' active connections divided evenly, rounded up) for ``PERSIST_S`` asks that many
clients to reconnect: their next responses carry ``Connection: close``, which every HTTP client
and proxy honours by opening a new connection, and the system hands each new connection to a
process at random again. The busier process sheds connections until it holds its share, in a few
such rounds; processes that hold their shares close nothing.

Only plain HTTP/1.1 responses are marked: streams (``text/event-stream``) are left alone.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACTIVE_WINDOW_S = 2.0  # a connection that sent a request this recently counts as active
REFRESH_EVERY_S = 0.1  # how often a process reads the others' counts (and forgets quiet connections)
PERSIST_S = 0.5  # a process sheds only after being over its share for this long, each time
ENV_FOLDER = "ECOUTE_WEB_BALANCE_DIR"


class ConnectionBalance:
    """ASGI middleware: the outermost one, so that it sees each request's own TCP peer (behind a
    proxy, the proxy's connection), not the address a proxy forwards."""

    def __init__(self, app: ASGIApp, folder: str | Path, *, pid: int | None = None) -> None:
        self.app = app
        self.folder = Path(folder)
        self.pid = os.getpid() if pid is None else pid
        self.fd = os.open(self.folder / f"{self.pid}.count", os.O_RDWR | os.O_CREAT, 0o600)
        self.active: dict[Any, float] = {}  # (host, port) of a connection -> when it last asked
        self.others = 0  # active connections of the other live processes
        self.peers = 0  # how many other processes are live
        self.refreshed = -REFRESH_EVERY_S
        self.over_since: float | None = None  # since when this process has held over its share
        self.to_shed = 0  # connections to ask to reconnect, decided at the last refresh
        self.shed = 0  # connections asked to reconnect, in all
        self.publish()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("http_version") != "1.1" or not scope.get("client"):
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        client = tuple(scope["client"])
        new = client not in self.active
        self.active[client] = now
        if now - self.refreshed >= REFRESH_EVERY_S:
            self.refresh(now)
        elif new:
            self.publish()
        if not self.to_shed:
            await self.app(scope, receive, send)
            return
        self.to_shed -= 1

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not _stream(headers):
                    headers.append((b"connection", b"close"))
                    self.active.pop(client, None)
                    self.shed += 1
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, closing)

    def excess(self) -> int:
        """Active connections above an even share of all the processes' (rounded up)."""
        if not self.peers:
            return 0
        mine = len(self.active)
        return max(0, mine - math.ceil((mine + self.others) / (self.peers + 1)))

    def refresh(self, now: float) -> None:
        """Forget connections quiet for ``ACTIVE_WINDOW_S``, publish this process's count and read
        the others'. A live process whose file was not written within the window served nobody in
        it: it counts, with no active connection. A process that is gone does not count."""
        self.refreshed = now
        limit = now - ACTIVE_WINDOW_S
        for client in [c for c, seen in self.active.items() if seen < limit]:
            del self.active[client]
        try:
            self.publish()
            self.others, self.peers = self.read_others()
        except OSError:  # the folder went away (the server is stopping): balance nothing
            self.others = self.peers = 0
        self.decide(now)

    def decide(self, now: float) -> None:
        """Shed the excess once it has lasted ``PERSIST_S``, then watch it last again before more.

        The others' counts are read a moment apart from this process's own: in a burst of new
        connections each side can look busier than the other for that moment, and connections
        just shed are still on their way to another process (a browser reconnects at its next
        click). A difference that lasts is real; shedding it all at once, then waiting, neither
        overshoots nor sends connections back and forth."""
        excess = self.excess()
        if not excess:
            self.over_since, self.to_shed = None, 0
        elif self.over_since is None:
            self.over_since = now
        elif now - self.over_since >= PERSIST_S and not self.to_shed:
            self.to_shed, self.over_since = excess, None

    def publish(self) -> None:
        """Write this process's count of active connections where the others read it."""
        os.pwrite(self.fd, b"%08d" % len(self.active), 0)

    def read_others(self) -> tuple[int, int]:
        others = peers = 0
        quiet = time.time() - ACTIVE_WINDOW_S
        with os.scandir(self.folder) as entries:
            for entry in entries:
                name, _, suffix = entry.name.partition(".")
                pid = int(name) if suffix == "count" and name.isdigit() else self.pid
                if pid == self.pid or not _alive(pid):
                    continue
                peers += 1
                if entry.stat().st_mtime >= quiet:
                    text = Path(entry.path).read_bytes()
                    others += int(text) if text.isdigit() else 0
        return others, peers


def _stream(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True
