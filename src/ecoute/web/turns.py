"""The lists every reader asks for again and again (the inbox page, the API's conversation list) take
turns in each web process: at most ``LIST_THREADS`` run at once, the others wait for a turn, first
come, first served.

They are CPU work under one interpreter lock: ten of them in ten threads of a process take about as
long together as one after the other, but which one finishes first is drawn by the lock's
hand-overs, so some take twice as long as others, and every hand-over costs CPU of its own. Taking
turns gives each about the same wait and keeps the lock's contention low; two at once, not one,
so that one computes while the other waits for the database. Measured at 20 clients
(docs/benchmarks.md): p95 about 1.3 times the median instead of 1.5, for the same throughput.

Everything else (slow exports, reports, password hashing) keeps the shared thread pool, so that it
never holds up these lists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

LIST_THREADS = 2

P = ParamSpec("P")
T = TypeVar("T")

# One limiter per event loop (a web process has one; each test client has its own).
_limiter: RunVar[CapacityLimiter] = RunVar("ecoute_list_turns")


def _turns() -> CapacityLimiter:
    try:
        return _limiter.get()
    except LookupError:
        limiter = CapacityLimiter(LIST_THREADS)
        _limiter.set(limiter)
        return limiter


def in_turn(endpoint: Callable[P, T]) -> Callable[P, object]:
    """A plain (blocking) FastAPI endpoint that runs in a worker thread when its turn comes.

    FastAPI reads the parameters of the function this wraps (``functools.wraps``), so its
    dependencies and validation are those of ``endpoint``."""

    @functools.wraps(endpoint)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await anyio.to_thread.run_sync(functools.partial(endpoint, *args, **kwargs), limiter=_turns())

    return run
