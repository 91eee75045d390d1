"""``POST /hooks/{workspace}/{source}``: a webhook source's endpoint (Standard Webhooks signed);
``GET``/``POST /hooks/meta/{workspace}/{source}``: a Facebook or Instagram source's (Meta's
handshake and ``X-Hub-Signature-256``).

Mounted as its own small app, outside the API's routers, so that nothing reads the body before
its signature is checked (the API's input guard parses JSON bodies): the route reads the raw
bytes, and ``ecoute.webhooks.inbound`` verifies them before parsing anything.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ecoute.settings import Settings
from ecoute.sources.meta import webhook as meta
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

    async def meta_hook(request: Request) -> Response:
        """Meta's webhooks (Facebook Pages, Instagram): the GET handshake, signed POSTs."""
        workspace, source = request.path_params["workspace"], request.path_params["source"]
        if request.method == "GET":
            query = dict(request.query_params)
            status, text = await run_in_threadpool(meta.handshake, db, settings, workspace, source, query)
            return PlainTextResponse(text, status_code=status)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
        body = await request.body()
        answer = await run_in_threadpool(meta.receive, db, settings, workspace, source, request.headers, body)
        return JSONResponse(answer.body, status_code=answer.status)

    return Starlette(
        routes=[
            Route("/{workspace}/{source}", hook, methods=["POST"]),
            Route("/meta/{workspace}/{source}", meta_hook, methods=["GET", "POST"]),
        ]
    )
