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

from ecoute.settings import Settings
from ecoute.sources.x import webhook as x_webhook
from ecoute.store.db import Database
from ecoute.webhooks.inbound import MAX_BODY_BYTES, receive


def hooks_app(db: Database, settings: Settings) -> Starlette:
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

    async def x_hook(request: Request) -> JSONResponse:
        """X's Account Activity webhook: its CRC check (GET) and its signed events (POST)."""
        place = request.path_params["workspace"], request.path_params["source"]
        if request.method == "GET":
            token = request.query_params.get("crc_token", "")
            answer = await run_in_threadpool(x_webhook.challenge, db, settings, *place, token)
            return JSONResponse(answer.body, status_code=answer.status)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        body = await request.body()
        answer = await run_in_threadpool(x_webhook.receive, db, settings, *place, request.headers, body)
        return JSONResponse(answer.body, status_code=answer.status)

    return Starlette(
        routes=[
            Route("/x/{workspace}/{source}", x_hook, methods=["GET", "POST"]),
            Route("/{workspace}/{source}", hook, methods=["POST"]),
        ]
    )
