"""Managing a workspace's people: invite, change a role, remove, and accept an invitation, each
audited with before/after. Role changes respect ``may_grant``: an admin manages agents, viewers
and other admins; only an owner touches owners; the last owner can never be demoted or removed.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.auth import invitations, users
from ecoute.auth.permissions import ROLES, may_grant
from ecoute.store.models import Membership, User
from ecoute.store.people import Invitation
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)


class NotAllowed(PermissionError):
    """The acting role may not grant (or take away) this role."""


def _membership(session: Session, workspace_id: int, user_id: int) -> tuple[Membership, User]:
    found = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).first()
    if found is None:
        raise NotFound(f"no member #{user_id} in this workspace")
    return found[0], found[1]


def _owners(session: Session, workspace_id: int) -> int:
    query = select(func.count()).where(Membership.workspace_id == workspace_id, Membership.role == "owner")
    return session.scalar(query) or 0


def _check_grant(granter_role: str, role: str) -> None:
    if role not in ROLES:
        raise Invalid(f"role {role!r}: use one of {', '.join(ROLES)}")
    if not may_grant(granter_role, role):
        raise NotAllowed(f"your role ({granter_role}) may not grant or take away the role {role}")


def invite(
    session: Session,
    workspace_id: int,
    email: str,
    role: str,
    *,
    granter_role: str,
    invited_by_id: int | None,
    actor: str,
) -> tuple[str, Invitation]:
    """Returns the link token (show it once) and the invitation."""
    _check_grant(granter_role, role)
    token, row = invitations.create_invitation(
        session, workspace_id, email, role, invited_by_id=invited_by_id
    )
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="member.invite",
        target_type="invitation",
        target_id=row.id,
        after={"email": row.email, "role": role},
    )
    return token, row


def revoke_invitation(session: Session, workspace_id: int, invitation_id: int, *, actor: str) -> None:
    row = session.scalar(
        select(Invitation).where(Invitation.workspace_id == workspace_id, Invitation.id == invitation_id)
    )
    if row is None or row.accepted_at is not None:
        raise NotFound(f"no pending invitation #{invitation_id} in this workspace")
    invitations.revoke_invitation(session, workspace_id, invitation_id)
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="invitation.revoke",
        target_type="invitation",
        target_id=invitation_id,
        before={"email": row.email, "role": row.role},
    )


def change_role(
    session: Session, workspace_id: int, user_id: int, role: str, *, granter_role: str, actor: str
) -> Membership:
    membership, user = _membership(session, workspace_id, user_id)
    _check_grant(granter_role, membership.role)
    _check_grant(granter_role, role)
    if membership.role == "owner" and role != "owner" and _owners(session, workspace_id) == 1:
        raise Invalid("the workspace needs an owner: make someone else owner first")
    if membership.role != role:
        record_audit(
            session,
            workspace_id,
            actor=actor,
            action="member.role_change",
            target_type="user",
            target_id=user.id,
            before={"email": user.email, "role": membership.role},
            after={"email": user.email, "role": role},
        )
        membership.role = role
    logger.info("member.role_changed", extra={"workspace_id": workspace_id, "user_id": user_id})
    return membership


def remove(session: Session, workspace_id: int, user_id: int, *, granter_role: str, actor: str) -> None:
    membership, user = _membership(session, workspace_id, user_id)
    _check_grant(granter_role, membership.role)
    if membership.role == "owner" and _owners(session, workspace_id) == 1:
        raise Invalid("the workspace needs an owner: make someone else owner first")
    record_audit(
        session,
        workspace_id,
        actor=actor,
        action="member.remove",
        target_type="user",
        target_id=user.id,
        before={"email": user.email, "role": membership.role},
    )
    users.remove_member(session, workspace_id, user_id)
    logger.info("member.removed", extra={"workspace_id": workspace_id, "user_id": user_id})


def accept(session: Session, token: str, user: User) -> Membership:
    """The invitation's role for ``user`` (kept if they already have a higher one); audited."""
    row = invitations.find_invitation(session, token)
    if row is None:
        raise NotFound("this invitation is unknown, already used or expired")
    workspace_id, role = row.workspace_id, row.role
    before = users.get_role(session, workspace_id, user.id)
    if before is not None and ROLES.index(before) <= ROLES.index(role):  # ROLES: highest first
        row.accepted_at, row.accepted_by_id = utcnow(), user.id  # used: a lower role is no gift
        membership, _ = _membership(session, workspace_id, user.id)
        return membership
    membership = invitations.accept_invitation(session, token, user)
    record_audit(
        session,
        workspace_id,
        actor=f"user:{user.id}:{user.email}",
        action="invitation.accept",
        target_type="user",
        target_id=user.id,
        before={"role": before},
        after={"email": user.email, "role": role},
    )
    return membership
