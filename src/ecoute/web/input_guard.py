"""Checks every request gets before its route runs: no NUL character anywhere in what it sends.

PostgreSQL cannot store U+0000 in text, so a NUL in a note, a tag, a rule or a search would fail
deep in the database; SQLite would store it and show it back broken. No field of Écoute has a use
for it, so the path, query, form fields and JSON body are refused as a whole (a 422 for the API,
a 400 page for people), naming each place a NUL was found. A route that reports bad records one
by one (the push of mentions) names the body fields it checks itself with ``@per_record_body``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError

NUL = "\x00"
MESSAGE = "must not contain the NUL character (\\u0000)"
NUL_ERROR = "string_nul"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
Loc = tuple[str | int, ...]


def per_record_body(*fields: str) -> Callable[[Endpoint], Endpoint]:
    """Leave these top-level fields of the route's JSON body to the route: it refuses bad records
    one by one and keeps the good ones."""

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.per_record_fields = frozenset(fields)  # type: ignore[attr-defined]
        return endpoint

    return mark


def nul_places(value: object, loc: Loc) -> Iterator[Loc]:
    """Where in ``value`` (a decoded JSON document, keys included) a NUL character is."""
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield (*loc, str(key).replace(NUL, "\\u0000"))
            yield from nul_places(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_places(item, (*loc, index))


def _pairs(where: str, items: Any) -> Iterator[Loc]:
    for name, value in items:
        if NUL in name or (isinstance(value, str) and NUL in value):
            yield (where, name.replace(NUL, "\\u0000"))


async def reject_nul(request: Request) -> None:
    """Raise a validation error listing every place of the request that holds a NUL."""
    places = [
        *_pairs("path", request.path_params.items()),
        *_pairs("query", request.query_params.multi_items()),
        *(await _body_places(request)),
    ]
    if places:
        raise RequestValidationError(
            [{"loc": loc, "msg": MESSAGE, "type": NUL_ERROR, "input": None} for loc in places]
        )


async def _body_places(request: Request) -> list[Loc]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return list(_pairs("body", (await request.form()).multi_items()))
    if not content_type.endswith("json"):
        return []
    try:
        document = await request.json()
    except (ValueError, UnicodeDecodeError):  # not JSON: the route's own validation says so
        return []
    left_to_route = getattr(request.scope.get("endpoint"), "per_record_fields", frozenset())
    if isinstance(document, dict) and left_to_route:
        document = {key: value for key, value in document.items() if key not in left_to_route}
    return list(nul_places(document, ("body",)))
