"""``POST /hooks/{workspace}/{source}``: a webhook source's endpoint (Standard Webhooks signed).

Mounted as its own small app, outside the API's routers, so that nothing reads the body before
its signature is checked (the API's input guard parses JSON bodies): the route reads the raw
bytes, and ``ecoute.webhooks.inbound`` verifies them before parsing anything.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ecoute.jobs import registry
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.webhooks.inbound import MAX_BODY_BYTES, receive


def hooks_app(db: Database, settings: Settings) -> Starlette:
    # The job kinds are read when the first request records its job: load them now, so that the
    # first webhook after a start does not wait for every job module to be imported.
    registry.load()

    async def hook(request: Request) -> JSONResponse:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        body = await request.body()
        answer = await run_in_threadpool(
            receive,
            db,
            settings,
            request.path_params["workspace"],
            request.path_params["source"],
            request.headers,
            body,
        )
        return JSONResponse(answer.body, status_code=answer.status)

    return Starlette(routes=[Route("/{workspace}/{source}", hook, methods=["POST"])])
