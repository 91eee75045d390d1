"""Opaque, signed pagination cursors: a position in the inbox order that clients cannot forge.

A cursor names the last row of a page (priority, last mention time, id) and is bound to the
workspace and the filters it was made for, so it cannot be replayed elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime


class InvalidCursor(ValueError):
    """The cursor was not made by this server for this workspace and these filters."""


@dataclass(frozen=True)
class Position:
    priority: int
    last_mention_at: datetime
    id: int


def _sign(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()[:16]


def encode(secret: str, scope: str, position: Position) -> str:
    body = json.dumps(
        [scope, position.priority, position.last_mention_at.isoformat(), position.id], separators=(",", ":")
    ).encode("utf-8")
    return base64.urlsafe_b64encode(_sign(secret, body) + body).decode("ascii").rstrip("=")


def decode(secret: str, scope: str, cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise InvalidCursor("cursor is not valid") from None
    mac, body = raw[:16], raw[16:]
    if not hmac.compare_digest(mac, _sign(secret, body)):
        raise InvalidCursor("cursor is not valid (altered, or made for other filters)")
    made_for, priority, when, row_id = json.loads(body)
    if made_for != scope:
        raise InvalidCursor("cursor was made for other filters")
    return Position(int(priority), datetime.fromisoformat(when), int(row_id))
