"""Server-side login sessions: the cookie carries a random token, the database its digest.

Revocable (log out, log out everywhere, disable a user) and carrying the CSRF token that every
unsafe request from a browser must echo back in a form field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import String, bindparam, select, update
from sqlalchemy.orm import Session

from ecoute.auth.digests import digest, new_token, same
from ecoute.store.models import User
from ecoute.store.people import WebSession
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
# Refresh last_seen/expiry at most this often, so reading pages does not write on every request.
_TOUCH_EVERY = timedelta(minutes=5)


def create_session(
    session: Session, user: User, *, days: int = 14, user_agent: str | None = None
) -> tuple[str, WebSession]:
    """A new login for ``user``; returns the cookie value (shown once) and the stored row."""
    token = new_token()
    now = utcnow()
    row = WebSession(
        token_hash=digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        user_agent=(user_agent or "")[:300] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    logger.info("session.created", extra={"user_id": user.id, "session_id": row.id})
    return token, row


# Built once: every page asks it first.
_SESSION_AND_USER = (
    select(WebSession, User)
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.token_hash == bindparam("token_hash", type_=String))
)


def load_session(session: Session, token: str, *, days: int = 14) -> tuple[WebSession, User] | None:
    """The live session and its user for a cookie value, or None (unknown, expired, revoked, disabled)."""
    if not token:
        return None
    found = session.execute(_SESSION_AND_USER, {"token_hash": digest(token)}).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now or user.disabled_at is not None:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        row.expires_at = now + timedelta(days=days)
    return row, user


def revoke_session(session: Session, token: str) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == digest(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_user_sessions(session: Session, user_id: int) -> None:
    """Log the user out everywhere (password change, user disabled)."""
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def csrf_ok(web_session: WebSession, submitted: str | None) -> bool:
    return bool(submitted) and same(web_session.csrf_token, submitted or "")


def same_secret(expected: str, submitted: str) -> bool:
    """Constant-time comparison of a CSRF token (or any secret) with what a client sent."""
    return same(expected, submitted)
