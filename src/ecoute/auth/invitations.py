"""Invitations: a one-time link that makes whoever opens it (logged in) a member with a role."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.digests import digest, new_token
from ecoute.auth.permissions import ROLES
from ecoute.auth.users import add_member, normalise_email
from ecoute.store.models import Membership, User
from ecoute.store.people import Invitation
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
DEFAULT_TTL = timedelta(days=7)


def create_invitation(
    session: Session,
    workspace_id: int,
    email: str,
    role: str,
    *,
    invited_by_id: int | None,
    ttl: timedelta = DEFAULT_TTL,
) -> tuple[str, Invitation]:
    """Returns the token for the link (shown once) and the stored invitation."""
    if role not in ROLES:
        raise Invalid(f"role {role!r}: use one of {', '.join(ROLES)}")
    token = new_token()
    row = Invitation(
        workspace_id=workspace_id,
        email=normalise_email(email),
        role=role,
        token_hash=digest(token),
        invited_by_id=invited_by_id,
        expires_at=utcnow() + ttl,
    )
    session.add(row)
    session.flush()
    logger.info("invitation.created", extra={"workspace_id": workspace_id, "invitation_id": row.id})
    return token, row


def find_invitation(session: Session, token: str) -> Invitation | None:
    """The pending invitation for a link token, or None (unknown, used, revoked or expired)."""
    row = session.scalar(select(Invitation).where(Invitation.token_hash == digest(token)))
    if row is None or row.accepted_at or row.revoked_at or row.expires_at <= utcnow():
        return None
    return row


def accept_invitation(session: Session, token: str, user: User) -> Membership:
    row = find_invitation(session, token)
    if row is None:
        raise NotFound("this invitation is unknown, already used or expired")
    membership = add_member(session, row.workspace_id, user.id, row.role)
    row.accepted_at = utcnow()
    row.accepted_by_id = user.id
    logger.info("invitation.accepted", extra={"workspace_id": row.workspace_id, "user_id": user.id})
    return membership


def list_invitations(session: Session, workspace_id: int) -> list[Invitation]:
    query = (
        select(Invitation)
        .where(Invitation.workspace_id == workspace_id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc())
    )
    return list(session.scalars(query))


def revoke_invitation(session: Session, workspace_id: int, invitation_id: int) -> None:
    row = session.scalar(
        select(Invitation).where(Invitation.workspace_id == workspace_id, Invitation.id == invitation_id)
    )
    if row is None:
        raise NotFound(f"no invitation #{invitation_id} in this workspace")
    row.revoked_at = row.revoked_at or utcnow()
