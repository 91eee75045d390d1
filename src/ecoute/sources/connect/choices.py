"""The choice some platforms leave after consent: Meta hands a token for the person, who may
manage several Pages, each with its own token; the admin picks the one the source is for.

What was listed (ids, names, and each Page's token) is sealed in ``oauth_choices``, bound to the
person and the workspace (one pending choice each: a newer flow replaces it), for ten minutes, and
deleted when used. The browser is never given a token or the list: the choice page reads it for
whoever is signed in, and the form sends back only the id picked.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ecoute.settings import Settings
from ecoute.sources.connect.models import OAuthChoice
from ecoute.sources.connect.states import LIFETIME
from ecoute.store.types import utcnow
from ecoute.webhooks.sealing import SecretUnreadable, seal, unseal


@dataclass(frozen=True)
class Choice:
    """One account the admin may pick: ``values`` are the source's settings it gives (a token
    among them, sealed when the source is saved); ``missing`` names what the account lacks for
    replying (Meta's Page tasks), said next to it."""

    id: str
    label: str
    handle: str = ""  # "@username" where the platform has one
    missing: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)


class ChoiceRefused(Exception):
    """``reason``: ``none`` (nothing pending for this person here, or already used) or ``expired``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Held:
    kind: str
    source_id: int | None
    pending: dict[str, Any]
    choices: list[Choice]

    def get(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


def keep(
    session: Session,
    settings: Settings,
    *,
    workspace_id: int,
    user_id: int,
    kind: str,
    source_id: int | None,
    pending: dict[str, Any],
    choices: list[Choice],
) -> None:
    """Hold ``choices`` for this person in this workspace (replacing one they left pending)."""
    now = utcnow()
    session.execute(
        delete(OAuthChoice).where(
            OAuthChoice.workspace_id == workspace_id,
            (OAuthChoice.user_id == user_id) | (OAuthChoice.expires_at < now),
        )
    )
    sealed = seal(settings.secret_key, json.dumps([asdict(c) for c in choices]))
    session.add(
        OAuthChoice(
            workspace_id=workspace_id,
            user_id=user_id,
            kind=kind,
            source_id=source_id,
            pending=pending,
            choices_sealed=sealed,
            expires_at=now + LIFETIME,
        )
    )
    session.flush()


def read(session: Session, settings: Settings, *, workspace_id: int, user_id: int) -> Held:
    """This person's pending choice here, left in place (the choice page shows it)."""
    return _held(session, settings, _row(session, workspace_id, user_id))


def take(session: Session, settings: Settings, *, workspace_id: int, user_id: int) -> Held:
    """This person's pending choice here, deleted as it is read (one caller wins a race)."""
    row = _row(session, workspace_id, user_id)
    gone = session.execute(delete(OAuthChoice).where(OAuthChoice.id == row.id))
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise ChoiceRefused("none")
    return _held(session, settings, row)


def _row(session: Session, workspace_id: int, user_id: int) -> OAuthChoice:
    row = session.scalar(
        select(OAuthChoice).where(OAuthChoice.workspace_id == workspace_id, OAuthChoice.user_id == user_id)
    )
    if row is None:
        raise ChoiceRefused("none")
    if row.expires_at < utcnow():
        session.execute(delete(OAuthChoice).where(OAuthChoice.id == row.id))
        raise ChoiceRefused("expired")
    return row


def _held(session: Session, settings: Settings, row: OAuthChoice) -> Held:
    try:
        listed = json.loads(unseal(settings.unseal_keys, row.choices_sealed))
    except (SecretUnreadable, ValueError):
        raise ChoiceRefused("none") from None
    choices = [Choice(c["id"], c["label"], c["handle"], tuple(c["missing"]), c["values"]) for c in listed]
    return Held(row.kind, row.source_id, dict(row.pending or {}), choices)
