"""One error shape: ``{"detail": ...}`` for the API, an HTML page for people; bad input is a 4xx."""

from __future__ import annotations

import logging
import sys
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ecoute.inbox.cursor import InvalidCursor
from ecoute.store.repo import Invalid, NotFound
from ecoute.web.deps import LoginRequired, page_translator
from ecoute.web.input_guard import NUL_ERROR
from ecoute.web.templating import render

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
ERROR_TITLES = frozenset({400, 401, 403, 404, 405, 422, 500})
BODY_UNREADABLE = "the body is not JSON in UTF-8"


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/openapi.json"


def _respond(
    request: Request, status: int, detail: object, headers: dict[str, str] | None = None
) -> Response:
    if is_api(request):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    title_key = f"error.{status}" if status in ERROR_TITLES else "error.generic"
    return render(
        request, "error.html", status_code=status, status=status, detail=detail, title_key=title_key
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (the router names only the first route's)."""
    path = request.url.path
    routes = getattr(request.app.state, "routes", [])
    return sorted({m for r in routes if r.path_regex.fullmatch(path) for m in getattr(r, "methods", ())})


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 405 and (methods := allowed_methods(request)):
        return _respond(request, 405, error.detail, {"Allow": ", ".join(methods)})
    unreadable = _unreadable_body(error)
    if unreadable is not None:
        detail = [{"loc": ["body"], "msg": unreadable, "type": "json_invalid"}]
        return _respond(request, 422, detail if is_api(request) else unreadable)
    if error.status_code == 400 and isinstance(error.__cause__, ValueError) and is_api(request):
        # FastAPI answers a body it cannot decode (not UTF-8) with a bare 400; it is invalid
        # input like any other, so the same 422 as malformed JSON.
        return _respond(request, 422, [{"loc": ["body"], "msg": BODY_UNREADABLE, "type": "json_invalid"}])
    return _respond(request, error.status_code, error.detail, getattr(error, "headers", None))


def _unreadable_body(error: StarletteHTTPException) -> str | None:
    """Why a JSON body the parser gave up on cannot be read (FastAPI answers a bare 400 for it):
    nested too deeply, or a number too long — the same 422 as any other JSON that is not valid."""
    cause = error.__cause__
    if error.status_code != 400 or cause is None:
        return None
    if isinstance(cause, RecursionError):
        return "JSON nested too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return f"JSON number of more than {sys.get_int_max_str_digits():,} digits"
    return None


async def validation_error(request: Request, error: RequestValidationError) -> Response:
    if is_api(request):
        return JSONResponse({"detail": _plain(error.errors())}, status_code=422)
    fields = ", ".join(str(e["loc"][-1]) for e in error.errors() if e.get("loc"))
    if all(e.get("type") == NUL_ERROR for e in error.errors()):
        return _respond(request, 400, page_translator(request).t("error.nul", fields=fields))
    return _respond(request, 400, f"invalid value for: {fields}" if fields else "invalid request")


def _plain(errors: object) -> object:
    """Pydantic errors may carry exception objects in ``ctx``; keep only JSON-safe fields."""
    if not isinstance(errors, list | tuple):
        return str(errors)
    return [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in errors]


async def login_required(request: Request, _: LoginRequired) -> Response:
    if is_api(request):
        return JSONResponse({"detail": "not logged in"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def not_found(request: Request, error: NotFound) -> Response:
    return _respond(request, 404, "Not Found")


async def invalid(request: Request, error: ValueError) -> Response:
    return _respond(request, 400 if not is_api(request) else 422, str(error))


async def unstorable(request: Request, error: DataError | OverflowError) -> Response:
    """A value the database cannot take (a NUL in text, a number past its integers) that no
    validation caught: the client's input, so a 4xx saying which kind of value, never the SQL."""
    cause = error.orig if isinstance(error, DataError) else error
    logger.warning("web.unstorable_value", extra={"path": request.url.path, "error": type(cause).__name__})
    if any(mark in str(cause) for mark in ("NUL", "\\u0000", "0x00")):
        detail = "a text value contains the NUL character (\\u0000), which cannot be stored"
    elif isinstance(cause, OverflowError) or "out of range" in str(cause):
        detail = "a value is out of range (numbers: whole numbers up to 2147483647)"
    else:
        detail = "a value cannot be stored as given"
    return _respond(request, 400 if not is_api(request) else 422, detail)


async def unexpected(request: Request, error: Exception) -> Response:
    """A bug: logged with its traceback, answered in the usual shape without internals."""
    logger.exception("web.unexpected_error", extra={"path": request.url.path})
    return _respond(request, 500, "internal error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(LoginRequired, login_required)  # type: ignore[arg-type]
    app.add_exception_handler(NotFound, not_found)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, unstorable)  # type: ignore[arg-type]
    app.add_exception_handler(OverflowError, unstorable)  # type: ignore[arg-type]
    app.add_exception_handler(Invalid, invalid)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidCursor, invalid)  # type: ignore[arg-type]
