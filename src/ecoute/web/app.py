"""The app factory: ``create_app(db, settings)`` wires pages, the API, static files and errors.

Built-in pages and API routers are listed in ``ROUTERS`` exactly like extra ones would be: a
module exposing ``router`` (an ``APIRouter``) is all a new page or API area needs.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from ecoute.auth.passwords import HashSlots, default_slots
from ecoute.live import signals as _live_signals  # noqa: F401 - publishes live events after commits
from ecoute.ops import logs
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.web import errors
from ecoute.web.balance import ENV_FOLDER, ConnectionBalance
from ecoute.web.clients import trusted_proxies
from ecoute.web.hooks import hooks_app
from ecoute.web.input_guard import reject_nul
from ecoute.web.ops import RequestTimingMiddleware
from ecoute.web.pages.inbox_rows import RowCache
from ecoute.web.security import SecurityHeadersMiddleware
from ecoute.web.templating import STATIC_DIR, make_templates

logger = logging.getLogger(__name__)

ROUTERS: tuple[str, ...] = (
    "ecoute.web.pages.auth",
    "ecoute.web.pages.workspaces",
    "ecoute.web.pages.inbox",
    "ecoute.web.pages.conversation",
    "ecoute.web.pages.replies",
    "ecoute.web.pages.views",
    "ecoute.web.pages.presence",
    "ecoute.web.pages.live",
    "ecoute.web.pages.metrics",
    "ecoute.web.pages.insights",
    "ecoute.web.pages.reports",
    "ecoute.web.pages.alerts",
    "ecoute.web.pages.incidents",
    "ecoute.web.pages.sources",
    "ecoute.web.pages.sources_connect",
    "ecoute.web.pages.digests",
    "ecoute.web.pages.digest_unsubscribe",
    "ecoute.web.api.v1",
    "ecoute.web.api.mentions",
    "ecoute.web.api.push",
    "ecoute.web.api.conversations",
    "ecoute.web.api.exports",
    "ecoute.web.api.notes",
    "ecoute.web.api.tags",
    "ecoute.web.api.corrections",
    "ecoute.web.api.members",
    "ecoute.web.api.rules",
    "ecoute.web.api.metrics",
    "ecoute.web.api.deadlines",
    "ecoute.web.api.replies",
    "ecoute.web.api.drafts",
    "ecoute.web.api.incidents",
    "ecoute.web.api.sources",
    "ecoute.web.api.alerts",
    "ecoute.web.api.topics",
    "ecoute.web.pages.admin_members",
    "ecoute.web.pages.admin_tokens",
    "ecoute.web.pages.admin_webhooks",
    "ecoute.web.pages.admin_audit",
    "ecoute.web.pages.admin_drafts",
    "ecoute.web.pages.admin_privacy",
    "ecoute.web.pages.admin_learning",
    "ecoute.web.pages.admin_alerts",
    "ecoute.web.pages.rules",
    "ecoute.web.pages.invite",
    "ecoute.web.ops",
)


def create_app(db: Database, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="Écoute",
        summary="Social listening and customer-response desk",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(reject_nul)],
    )
    app.state.db = db
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.row_cache = RowCache()
    app.state.hash_slots = HashSlots(settings.int("password_hash_slots") or default_slots())
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.mount("/hooks", hooks_app(db, settings), name="hooks")
    errors.install(app)
    app.state.routes = []  # every route, flat: what a 405's ``Allow`` header is worked out from
    for name in ROUTERS:
        router = importlib.import_module(name).router
        app.include_router(router)
        app.state.routes.extend(router.routes)
    install_middleware(app, settings)
    logger.info("web.app_created", extra={"routers": len(ROUTERS), "dialect": db.dialect})
    return app


MAX_AUTO_PROCESSES = 4


def web_processes(settings: Settings, configured: int | None = None) -> int:
    """Web processes to run: the setting, or with 0 one per CPU (at most ``MAX_AUTO_PROCESSES``).
    Each process runs Python on one core at a time, so a second one doubles what two cores serve."""
    count = settings.int("web_processes") if configured is None else configured
    return count if count > 0 else max(1, min(MAX_AUTO_PROCESSES, os.cpu_count() or 1))


def app_from_environment() -> FastAPI:
    """The app of one web worker process (``uvicorn --factory``): settings from the environment,
    the database already migrated by ``ecoute serve``."""
    settings = Settings()
    logs.configure(settings.raw("log_format"))
    db = Database.open(settings.database_url, run_migrations=False, pool_size=settings.int("db_pool_size"))
    app = create_app(db, settings)
    folder = os.environ.get(ENV_FOLDER)
    if folder:  # one of several web processes: keep their loads even (outermost: sees the peer)
        app.add_middleware(ConnectionBalance, folder=folder)
    settle_memory()
    return app


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Security headers on every response; forwarded client addresses from trusted proxies only
    (added last, so it runs first: the headers middleware and the routes see the real client)."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestTimingMiddleware)
    proxies = trusted_proxies(settings)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)


# Young objects are collected after this many allocations instead of Python's default 700: a
# request allocates thousands (rows, templates), and with the default every one paid for several
# young collections and, every hundred or so, a full one.
GC_YOUNG_THRESHOLD = 20_000


def settle_memory() -> None:
    """Call once the app is built, before serving: what start-up allocated (modules, routes,
    templates, catalogs) is frozen out of the garbage collector's sight, so that a full collection
    only walks what requests allocate; young collections run less often.

    Full collections were what made the slowest requests slow (60-200 ms each on a two-core box,
    measured with ``benchmarks/inbox_speed.py``)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
