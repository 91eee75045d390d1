"""Web processes that publish their load and shed kept-alive connections above their share
(``web.balance.ConnectionBalance``): two middlewares over real files in one folder, as two web
processes run them, each with its own live process id."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecoute.web import balance
from ecoute.web.balance import ConnectionBalance
from ecoute.web.serving import balance_folder


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    # The same rules on a shorter clock, so that a test waits tenths of a second, not seconds.
    monkeypatch.setattr(balance, "REFRESH_EVERY_S", 0.02)
    monkeypatch.setattr(balance, "PERSIST_S", 0.3)


@pytest.fixture(scope="module", autouse=True)
def _loop() -> Iterator[None]:
    """An event loop in a thread of its own for the middleware's calls: the browser tests'
    Playwright may hold a running loop in this process's main thread."""
    global _LOOP
    _LOOP = asyncio.new_event_loop()
    thread = threading.Thread(target=_LOOP.run_forever, daemon=True)
    thread.start()
    yield
    _LOOP.call_soon_threadsafe(_LOOP.stop)
    thread.join(timeout=10)
    _LOOP.close()


_LOOP: asyncio.AbstractEventLoop


def _call(process: ConnectionBalance, scope: dict, receive: object, send: object) -> None:
    asyncio.run_coroutine_threadsafe(process(scope, receive, send), _LOOP).result(timeout=30)


@pytest.fixture
def other_pid() -> Iterator[int]:
    """A live process other than this one, standing for the second web process."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


async def _page(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _stream(scope, receive, send) -> None:
    headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"data: 1\n\n"})


def _ask(process: ConnectionBalance, client: tuple[str, int]) -> dict[bytes, bytes]:
    """One HTTP/1.1 request from this connection; the response's headers."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "client": client, "method": "GET", "path": "/"}
    _call(process, scope, receive, send)
    assert sent[-1]["type"] == "http.response.body"  # the answer itself is always given
    return dict(sent[0]["headers"])


def _closes(headers: dict[bytes, bytes]) -> bool:
    return headers.get(b"connection") == b"close"


def _run(
    a: ConnectionBalance, b: ConnectionBalance, on_a: int, on_b: int, seconds: float
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], int]:
    """Clients that each ask again as soon as answered, ``on_a`` connected to ``a`` and ``on_b`` to
    ``b``; a client told to close connects again (a new port) and lands on the other process. The
    connections each holds at the end, and how many reconnections there were."""
    ports = iter(range(40000, 60000))
    held = {
        a: [("127.0.0.1", next(ports)) for _ in range(on_a)],
        b: [("127.0.0.1", next(ports)) for _ in range(on_b)],
    }
    moved = 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for process, other in ((a, b), (b, a)):
            for client in list(held[process]):
                if _closes(_ask(process, client)):
                    held[process].remove(client)
                    held[other].append(("127.0.0.1", next(ports)))
                    moved += 1
        time.sleep(0.005)
    return held[a], held[b], moved


def test_the_busier_process_sheds_connections_down_to_its_share(tmp_path, other_pid):
    a = ConnectionBalance(_page, tmp_path)
    b = ConnectionBalance(_page, tmp_path, pid=other_pid)

    on_a, on_b, moved = _run(a, b, 14, 6, seconds=1.2)

    assert (len(on_a), len(on_b)) == (10, 10)
    assert (a.shed, b.shed, moved) == (4, 0, 4)  # exactly the excess, and none sent back
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{os.getpid()}.count", f"{other_pid}.count"]
    )


def test_even_processes_close_nothing(tmp_path, other_pid):
    a = ConnectionBalance(_page, tmp_path)
    b = ConnectionBalance(_page, tmp_path, pid=other_pid)

    on_a, on_b, moved = _run(a, b, 10, 10, seconds=0.5)

    assert (len(on_a), len(on_b), moved) == (10, 10, 0)
    # One more than the share is not worth a reconnection: 11 against 10 stays as it is.
    assert _run(a, b, 11, 10, seconds=0.5)[2] == 0


