"""An outage as the incidents see it: a spike alert over a few customers' complaints (French and
English, one with a first name), a calm conversation outside the episode, and an impersonator that
answered two customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

import inbox_factories
from ecoute.store.db import Database
from ecoute.store.models import Author, Brand, Mention, Workspace
from ecoute.warn.models import Alert
from factories import BASE_TIME

START = BASE_TIME + timedelta(hours=2)


@dataclass(frozen=True)
class Outage:
    alert_id: int
    impersonation_id: int
    inside: list[int]  # conversations of the episode
    calm: int  # a conversation outside it
    contacted: list[int]  # conversations the impersonator answered


def _at(db: Database, conversation_id: int, minutes: int, display_name: str | None = None) -> None:
    with db.session() as session:
        for mention in session.scalars(select(Mention).where(Mention.conversation_id == conversation_id)):
            mention.created_at = START + timedelta(minutes=minutes)
            if display_name:
                session.get(Author, mention.author_id).display_name = display_name


def outage(db: Database, workspace: Workspace) -> Outage:
    texts = [
        ("fr", "Claire Martin", "Mon vélo ne se déverrouille plus depuis ce matin, l'appli plante !"),
        ("fr", None, "Impossible d'ouvrir le cadenas, je suis bloqué au boulot"),
        ("en", "Tom Baker", "My bike lock will not open, the app keeps crashing"),
    ]
    inside = []
    for n, (lang, name, text) in enumerate(texts):
        conv = inbox_factories.conversation(db, workspace, text=text, lang=lang, handle=f"rider{n}")
        _at(db, conv.id, 10 * n, name)
        inside.append(conv.id)
    calm = inbox_factories.conversation(
        db, workspace, text="Livré à l'heure, merci", sentiment="positive", intent="praise", handle="calm"
    )
    _at(db, calm.id, -600)
    contacted = []
    with db.session() as session:
        session.add(Brand(workspace_id=workspace.id, name="Cyclune", query="cyclune", handles=["cyclune_fr"]))
        fake = Author(
            workspace_id=workspace.id, platform="x", handle="cyclune_sav", display_name="Cyclune SAV"
        )
        session.add(fake)
        session.flush()
        fake_id = fake.id
    for n in range(2):
        conv = inbox_factories.conversation(
            db, workspace, text="Cyclune mon vélo est en panne", handle=f"victim{n}"
        )
        _at(db, conv.id, 200 + n)
        contacted.append(conv.id)
        with db.session() as session:
            parent = session.scalar(select(Mention).where(Mention.conversation_id == conv.id))
            session.add(
                Mention(
                    workspace_id=workspace.id,
                    conversation_id=conv.id,
                    author_id=fake_id,
                    platform="x",
                    external_id=f"fake-{n}",
                    parent_external_id=parent.external_id,
                    text="Envoyez-nous votre code en DM",
                    created_at=START + timedelta(minutes=205),
                    raw={},
                )
            )
    with db.session() as session:
        spike = Alert(
            workspace_id=workspace.id,
            kind="volume",
            started_at=START,
            peak_at=START,
            ended_at=START + timedelta(minutes=30),
            observed=3,
            expected=0.2,
            peak_z=8.0,
        )
        impersonation = Alert(
            workspace_id=workspace.id,
            kind="impersonation",
            subject="x:cyclune_sav",
            started_at=START + timedelta(minutes=205),
            peak_at=START + timedelta(minutes=205),
            observed=2,
            expected=0,
            peak_z=0.9,
            details={
                "author_id": fake_id,
                "handle": "cyclune_sav",
                "brand": "Cyclune",
                "display_name": "Cyclune SAV",
                "score": 0.9,
                "reasons": {"en": ["looks like Cyclune"], "fr": ["imite Cyclune"]},
                "contacted": ["victim0", "victim1"],
            },
        )
        session.add_all([spike, impersonation])
        session.flush()
        return Outage(spike.id, impersonation.id, inside, calm.id, contacted)
