"""``ecoute serve --processes 2``: the web app in two uvicorn processes over one database, started
even on a busy machine (slow to build the app), serving pages with their security headers; on
Linux each process listens on a socket of its own (SO_REUSEPORT), so connections opened together
are spread over both, a process that dies is replaced with a socket of its own, SIGTERM stops them
all, and a port already in use is refused before anything starts, even by a running server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from api_load import server_sockets, socket_inodes  # noqa: E402 - /proc helpers shared with the benchmark

LINUX_ONLY = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads connections on Linux; /proc"
)
LISTEN, ESTABLISHED = "0A", "01"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(tmp_path: Path, port: int, processes: int = 2, workers: str = "off") -> subprocess.Popen[str]:
    env = {**os.environ, "ECOUTE_DATA_DIR": str(tmp_path / "data"), "ECOUTE_WEB_WORKERS": workers}
    env.pop("ECOUTE_DATABASE_URL", None)
    env.pop("ECOUTE_QUEUE_URL", None)  # the default queue, a file in the data folder
    return subprocess.Popen(
        [sys.executable, "-m", "ecoute", "serve", "--port", str(port), "--processes", str(processes)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _first_answer(server: subprocess.Popen[str], port: int) -> httpx.Response | None:
    answer = None
    deadline = time.monotonic() + 180
    while answer is None and time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read()
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        except httpx.HTTPError:
            time.sleep(0.5)
    return answer


def _web_processes(server: subprocess.Popen[str]) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(server.pid), "-f", "multiprocessing.spawn"], capture_output=True, text=True
    ).stdout.split()
    return sorted(int(pid) for pid in found)


def _holders(inodes: list[str], pids: list[int]) -> Counter[int | None]:
    """How many of these sockets each process holds (None: none of them)."""
    held = {pid: socket_inodes(pid) for pid in pids}
    return Counter(next((pid for pid in pids if inode in held[pid]), None) for inode in inodes)


def _in_own_loop(work: Any) -> Any:
    """Run a coroutine on an event loop of its own, in a thread of its own: the browser tests'
    Playwright may hold a running loop in this process's main thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, work).result()


async def _connections_at_once(
    port: int, count: int, pids: list[int]
) -> tuple[Counter[int], Counter[int | None]]:
    """``count`` clients connect together, each GETs a page on its own (kept-alive) connection; the
    statuses answered, and — while those connections are still open — how many of them each web
    process holds the server side of."""
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for _ in range(count)]
    try:
        answers = await asyncio.gather(*(client.get("/login") for client in clients))
        return Counter(answer.status_code for answer in answers), _holders(
            server_sockets(port, ESTABLISHED), pids
        )
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


@pytest.mark.slow
def test_two_web_processes_serve_the_app(tmp_path):
    port = _free_port()
    server = _serve(tmp_path, port)
    try:
        answer = _first_answer(server, port)
        children = _web_processes(server)
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0]

    assert answer is not None and answer.status_code == 200
    assert answer.headers["x-frame-options"] == "DENY"
    assert len(children) == 2
    assert "with 2 web process(es)" in output


