"""Users and their memberships: who is in which workspace, with which role."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.passwords import hash_password, needs_rehash, verify_password
from ecoute.auth.permissions import ROLES
from ecoute.store.models import Membership, User, Workspace
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
LOCALES = ("fr", "en")


@dataclass(frozen=True)
class WorkspaceRole:
    workspace: Workspace
    role: str


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 320:
        raise Invalid(f"{email!r} is not an e-mail address")
    return email


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session, email: str, password: str | None, *, name: str = "", locale: str | None = None
) -> User:
    email = normalise_email(email)
    if get_user_by_email(session, email) is not None:
        raise Invalid(f"a user with e-mail {email!r} already exists")
    if locale is not None and locale not in LOCALES:
        raise Invalid(f"locale {locale!r}: use one of {', '.join(LOCALES)}")
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        locale=locale,
    )
    session.add(user)
    session.flush()
    logger.info("user.created", extra={"user_id": user.id})
    return user


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def set_locale(session: Session, user: User, locale: str | None) -> None:
    if locale is not None and locale not in LOCALES:
        raise Invalid(f"locale {locale!r}: use one of {', '.join(LOCALES)}")
    user.locale = locale


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with these credentials, or None (same answer for unknown e-mail and bad password)."""
    user = get_user_by_email(session, email)
    if user is None or user.disabled_at is not None:
        verify_password(None, password)
        logger.info("auth.login_failed", extra={"reason": "unknown_or_disabled"})
        return None
    if not verify_password(user.password_hash, password):
        logger.info("auth.login_failed", extra={"reason": "bad_password", "user_id": user.id})
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    logger.info("auth.login", extra={"user_id": user.id})
    return user


# --- memberships ----------------------------------------------------------------------------


def get_role(session: Session, workspace_id: int, user_id: int) -> str | None:
    """The user's role in the workspace, or None when they are not a member."""
    return session.scalar(
        select(Membership.role).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )


def add_member(session: Session, workspace_id: int, user_id: int, role: str) -> Membership:
    """Add the user to the workspace, or change their role if they already belong to it."""
    if role not in ROLES:
        raise Invalid(f"role {role!r}: use one of {', '.join(ROLES)}")
    membership = session.scalar(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )
    if membership is None:
        membership = Membership(workspace_id=workspace_id, user_id=user_id, role=role)
        session.add(membership)
    membership.role = role
    session.flush()
    return membership


def remove_member(session: Session, workspace_id: int, user_id: int) -> None:
    membership = session.scalar(
        select(Membership).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFound("no such member in this workspace")
    session.delete(membership)


def list_members(session: Session, workspace_id: int) -> list[tuple[User, str]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.name, User.id)
    )
    return [(user, role) for user, role in rows]


def user_workspaces(session: Session, user_id: int) -> list[WorkspaceRole]:
    """The workspaces the user belongs to, by name, with their role in each."""
    rows = session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name, Workspace.id)
    )
    return [WorkspaceRole(workspace, role) for workspace, role in rows]
