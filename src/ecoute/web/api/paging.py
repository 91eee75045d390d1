"""Cursor pagination for the API: ``?cursor=&limit=`` in, ``next_cursor`` out.

A cursor is the position after the last row of a page (e.g. ``[created_at, id]``), signed with the
app's secret and bound to the workspace and the filters it was made for, so a client can neither
forge one nor replay it elsewhere. Conversations use the inbox's own cursors (``ecoute.inbox.cursor``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Annotated, Any

from fastapi import Query

from ecoute.inbox.cursor import InvalidCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1–200).")]
Cursor = Annotated[
    str | None, Query(max_length=600, description="`next_cursor` of the previous page, as given.")
]


def _mac(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"api-cursor:" + body, hashlib.sha256).digest()[:16]


def encode(secret: str, scope: str, position: list[Any]) -> str:
    body = json.dumps([scope, position], separators=(",", ":"), default=str).encode("utf-8")
    return base64.urlsafe_b64encode(_mac(secret, body) + body).decode("ascii").rstrip("=")


def decode(secret: str, scope: str, cursor: str) -> list[Any]:
    """The position a cursor names; ``InvalidCursor`` (a 422) when it was not made here for ``scope``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise InvalidCursor("cursor is not valid") from None
    mac, body = raw[:16], raw[16:]
    if not hmac.compare_digest(mac, _mac(secret, body)):
        raise InvalidCursor("cursor is not valid (altered, or made for other filters)")
    made_for, position = json.loads(body)
    if made_for != scope or not isinstance(position, list):
        raise InvalidCursor("cursor was made for other filters")
    return position


def scope_of(workspace_id: int, **filters: Any) -> str:
    """What a cursor is bound to: the workspace and a digest of the filters."""
    data = json.dumps(filters, sort_keys=True, default=str).encode("utf-8")
    return f"{workspace_id}:{hashlib.sha256(data).hexdigest()[:16]}"