def _both_listening(server: subprocess.Popen[str], port: int, gone: int | None = None) -> list[int]:
    """The two web processes once each listens on a socket of its own (its app built), ``gone``
    (one that was killed) not among them."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read()
        children = _web_processes(server)
        if len(children) == 2 and gone not in children:
            listeners = _holders(server_sockets(port, LISTEN), children)
            if sorted(listeners) == children:
                return children
        time.sleep(0.5)
    raise AssertionError(f"not two web processes each listening: {_web_processes(server)} ({gone} gone)")


@pytest.mark.slow
@LINUX_ONLY
def test_each_web_process_listens_on_its_own_socket(tmp_path):
    port = _free_port()
    server = _serve(tmp_path, port)
    try:
        assert _first_answer(server, port) is not None
        first = _both_listening(server, port)
        # One listening socket per web process (a shared one would be a single socket held by all),
        # none kept by the supervisor, so a socket goes with its process.
        listeners = _holders(server_sockets(port, LISTEN), [*first, server.pid])
        statuses, holders = _in_own_loop(_connections_at_once(port, 40, first))

        second = subprocess.run(
            [sys.executable, "-m", "ecoute", "serve", "--port", str(port), "--processes", "2"],
            env={**os.environ, "ECOUTE_DATA_DIR": str(tmp_path / "other"), "ECOUTE_WEB_WORKERS": "off"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        listeners_after_second = _holders(server_sockets(port, LISTEN), [*first, server.pid])

        os.kill(first[0], signal.SIGKILL)
        replaced = _both_listening(server, port, gone=first[0])
        again, _ = _in_own_loop(_connections_at_once(port, 10, replaced))
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]

    assert len(first) == 2
    assert listeners == Counter({first[0]: 1, first[1]: 1})
    assert statuses == Counter({200: 40})
    assert sum(holders.values()) == 40 and set(holders) == set(first), holders
    # Connections opened at once are spread by the kernel: each process gets its share (a binomial
    # draw; below 8 of 40 is a chance of 1 in 24,000), not whichever woke first taking them all.
    assert min(holders.values()) >= 8, holders

    assert second.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in second.stderr and "already in use" in second.stderr
    assert "is listening on" not in second.stdout
    assert listeners_after_second == listeners  # the refused server took no socket on the port

    assert first[1] in replaced and again == Counter({200: 10})
    assert server.returncode == 0, output
    assert not [pid for pid in replaced if Path(f"/proc/{pid}").exists()]  # SIGTERM stopped them all


@LINUX_ONLY
def test_a_port_in_use_is_refused_before_anything_starts(tmp_path):
    port = _free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        server = _serve(tmp_path, port)
        output = server.communicate(timeout=120)[0]

    assert server.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in output
    assert "is listening on" not in output
    assert not (tmp_path / "data" / "ecoute.db").exists()  # no database made for a server that cannot start


@pytest.mark.slow
@LINUX_ONLY
@pytest.mark.parametrize("workers", ["on", "off"])
def test_one_web_process_runs_apart_from_the_embedded_workers(tmp_path, workers):
    """With the background work in ``ecoute serve``'s own process, its one web process is a child
    of its own (the two do not take turns for one interpreter lock); without it, nothing is
    started beside the server."""
    port = _free_port()
    server = _serve(tmp_path, port, processes=1, workers=workers)
    try:
        answer = _first_answer(server, port)
        children = _web_processes(server)
        listeners = _holders(server_sockets(port, LISTEN), [server.pid, *children])
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0]

    assert answer is not None and answer.status_code == 200
    if workers == "on":
        assert "background work in this process" in output
        assert len(children) == 1 and listeners == Counter({children[0]: 1})
    else:
        assert children == [] and listeners == Counter({server.pid: 1})


async def _kept_alive_clients(port: int, count: int, seconds: float, pids: list[int]) -> dict[str, Any]:
    """``count`` clients, each on its own kept-alive connection, each asking again as soon as
    answered (a client told ``Connection: close`` opens a new connection): how the connections lie
    over the processes after the first round and at the end, the statuses, and the closes."""
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for _ in range(count)]
    statuses: Counter[int] = Counter()
    closes = 0

    async def ask(client: httpx.AsyncClient) -> None:
        nonlocal closes
        answer = await client.get("/login")
        statuses[answer.status_code] += 1
        closes += answer.headers.get("connection") == "close"

    try:
        await asyncio.gather(*(ask(client) for client in clients))
        first = _holders(server_sockets(port, ESTABLISHED), pids)
        until = time.monotonic() + seconds

        async def keep_asking(client: httpx.AsyncClient) -> None:
            while time.monotonic() < until:
                await ask(client)

        await asyncio.gather(*(keep_asking(client) for client in clients))
        last = _holders(server_sockets(port, ESTABLISHED), pids)
        return {"first": first, "last": last, "statuses": statuses, "closes": closes}
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


@pytest.mark.slow
@LINUX_ONLY
def test_kept_alive_connections_even_out_over_the_web_processes(tmp_path):
    """However the system spread twenty kept-alive connections, within seconds each process holds
    ten (or eleven): the busier one asked the excess to reconnect (``web.balance``)."""
    port = _free_port()
    server = _serve(tmp_path, port)
    try:
        assert _first_answer(server, port) is not None
        children = _both_listening(server, port)
        folders = {
            line.partition("=")[2]
            for pid in children
            for line in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
            if line.startswith("ECOUTE_WEB_BALANCE_DIR=")
        }
        run = _in_own_loop(_kept_alive_clients(port, 20, 6.0, children))
        published = sorted(path.name for folder in folders for path in Path(folder).iterdir())
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]

    assert server.returncode == 0, output
    assert len(folders) == 1  # one folder, shared by the two processes …
    assert published == sorted(f"{pid}.count" for pid in children)  # … each publishing its count there
    assert not Path(next(iter(folders))).exists()  # removed when the server stopped
    assert set(run["statuses"]) == {200}
    assert sum(run["first"].values()) == 20 and sum(run["last"].values()) == 20, run
    assert max(run["last"].values()) <= 11 and set(run["last"]) == set(children), run
    if max(run["first"].values()) > 11:
        assert run["closes"] >= max(run["first"].values()) - 10, run
