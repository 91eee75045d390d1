"""The server-side half of a connect flow: ``state`` and the PKCE verifier, kept until the platform
sends the admin back, used once, for ten minutes at most, and only by whoever started it.

The browser carries only ``state``, an unguessable token; what it stands for (workspace, person,
source) is read here, never from the browser. A state is deleted when it is read, whatever the
outcome: a replayed callback finds nothing.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ecoute.settings import Settings
from ecoute.sources.connect.models import OAuthState
from ecoute.store.types import utcnow
from ecoute.webhooks.sealing import SecretUnreadable, seal, unseal

LIFETIME = timedelta(minutes=10)


class StateRefused(Exception):
    """``reason``: ``unknown`` (forged, replayed, or never started), ``expired``, or ``other_user``."""

    def __init__(self, reason: str, state: OAuthState | None = None):
        super().__init__(reason)
        self.reason = reason
        self.state = state


@dataclass(frozen=True)
class Started:
    state: str
    code_challenge: str | None


def digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def challenge(verifier: str) -> str:
    """RFC 7636's S256: BASE64URL(SHA256(verifier)), without padding."""
    raw = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def start(
    session: Session,
    settings: Settings,
    *,
    workspace_id: int,
    user_id: int,
    kind: str,
    pkce: bool,
    source_id: int | None = None,
    pending: dict[str, Any] | None = None,
) -> Started:
    """A new pending flow; expired ones of the workspace are cleared on the way."""
    now = utcnow()
    session.execute(
        delete(OAuthState).where(OAuthState.workspace_id == workspace_id, OAuthState.expires_at < now)
    )
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64) if pkce else None  # 86 characters of RFC 7636's alphabet
    session.add(
        OAuthState(
            state_digest=digest(state),
            workspace_id=workspace_id,
            user_id=user_id,
            kind=kind,
            source_id=source_id,
            pending=pending or {},
            verifier_sealed=seal(settings.secret_key, verifier) if verifier else None,
            expires_at=now + LIFETIME,
        )
    )
    session.flush()
    return Started(state, challenge(verifier) if verifier else None)


@dataclass(frozen=True)
class Consumed:
    row: OAuthState
    verifier: str | None


def consume(session: Session, settings: Settings, state: str, *, user_id: int | None) -> Consumed:
    """The pending flow ``state`` stands for, deleted as it is read (one caller wins a race: the
    delete of the other finds no row). ``StateRefused`` when unknown, expired or someone else's."""
    row = session.scalar(select(OAuthState).where(OAuthState.state_digest == digest(state)))
    if row is None:
        raise StateRefused("unknown")
    gone = session.execute(delete(OAuthState).where(OAuthState.id == row.id))
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise StateRefused("unknown")
    if user_id is None or row.user_id != user_id:
        raise StateRefused("other_user", row)
    if row.expires_at < utcnow():
        raise StateRefused("expired", row)
    try:
        verifier = unseal(settings.unseal_keys, row.verifier_sealed) if row.verifier_sealed else None
    except SecretUnreadable:
        raise StateRefused("unknown", row) from None
    return Consumed(row, verifier)
