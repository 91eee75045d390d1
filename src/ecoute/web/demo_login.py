"""A login for the demo workspace, so ``ecoute demo`` can print one that works."""

from __future__ import annotations

from ecoute.auth import users
from ecoute.digests.send import preference, set_preference
from ecoute.store.db import Database
from ecoute.store.models import Workspace

DEMO_EMAIL = "demo@ecoute.example"
DEMO_PASSWORD = "ecoute-demo"  # the demo is local and its data fictional; printed on purpose


def ensure_demo_login(db: Database, workspace: Workspace) -> tuple[str, str]:
    """Create (or reset) the demo user as owner of ``workspace``; returns (email, password)."""
    with db.session() as session:
        user = users.get_user_by_email(session, DEMO_EMAIL)
        if user is None:
            user = users.create_user(session, DEMO_EMAIL, DEMO_PASSWORD, name="Démo")
        else:
            users.set_password(session, user, DEMO_PASSWORD)
        users.add_member(session, workspace.id, user.id, "owner")
    return DEMO_EMAIL, DEMO_PASSWORD


def ensure_demo_digest(db: Database, workspace: Workspace) -> None:
    """The demo login gets the weekly digest (Monday, 08:00), unless it chose otherwise already,
    so its digest page shows one ready to preview. Nothing is sent without an SMTP server."""
    with db.session() as session:
        user = users.get_user_by_email(session, DEMO_EMAIL)
        if user is None or preference(session, workspace.id, user.id).frequency != "off":
            return
        set_preference(session, workspace.id, user.id, "weekly", 8, 0)
