"""Serving the web app: uvicorn, and — on one machine — the background workers and the scheduler
in the same process (``ECOUTE_WEB_WORKERS``), so that one command keeps the whole desk alive."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess

from ecoute.jobs.queues import QueueTarget
from ecoute.jobs.workers import WorkerPlan, Workers
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.web.balance import ENV_FOLDER

logger = logging.getLogger(__name__)
HEALTHCHECK_TIMEOUT_S = 60
GRACEFUL_SHUTDOWN_S = 10


def embedded_workers(settings: Settings) -> bool:
    """Whether ``ecoute serve`` runs the workers itself: ``on``/``off``, or ``auto`` — on with the
    default SQLite queue (one machine), off with Redis or PostgreSQL (``ecoute worker`` elsewhere)."""
    choice = settings.raw("web_workers").strip().lower()
    if choice in ("on", "1", "true", "yes"):
        return True
    if choice in ("off", "0", "false", "no"):
        return False
    if choice != "auto":
        raise ValueError(f"ECOUTE_WEB_WORKERS={choice!r}: use on, off or auto")
    return QueueTarget.of(settings).kind == "sqlite"


class PortInUse(Exception):
    """The address ``ecoute serve`` was asked to listen on is taken."""


def check_port_free(host: str, port: int) -> None:
    """Fail before anything starts if something already listens on ``host:port``. The probe is bound
    without SO_REUSEPORT, so it is refused even by a running ``ecoute serve`` whose processes share
    the port with that flag (which would otherwise let a second server take half the connections);
    SO_REUSEADDR as uvicorn sets it, so connections of a server just stopped do not count."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(
                f"cannot listen on {host}:{port}: {error.strerror or error} — another server "
                "(another `ecoute serve`?) is using it: stop it, or choose another port with --port"
            ) from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def reuse_port_supported(port: int) -> bool:
    """Whether each web process can listen on a socket of its own: Linux spreads new connections
    over sockets bound with SO_REUSEPORT to one address (macOS and the BSDs accept the flag but do
    not spread connections with it). Port 0 (any free port) would give each process another port."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT") and port != 0


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` with SO_REUSEPORT, for one web process to listen on."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class OwnSocketProcesses(Multiprocess):
    """uvicorn's ``Multiprocess`` as it is — children started again when they die or stop
    answering its health pings, SIGHUP/SIGTTIN/SIGTTOU, a graceful stop on SIGINT/SIGTERM —
    except that each web process gets a socket of its own, bound with SO_REUSEPORT, instead
    of one socket shared by all. On a shared socket the process that wakes first accepts a
    whole burst of connections, and keeps them while they are kept alive: one core saturated,
    the other idle. With a socket each, the kernel spreads new connections over the processes.

    uvicorn reads ``self.sockets`` each time it starts a process (at start, after one died,
    on SIGHUP and SIGTTIN): each read binds a fresh socket for the one process about to start.
    This process closes its copy once that process has started, so that the socket dies with
    its process and the kernel stops sending it connections at once."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._handed: list[socket.socket] = []
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        sock = reuse_port_socket(self.config.host, self.config.port)
        self._handed.append(sock)
        return [sock]

    @sockets.setter
    def sockets(self, _given: list[socket.socket]) -> None:
        pass  # uvicorn's constructor sets the shared sockets: there are none

    def _releasing(self, step: Callable[[], None]) -> None:
        """Run a step of uvicorn's that may start processes, then close this process's copies of
        the sockets it handed them."""
        try:
            step()
        finally:
            while self._handed:
                self._handed.pop().close()

    def init_processes(self) -> None:
        self._releasing(super().init_processes)

    def keep_subprocess_alive(self) -> None:
        self._releasing(super().keep_subprocess_alive)

    def handle_signals(self) -> None:  # SIGHUP restarts every process, SIGTTIN adds one
        self._releasing(super().handle_signals)

    def run(self) -> None:
        try:
            super().run()
        finally:  # a socket that could not be bound again must not leave the others running
            self.terminate_all()
            self.join_all()


@contextmanager
def balance_folder() -> Iterator[None]:
    """A folder of this server's own where its web processes publish their load (``web.balance``),
    named to them in the environment they inherit, removed when the server stops."""
    try:
        folder = tempfile.mkdtemp(prefix="ecoute-web-")
    except OSError as error:  # no writable temporary folder: serve, unbalanced, rather than not at all
        logger.warning("web.balance_unavailable", extra={"error": str(error)})
        yield
        return
    os.environ[ENV_FOLDER] = folder
    try:
        yield
    finally:
        os.environ.pop(ENV_FOLDER, None)
        shutil.rmtree(folder, ignore_errors=True)


def run_web(db: Database, settings: Settings, *, host: str, port: int, processes: int = 1) -> None:
    """Serve until Ctrl+C; the embedded workers (if any) finish their jobs in hand before exit.

    With ``processes`` > 1, that many web processes serve (each builds its app with
    ``app_from_environment``), each on its own socket where the system spreads connections over
    such sockets (``reuse_port_supported``: and then they keep their shares of kept-alive
    connections even, ``web.balance``), else on one shared socket; the embedded workers stay
    in this one process, so the scheduler still runs once. With the embedded workers, a single web
    process also runs apart from them (on its own socket). Forwarded headers are read by the app,
    from ``ECOUTE_TRUSTED_PROXIES`` only, not from whatever uvicorn trusts by default.
    ``PortInUse`` if something already listens on the address, before anything starts."""
    from ecoute.web.app import create_app, settle_memory

    check_port_free(host, port)
    # Open live streams (pages left open) must not hold a stop or restart for long.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
    }
    workers = Workers(db, settings, WorkerPlan(scheduler=True)) if embedded_workers(settings) else None
    # With the background work in this process, even a single web process runs apart from it
    # (where it can have a socket of its own): storing and analysing items would otherwise take
    # turns with the requests for one interpreter lock, and acknowledgements wait behind them.
    apart = processes > 1 or (workers is not None and reuse_port_supported(port))
    app = None if apart else create_app(db, settings)
    if workers is not None:
        workers.start()
    settle_memory()
    try:
        if app is not None:
            uvicorn.run(app, **options)
            return
        # A web process answers uvicorn's health pings once its app is built; on a busy machine
        # building it takes longer than uvicorn's 5 s, and the process would be killed and
        # started again for ever.
        options.update(factory=True, workers=processes, timeout_worker_healthcheck=HEALTHCHECK_TIMEOUT_S)
        if not reuse_port_supported(port):
            uvicorn.run("ecoute.web.app:app_from_environment", **options)
            return
        config = uvicorn.Config("ecoute.web.app:app_from_environment", **options)
        with balance_folder() if processes > 1 else nullcontext():
            OwnSocketProcesses(config).run()
    finally:
        if workers is not None:
            workers.stop(graceful=True)
