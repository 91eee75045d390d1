"""A workspace where one person, @marie_d, wrote two posts (one thread, one loose post), the team
answered her and noted things about her case, and someone else, @paul, named her."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ecoute.inbox.notes import add_note
from ecoute.ingest import IngestOptions, ingest
from ecoute.store.db import Database
from ecoute.store.models import Mention, Reply, Workspace
from factories import raw_item

SECRET_KEY = "test-secret-key"
HER_WORD = "zorglubette"  # in her posts only: a search for it must find nothing once she is erased
TEAM_WORD = "quintalmoche"  # in the team's reply and note about her


@dataclass
class People:
    her_conversation_id: int
    paul_mention_id: int
    reply_id: int
    note_id: int


def build(db: Database, workspace: Workspace) -> People:
    ingest(
        db,
        workspace,
        [
            raw_item(
                "1", f"Colis perdu {HER_WORD}, @velora répondez", author="Marie_D", author_name="Marie D."
            ),
            raw_item("2", f"Toujours rien {HER_WORD}", author="marie_d", url="https://x.example/marie_d/2"),
            raw_item("3", "Je confirme ce que dit @marie_d, même souci", author="paul"),
        ],
        options=IngestOptions(),
    )
    with db.session() as session:
        mentions = {m.external_id: m for m in session.scalars(select(Mention))}
        her = mentions["1"]
        reply = Reply(
            workspace_id=workspace.id,
            conversation_id=her.conversation_id,
            in_reply_to_id=her.id,
            text=f"Bonjour Marie, {TEAM_WORD}, nous regardons votre commande.",
            status="sent",
            idempotency_key="reply-1",
        )
        session.add(reply)
        session.flush()
        note = add_note(
            session, workspace.id, her.conversation_id, f"Cliente VIP {TEAM_WORD}", user_id=None, actor="test"
        )
        return People(her.conversation_id, mentions["3"].id, reply.id, note.id)
