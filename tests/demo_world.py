"""The demo workspace as a team would have it after a morning's work: the demo mentions (with the
analysis) and the replies the demo team sent before today, as `ecoute demo` loads them, then three
more colleagues, a few tags, some conversations assigned and tagged, a note."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ecoute import demo
from ecoute.auth import users
from ecoute.cli.ingest import run_ingest
from ecoute.demo import replies as demo_replies
from ecoute.inbox import batch, notes
from ecoute.inbox.tags import create_tag
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Author, Conversation, Workspace
from ecoute.web.demo_login import ensure_demo_login

PASSWORD = "correct horse battery staple"  # the team's (fictional) password
TEAM = (
    ("marie@cyclune.example", "Marie Dubois", "agent"),
    ("karim@cyclune.example", "Karim Benali", "agent"),
    ("lea@cyclune.example", "Léa Martin", "admin"),
)
TAGS = ("batterie", "livraison", "panne-verrou", "presse", "usurpation")


@dataclass(frozen=True)
class World:
    workspace: Workspace
    owner_email: str
    owner_password: str
    team: dict[str, int]  # e-mail -> user id


def load_demo(db: Database, *, analysis: bool = True) -> Workspace:
    setup = demo.setup_workspace(db)
    run_ingest(
        db,
        setup.workspace,
        demo.demo_items(),
        source=None,
        label="demo",
        total=demo.count(),
        analysis=analysis,
    )
    demo_replies.load_history(db, setup.workspace)
    return setup.workspace


def demo_workspace(db: Database) -> Workspace:
    with db.session() as session:
        return repo.require_workspace(session, demo.load_config()["workspace"]["slug"])


def build(db: Database, *, analysis: bool = True) -> World:
    return staff(db, load_demo(db, analysis=analysis))


def staff(db: Database, workspace: Workspace) -> World:
    """Add the team, the tags and a morning's triage to a workspace holding the demo mentions."""
    email, password = ensure_demo_login(db, workspace)
    team: dict[str, int] = {}
    with db.session() as session:
        for address, name, role in TEAM:
            user = users.get_user_by_email(session, address) or users.create_user(
                session, address, PASSWORD, name=name
            )
            users.add_member(session, workspace.id, user.id, role)
            team[address] = user.id
        for name in TAGS:
            create_tag(session, workspace.id, name, None, actor="system:demo")
        owner = users.get_user_by_email(session, email)
        assert owner is not None
        _triage(session, workspace.id, team, owner.id)
    return World(workspace, email, password, team)


def _triage(session, workspace_id: int, team: dict[str, int], owner_id: int) -> None:  # type: ignore[no-untyped-def]
    """Yesterday's work: the top conversations shared out, tagged, one with a note."""
    top = list(
        session.execute(
            select(Conversation.id, Author.handle, Conversation.platform)
            .outerjoin(Author, Author.id == Conversation.author_id)
            .where(Conversation.workspace_id == workspace_id)
            .order_by(Conversation.priority.desc(), Conversation.last_mention_at.desc())
            .limit(14)
        )
    )
    marie, karim = team["marie@cyclune.example"], team["karim@cyclune.example"]
    for index, (conversation_id, _handle, platform) in enumerate(top):
        if index in (9, 12):
            batch.change_one(session, workspace_id, conversation_id, "assign", owner_id, actor="system:demo")
        elif index % 3 == 1:
            batch.change_one(session, workspace_id, conversation_id, "assign", marie, actor="system:demo")
        elif index % 3 == 2:
            batch.change_one(session, workspace_id, conversation_id, "assign", karim, actor="system:demo")
        if index in (1, 4):
            batch.change_one(session, workspace_id, conversation_id, "status", "open", actor="system:demo")
        if index == 6:
            batch.change_one(session, workspace_id, conversation_id, "status", "pending", actor="system:demo")
        if platform in ("youtube", "rss"):
            batch.change_one(session, workspace_id, conversation_id, "tag", "presse", actor="system:demo")
        if index in (0, 3, 5):
            batch.change_one(
                session, workspace_id, conversation_id, "tag", "panne-verrou", actor="system:demo"
            )
    if top:
        notes.add_note(
            session,
            workspace_id,
            top[1][0],
            "J’ai appelé l’atelier de Lyon : code de secours envoyé par SMS. Je relance demain matin.",
            user_id=marie,
            actor="system:demo",
        )
