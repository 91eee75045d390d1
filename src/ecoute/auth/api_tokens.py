"""Workspace API tokens: ``ecu_`` + random, shown once, stored as a digest, revocable."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.digests import digest, new_token
from ecoute.auth.permissions import ROLES
from ecoute.store.people import ApiToken
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "ecu_"
_DISPLAY_CHARS = 8
TOUCH_EVERY = timedelta(minutes=1)


def create_token(
    session: Session, workspace_id: int, *, name: str, role: str = "agent", created_by_id: int | None = None
) -> tuple[str, ApiToken]:
    """Returns the token (show it once; it cannot be recovered) and its stored row."""
    if role not in ROLES:
        raise Invalid(f"role {role!r}: use one of {', '.join(ROLES)}")
    if not name.strip():
        raise Invalid("give the token a name, e.g. the tool that will use it")
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(
        workspace_id=workspace_id,
        name=name.strip()[:200],
        prefix=token[: len(TOKEN_PREFIX) + _DISPLAY_CHARS],
        token_hash=digest(token),
        role=role,
        scopes=[],
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()
    logger.info("api_token.created", extra={"workspace_id": workspace_id, "token_id": row.id})
    return token, row


def find_token(session: Session, token: str) -> ApiToken | None:
    """The token's row whatever its state (live, revoked, expired), or None when unknown."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))


def is_live(row: ApiToken, now: datetime) -> bool:
    return row.revoked_at is None and not (row.expires_at and row.expires_at <= now)


def touch(row: ApiToken, now: datetime) -> None:
    """Record the use, at most once a minute: writing on every call made concurrent API clients
    queue behind each other's writes (SQLite has one writer; PostgreSQL locks the row)."""
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now


def authenticate_token(session: Session, token: str) -> ApiToken | None:
    """The live token row for a bearer token, or None; its ``workspace_id`` is the only workspace."""
    row = find_token(session, token)
    now = utcnow()
    if row is None or not is_live(row, now):
        return None
    touch(row, now)
    return row


def list_tokens(session: Session, workspace_id: int) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.workspace_id == workspace_id).order_by(ApiToken.created_at.desc())
    return list(session.scalars(query))


def revoke_token(session: Session, workspace_id: int, token_id: int) -> ApiToken:
    row = session.scalar(
        select(ApiToken).where(ApiToken.workspace_id == workspace_id, ApiToken.id == token_id)
    )
    if row is None:
        raise NotFound(f"no API token #{token_id} in this workspace")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    logger.info("api_token.revoked", extra={"workspace_id": workspace_id, "token_id": token_id})
    return row
