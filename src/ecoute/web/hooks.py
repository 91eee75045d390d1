"""``POST /hooks/{workspace}/{source}``: a webhook source's endpoint (Standard Webhooks signed);
``GET``/``POST /hooks/meta/{workspace}/{source}``: a Facebook or Instagram source's (Meta's
handshake and ``X-Hub-Signature-256``); ``GET``/``POST /hooks/x/{workspace}/{source}``: an X
source's Account Activity webhook (its CRC check and ``x-twitter-webhooks-signature``).

Mounted as its own small app, outside the API's routers, so that nothing reads the body before
its signature is checked (the API's input guard parses JSON bodies): each route reads the raw
bytes, and the receiver verifies them before parsing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ecoute.jobs import registry
from ecoute.settings import Settings
from ecoute.sources.meta import webhook as meta
from ecoute.sources.x import webhook as x_webhook
from ecoute.store.db import Database
from ecoute.webhooks.inbound import MAX_BODY_BYTES, receive


def hooks_app(db: Database, settings: Settings) -> Starlette:
    # The job kinds are read when the first request records its job: load them now, so that the
    # first webhook after a start does not wait for every job module to be imported.
    registry.load()

    async def signed(request: Request, receiver: Callable[..., Any]) -> JSONResponse:
        """The raw body handed to ``receiver`` (which verifies it before parsing), and its answer."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        body = await request.body()
        place = request.path_params["workspace"], request.path_params["source"]
        answer = await run_in_threadpool(receiver, db, settings, *place, request.headers, body)
        return JSONResponse(answer.body, status_code=answer.status)

    async def hook(request: Request) -> JSONResponse:
        return await signed(request, receive)

    async def meta_hook(request: Request) -> Response:
        """Meta's webhooks (Facebook Pages, Instagram): the GET handshake, signed POSTs."""
        if request.method == "GET":
            place = request.path_params["workspace"], request.path_params["source"]
            query = dict(request.query_params)
            status, text = await run_in_threadpool(meta.handshake, db, settings, *place, query)
            return PlainTextResponse(text, status_code=status)
        return await signed(request, meta.receive)

    async def x_hook(request: Request) -> JSONResponse:
        """X's Account Activity webhook: its CRC check (GET) and its signed events (POST)."""
        if request.method == "GET":
            place = request.path_params["workspace"], request.path_params["source"]
            token = request.query_params.get("crc_token", "")
            answer = await run_in_threadpool(x_webhook.challenge, db, settings, *place, token)
            return JSONResponse(answer.body, status_code=answer.status)
        return await signed(request, x_webhook.receive)

    return Starlette(
        routes=[
            Route("/meta/{workspace}/{source}", meta_hook, methods=["GET", "POST"]),
            Route("/x/{workspace}/{source}", x_hook, methods=["GET", "POST"]),
            Route("/{workspace}/{source}", hook, methods=["POST"]),
        ]
    )
