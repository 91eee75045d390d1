"""Helpers for the live-update tests: hear a hub from a test, and serve the app on a real port."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn

from ecoute.live.events import Hub, LiveEvent

WAIT_S = 15.0


def hear(hub: Hub, workspace_id: int, publish: Callable[[], None]) -> LiveEvent:
    """Subscribe to ``workspace_id``, call ``publish`` (again every half second while nothing is
    heard: a listener thread may still be connecting) and return the first event heard."""

    async def run() -> LiveEvent:
        subscription = hub.subscribe(workspace_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_S
        try:
            while loop.time() < deadline:
                await asyncio.to_thread(publish)
                try:
                    return await asyncio.wait_for(subscription.queue.get(), timeout=0.5)
                except TimeoutError:
                    continue
            raise AssertionError("no event heard")
        finally:
            hub.unsubscribe(subscription)

    return asyncio.run(run())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app) -> Iterator[str]:
    """The app on a free local port, in a thread of this process; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
