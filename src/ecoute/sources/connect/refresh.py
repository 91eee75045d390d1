"""Access tokens for platforms that rotate refresh tokens (X: each refresh revokes the refresh
token it used; Bluesky's ``refreshJwt`` likewise): one refresh at a time per source across every
worker process, and the new refresh token sealed into the source's settings in the same
transaction.

``ecoute.sources.oauth_token`` serialises refreshes with a lock per process and keeps tokens in
memory, which is right where the refresh token stays valid (Reddit, Google). With rotation, two
processes refreshing with the same token leave the slower one holding a revoked token, and the
source wrongly "needs reconnecting". Here the source's row is the lock (``UPDATE`` first: a row
lock on PostgreSQL, the write lock on SQLite), held while the platform answers; whoever waited
finds the access token the winner sealed next to the new refresh token, and uses it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select, update

from ecoute.settings import Settings
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import secret
from ecoute.sources.oauth_token import EARLY_REFRESH_S, read_token
from ecoute.store.db import Database
from ecoute.store.models import Source
from ecoute.webhooks.sealing import seal

HELD = "held_access"  # the access token last obtained, sealed as ``held_access_sealed``
HELD_UNTIL = "held_access_expires_at"  # epoch seconds

Refresh = Callable[[str], Mapping[str, Any]]  # a refresh token → the token endpoint's JSON answer


def access_token(
    db: Database,
    workspace_id: int,
    source_id: int,
    refresh: Refresh,
    *,
    settings: Settings,
    now: Callable[[], float] = time.time,
) -> str:
    """The source's access token: the one held while good for a while, else a new one from
    ``refresh`` (called with the row locked). A refusal (``SourceError``, kind ``auth``) stores
    nothing: the source needs reconnecting."""
    with db.session() as session:
        source = _locked(session, workspace_id, source_id)
        values = dict(source.settings or {})
        until = values.get(HELD_UNTIL)
        if (
            values.get(HELD + "_sealed")
            and isinstance(until, int | float)
            and until - EARLY_REFRESH_S > now()
        ):
            return secret(values, HELD, settings)
        answer = refresh(secret(values, "refresh_token", settings))
        access, lifetime = read_token(answer)
        values[HELD + "_sealed"] = seal(settings.secret_key, access)
        values[HELD_UNTIL] = now() + lifetime
        rotated = answer.get("refresh_token")
        if isinstance(rotated, str) and rotated:
            values["refresh_token_sealed"] = seal(settings.secret_key, rotated)
        source.settings = values
        return access


def forget(db: Database, workspace_id: int, source_id: int) -> None:
    """The platform refused the held access token before its time: the next call refreshes."""
    with db.session() as session:
        source = _locked(session, workspace_id, source_id)
        values = dict(source.settings or {})
        values.pop(HELD + "_sealed", None)
        values.pop(HELD_UNTIL, None)
        source.settings = values


def _locked(session: Any, workspace_id: int, source_id: int) -> Source:
    scoped = (Source.workspace_id == workspace_id, Source.id == source_id)
    # A write first: it waits for (and then holds) the row, or SQLite's single writer.
    session.execute(
        update(Source)
        .where(*scoped)
        .values(paused=Source.paused)
        .execution_options(synchronize_session=False)
    )
    source = session.scalar(select(Source).where(*scoped).execution_options(populate_existing=True))
    if source is None:
        raise SourceError(f"no source #{source_id} in this workspace", retriable=False)
    return source
