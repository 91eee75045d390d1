"""Helpers for the live-update tests: hear a hub from a test, and serve the app on a real port."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
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

    # In a thread of its own: a browser test earlier in this process may have left an event loop
    # running in the main thread (Playwright's sync API), where asyncio.run() refuses to start.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


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


def session_cookie(db, workspace, role: str = "agent") -> str:
    """A real server-side session of a new member of ``workspace``: the value of its cookie."""
    from ecoute.auth import sessions, users

    with db.session() as session:
        user = users.create_user(session, f"live.{uuid.uuid4().hex[:8]}@people.example", None, name="Live")
        users.add_member(session, workspace.id, user.id, role)
        cookie, _ = sessions.create_session(session, user)
    return cookie


class Stream:
    """An open event stream, read frame by frame (``next_frame``)."""

    def __init__(self, response: httpx.Response):
        self.response = response
        self.lines = response.iter_lines()

    def next_frame(self) -> dict[str, str]:
        """The next frame's fields (``event``, ``id``, ``data``), or ``{"comment": …}`` for a comment."""
        frame: dict[str, str] = {}
        for line in self.lines:
            if not line:
                if frame:
                    return frame
                continue
            if line.startswith(":"):
                return {"comment": line[1:].strip()}
            name, _, value = line.partition(":")
            frame[name] = value.strip()
        raise AssertionError("the stream ended")

    def next_live(self) -> dict[str, object]:
        """The data of the next ``live`` event (comments and other events are skipped)."""
        while True:
            frame = self.next_frame()
            if frame.get("event") == "live":
                return json.loads(frame["data"])


@contextmanager
def stream(base: str, path: str, cookie: str, **headers: str) -> Iterator[Stream]:
    wanted = {"accept": "text/event-stream", **headers}
    with (
        httpx.Client(base_url=base, cookies={"ecoute_session": cookie}, timeout=WAIT_S) as client,
        client.stream("GET", path, headers=wanted) as response,
    ):
        assert response.status_code == 200, response.read()
        opened = Stream(response)
        assert opened.next_frame()["event"] == "ready"
        yield opened
