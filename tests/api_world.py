"""Two workspaces full of triage data, for authorisation and isolation tests.

``acme`` (ours) and ``globex`` (theirs) each get a conversation with a reply, a tag on it, a note,
a correction, a webhook endpoint and an API token per role (``add_rule_and_held_reply`` adds a rule
and a reply waiting for approval). Every text of a workspace carries its marker (``ACME_MARKER`` /
``GLOBEX_MARKER``) so a test can search any body for a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import inbox_factories
from ecoute.auth import api_tokens, invitations, users
from ecoute.inbox import notes, relabel, rule_admin, tags
from ecoute.inbox.rules import validate_spec
from ecoute.respond import approval
from ecoute.respond.outbox import ReplyRequest, submit_reply
from ecoute.store.db import Database
from ecoute.store.models import Mention, User, Workspace
from ecoute.webhooks import endpoints

ACME_MARKER = "zqacmemarker"
GLOBEX_MARKER = "zqglobexmarker"
ROLES = ("owner", "admin", "agent", "viewer")


@dataclass
class Side:
    """One workspace's ids and tokens."""

    workspace: Workspace
    marker: str
    conversation_id: int = 0
    mention_id: int = 0
    reply_mention_id: int = 0
    tag_id: int = 0
    spare_tag_id: int = 0
    note_id: int = 0
    webhook_id: int = 0
    invitation_id: int = 0
    rule_id: int = 0
    pending_reply_id: int = 0
    incident_id: int = 0
    member: User | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class World:
    acme: Side
    globex: Side


def build_side(db: Database, workspace: Workspace, marker: str) -> Side:
    side = Side(workspace=workspace, marker=marker)
    with db.session() as session:  # no password: these people never log in, and hashing is slow
        side.member = users.create_user(session, f"member@{marker}.example", None, name=f"Member {marker}")
        users.add_member(session, workspace.id, side.member.id, "agent")
    conv = inbox_factories.conversation(
        db,
        workspace,
        text=f"Mon colis {marker} est perdu",
        handle=f"client_{marker}",
        replies=[f"Toujours rien {marker}"],
        priority=80,
    )
    side.conversation_id = conv.id
    with db.session() as session:
        mentions = session.query(Mention).filter_by(workspace_id=workspace.id, conversation_id=conv.id)
        first, reply = sorted(mentions, key=lambda m: m.id)
        side.mention_id, side.reply_mention_id = first.id, reply.id
        actor = f"test:{marker}"
        tag = tags.create_tag(session, workspace.id, f"tag-{marker}", "#aa0000", actor=actor)
        spare = tags.create_tag(session, workspace.id, f"spare-{marker}", None, actor=actor)
        side.tag_id, side.spare_tag_id = tag.id, spare.id
        side.note_id = notes.add_note(
            session, workspace.id, conv.id, f"Note {marker}", user_id=side.member.id, actor=actor
        ).id
        relabel.correct_label(
            session, workspace.id, reply.id, "sentiment", "negative", user_id=side.member.id, actor=actor
        )
        side.webhook_id = endpoints.create_endpoint(
            session,
            workspace.id,
            url=f"https://hooks.example/{marker}",
            description=f"hook {marker}",
            secret_key="test-secret-key",
            actor=actor,
        )[1].id
        side.invitation_id = invitations.create_invitation(
            session, workspace.id, f"invited@{marker}.example", "viewer", invited_by_id=None
        )[1].id
        for role in ROLES:
            token, row = api_tokens.create_token(session, workspace.id, name=f"{role} {marker}", role=role)
            side.tokens[role], side.token_ids[role] = token, row.id
    return side


def add_rule_and_held_reply(db: Database, side: Side) -> None:
    """A rule, and an agent's reply waiting for approval (for the calls that name them)."""
    workspace_id, marker, actor = side.workspace.id, side.marker, f"test:{side.marker}"
    rule = {
        "name": f"Colis {marker}",
        "conditions": {"keywords": "colis"},
        "actions": [{"type": "tag", "tag": f"tag-{marker}"}],
    }
    with db.session() as session:
        side.rule_id = rule_admin.create_rule(session, workspace_id, validate_spec(rule), actor=actor).id
        approval.set_approval_roles(session, session.get(Workspace, workspace_id), ["agent"], actor=actor)
    request = ReplyRequest(text=f"Nous regardons votre colis {marker}", submission=f"held-{marker}")
    conversation_id = side.conversation_id
    held = submit_reply(db, workspace_id, conversation_id, request, role="agent", user_id=None, actor=actor)
    side.pending_reply_id = held.reply.id
    with db.session() as session:  # back to the default: nobody's replies wait
        approval.set_approval_roles(session, session.get(Workspace, workspace_id), [], actor=actor)


def build_world(db: Database, acme: Workspace, globex: Workspace) -> World:
    return World(acme=build_side(db, acme, ACME_MARKER), globex=build_side(db, globex, GLOBEX_MARKER))
