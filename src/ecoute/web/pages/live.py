"""The live stream of a workspace (Server-Sent Events): the inbox and conversation pages open it
and re-read what they show when an event arrives.

An event says only what kind of change happened (and on which conversation): the page re-reads
through the usual permission checks. A stream lasts ``STREAM_S`` at most and the browser opens
the next one by itself, so a session that ended or a member removed stops hearing within minutes.
A reconnecting browser (``Last-Event-ID``) is told to re-read everything: no event is replayed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from ecoute.auth.permissions import Action
from ecoute.live.buses import BusTarget, bus_for
from ecoute.live.events import RESYNC, Hub, LiveEvent, Subscription
from ecoute.web.deps import WorkspaceContext, get_db, get_settings, require
from ecoute.web.pages import page_router

router = page_router()
HEARTBEAT_S = 15.0  # a comment line this often keeps proxies from closing a quiet stream
STREAM_S = 300.0
RETRY_MS = 3000


def hub_of(request: Request) -> Hub:
    url = get_db(request).engine.url.render_as_string(hide_password=False)
    return bus_for(BusTarget.of(get_settings(request), url)).listen()


@router.get("/w/{slug}/events")
async def events(
    request: Request, ctx: Annotated[WorkspaceContext, require(Action.VIEW)]
) -> StreamingResponse:
    hub = await run_in_threadpool(hub_of, request)  # the first stream may wait for the bus
    subscription = hub.subscribe(ctx.workspace.id)  # before answering: nothing is missed after "ready"
    resync = bool(request.headers.get("last-event-id"))
    return StreamingResponse(
        _stream(request, hub, subscription, resync),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _stream(request: Request, hub: Hub, subscription: Subscription, resync: bool) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_S
    sent = 0
    try:
        yield f"retry: {RETRY_MS}\nid: 0\nevent: ready\ndata: {{}}\n\n"
        if resync:
            sent += 1
            yield _frame(sent, LiveEvent(subscription.workspace_id, RESYNC))
        while (left := ends - loop.time()) > 0 and not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(subscription.queue.get(), timeout=min(HEARTBEAT_S, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            sent += 1
            yield _frame(sent, event)
    finally:
        hub.unsubscribe(subscription)


def _frame(number: int, event: LiveEvent) -> str:
    return f"id: {number}\nevent: live\ndata: {event.for_browser()}\n\n"