def test_a_burst_of_new_connections_is_not_mistaken_for_an_imbalance(tmp_path, other_pid):
    """Both processes receive new connections at once, one a moment ahead of the other: when it
    reads the other's count, it looks busier than it is. The difference does not last, so nothing
    is closed (a process that shed at once would close five connections here)."""
    a = ConnectionBalance(_page, tmp_path)
    b = ConnectionBalance(_page, tmp_path, pid=other_pid)
    on_a = [("127.0.0.1", 41000 + port) for port in range(15)]
    on_b = [("127.0.0.1", 42000 + port) for port in range(15)]
    answers = [_ask(a, client) for client in on_a] + [_ask(b, client) for client in on_b[:5]]
    time.sleep(0.03)
    answers.append(_ask(a, on_a[0]))  # a reads b's count: 15 against 5
    assert a.excess() == 5 and a.over_since is not None
    time.sleep(0.03)
    answers += [_ask(a, client) for client in on_a]  # and again, still 15 against 5
    answers += [_ask(b, client) for client in on_b[5:]]  # b catches up
    until = time.monotonic() + 0.4
    while time.monotonic() < until:
        answers += [_ask(a, client) for client in on_a] + [_ask(b, client) for client in on_b]
        time.sleep(0.005)

    assert not any(_closes(headers) for headers in answers)
    assert a.shed == b.shed == 0 and a.over_since is None


def test_an_idle_process_draws_connections_and_a_gone_one_does_not(tmp_path, other_pid):
    gone = ConnectionBalance(_page, tmp_path, pid=2**22 + 1)  # above any Linux pid: not running
    gone.active = {("127.0.0.1", port): time.monotonic() for port in range(30)}
    gone.publish()
    busy = ConnectionBalance(_page, tmp_path)
    alone = []
    until = time.monotonic() + 0.4
    while time.monotonic() < until:  # the same twelve clients as _run's below
        alone.extend(_ask(busy, ("127.0.0.1", 40000 + port)) for port in range(12))
        time.sleep(0.005)
    assert not any(_closes(headers) for headers in alone)  # a gone process's 30 are not counted
    assert busy.peers == 0

    idle = ConnectionBalance(_page, tmp_path, pid=other_pid)  # live, and served nobody
    on_busy, on_idle, moved = _run(busy, idle, 12, 0, seconds=1.2)
    assert (len(on_busy), len(on_idle), moved) == (6, 6, 6)


def test_streams_are_never_asked_to_close(tmp_path, other_pid):
    busy = ConnectionBalance(_stream, tmp_path)
    ConnectionBalance(_page, tmp_path, pid=other_pid)  # a live process that serves nobody
    clients = [("127.0.0.1", 44000 + port) for port in range(12)]
    until = time.monotonic() + 0.8
    answers = []
    while time.monotonic() < until:
        answers.extend(_ask(busy, client) for client in clients)
        time.sleep(0.005)

    assert busy.excess() == 6  # over its share all along …
    assert not any(_closes(headers) for headers in answers) and busy.shed == 0  # … yet no stream cut


def test_quiet_connections_stop_counting(tmp_path, monkeypatch):
    monkeypatch.setattr(balance, "ACTIVE_WINDOW_S", 0.1)
    process = ConnectionBalance(_page, tmp_path)
    for port in range(5):
        _ask(process, ("127.0.0.1", 45000 + port))
    assert (tmp_path / f"{os.getpid()}.count").read_bytes() == b"00000005"

    time.sleep(0.15)
    _ask(process, ("127.0.0.1", 45000))
    assert set(process.active) == {("127.0.0.1", 45000)}
    assert (tmp_path / f"{os.getpid()}.count").read_bytes() == b"00000001"


def test_other_requests_pass_through(tmp_path):
    process = ConnectionBalance(_page, tmp_path)
    seen = []

    async def app(scope, receive, send) -> None:
        seen.append(scope["type"])

    process.app = app
    _call(process, {"type": "lifespan"}, None, None)
    _call(process, {"type": "websocket", "client": ("127.0.0.1", 1)}, None, None)
    _call(process, {"type": "http", "http_version": "2", "client": ("127.0.0.1", 2)}, None, None)

    assert seen == ["lifespan", "websocket", "http"]
    assert process.active == {}


def test_ecoute_serve_makes_the_shared_folder_and_removes_it(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv(balance.ENV_FOLDER, raising=False)
    with balance_folder():
        folder = Path(os.environ[balance.ENV_FOLDER])
        inside = folder.is_dir() and folder.parent == tmp_path and oct(folder.stat().st_mode & 0o777)
    assert inside == "0o700"  # the processes' own: nobody else reads or plants counts there
    assert not folder.exists() and balance.ENV_FOLDER not in os.environ

    # Without a temporary folder to write in, the server still serves, unbalanced, and says so.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with caplog.at_level(logging.WARNING), balance_folder():
        named = os.environ.get(balance.ENV_FOLDER)
    assert named is None
    assert [r.message for r in caplog.records] == ["web.balance_unavailable"]
