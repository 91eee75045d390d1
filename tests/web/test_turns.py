"""The lists readers ask for again and again take turns: at most ``LIST_THREADS`` at once per process,
the rest queued; every other blocking endpoint keeps the shared thread pool."""

import asyncio
import threading
import time
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Query

from ecoute.web.turns import LIST_THREADS, in_turn


class Gauge:
    """How many calls run at once, and the most there ever were."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *_: object) -> None:
        with self.lock:
            self.now -= 1


def _app(listed: Gauge, other: Gauge) -> FastAPI:
    app = FastAPI()

    def reader(who: Annotated[str, Query(max_length=20)]) -> str:
        return who.upper()

    @app.get("/list")
    @in_turn
    def listing(who: Annotated[str, Depends(reader)], n: int = 0) -> dict[str, object]:
        with listed:
            time.sleep(0.2)
        return {"who": who, "n": n, "thread": threading.current_thread() is not threading.main_thread()}

    @app.get("/other")
    def elsewhere() -> dict[str, bool]:
        with other:
            time.sleep(0.2)
        return {"ok": True}

    return app


def _in_own_loop(work):  # type: ignore[no-untyped-def]
    """Run a coroutine on an event loop of a thread of its own (a browser test may hold this one's)."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(work())))
    thread.start()
    thread.join(30)
    return result[0]


def test_lists_run_at_most_so_many_at_once_and_each_gets_its_own_arguments():
    listed, other = Gauge(), Gauge()
    app = _app(listed, other)

    async def many() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(
                *(client.get("/list", params={"who": f"agent{n}", "n": n}) for n in range(8)),
                *(client.get("/other") for _ in range(8)),
            )

    answers = _in_own_loop(many)

    assert [a.status_code for a in answers] == [200] * 16
    assert [a.json()["who"] for a in answers[:8]] == [f"AGENT{n}" for n in range(8)]
    assert [a.json()["n"] for a in answers[:8]] == list(range(8))
    assert all(a.json()["thread"] for a in answers[:8])  # never on the event loop's thread
    assert listed.most == LIST_THREADS
    assert other.most > LIST_THREADS  # the shared pool is not held to the lists' turns


def test_a_list_in_turn_keeps_its_parameters_and_validation():
    app = _app(Gauge(), Gauge())
    spec = app.openapi()["paths"]["/list"]["get"]["parameters"]

    assert {p["name"] for p in spec} == {"who", "n"}

    async def bad() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/list", params={"n": "many"})

    answer = _in_own_loop(bad)
    assert answer.status_code == 422
    assert {tuple(e["loc"]) for e in answer.json()["detail"]} == {("query", "who"), ("query", "n")}


def test_the_real_lists_take_turns_and_keep_their_documented_parameters(app):
    from ecoute.web.api import conversations
    from ecoute.web.pages import inbox

    assert inbox.inbox.__wrapped__ is not None and conversations.list_conversations.__wrapped__ is not None
    spec = app.openapi()["paths"]["/api/v1/conversations"]["get"]
    names = {p["name"] for p in spec["parameters"]}
    assert {"cursor", "limit", "status", "q"} <= names
