"""Endpoints for the machines that watch Écoute: ``/healthz`` (the process answers; touches
nothing), ``/readyz`` (database, schema and queue store ready) and ``/metrics`` (Prometheus), plus
the middleware that times every request by its route template.

``/metrics`` answers loopback clients only, unless ``ECOUTE_METRICS_TOKEN`` is set: then any client
with ``Authorization: Bearer <token>``. A loopback request that came through a proxy (it carries
``X-Forwarded-For``) is not trusted as local.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecoute.ops.readiness import check_database, readiness
from ecoute.web.deps import get_db, get_settings

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    checks = readiness(get_db(request), get_settings(request))
    ready = all(c.ok for c in checks)
    body = {"status": "ready" if ready else "not ready", "checks": {c.name: c.as_json() for c in checks}}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    from ecoute.ops import metrics as prometheus  # after the multiprocess folder is chosen

    db = get_db(request)
    if not check_database(db).ok:
        return JSONResponse({"error": "database unreachable"}, status_code=503)
    body = await run_in_threadpool(prometheus.render, db)
    return Response(body, media_type=prometheus.CONTENT_TYPE)


def _refusal(request: Request) -> Response | None:
    token = get_settings(request).raw("metrics_token")
    if token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        return JSONResponse(
            {"error": "metrics need Authorization: Bearer <ECOUTE_METRICS_TOKEN>"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if _loopback(request) and "x-forwarded-for" not in request.headers:
        return None
    return JSONResponse(
        {"error": "metrics are for this machine only: set ECOUTE_METRICS_TOKEN to scrape them"},
        status_code=403,
    )


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RequestTimingMiddleware:
    """Observes each HTTP request's duration under its route template (``/w/{slug}/inbox``, never
    the path itself, so a label never grows with the data). Streams of live events are left out:
    they last as long as the page is open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen: dict[str, object] = {"status": 500, "stream": False}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                headers = dict(message.get("headers") or [])
                seen["stream"] = headers.get(b"content-type", b"").startswith(b"text/event-stream")
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not seen["stream"]:
                _observe(scope, str(seen["status"]), time.perf_counter() - started)


def _observe(scope: Scope, status: str, seconds: float) -> None:
    from ecoute.ops.metrics import instruments

    route = getattr(scope.get("route"), "path", None) or "unmatched"
    instruments().http_latency.labels(scope["method"], route, status).observe(seconds)
