"""Mentions about a few subjects and an embedder that tells them apart, for topic tests: vectors
that say which subject a text is about (its first word), with some spread."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

import inbox_factories
from ecoute.store.models import Mention

SUBJECTS = {"livraison": 0, "remboursement": 1, "application": 2}


class Embedder:
    """Vectors that say which subject a text is about (its first word), with some spread; counts
    the texts it was asked for, to show that nothing is embedded twice."""

    def __init__(self) -> None:
        self.centres = np.random.default_rng(0).normal(size=(len(SUBJECTS), 48))
        self.calls = 0

    def __call__(self, texts):
        self.calls += len(texts)
        rows = []
        for text in texts:
            word, number = text.split()[0], int(text.split()[-1])
            noise = np.random.default_rng(number).normal(size=48)
            rows.append(self.centres[SUBJECTS[word]] + 0.3 * noise)
        return np.array(rows)


def add_mentions(db, workspace, subject: str, count: int, start: int = 0) -> list[int]:
    ids = []
    for number in range(start, start + count):
        conversation = inbox_factories.conversation(db, workspace, text=f"{subject} souci numéro {number}")
        with db.session() as session:
            ids.append(session.scalar(select(Mention.id).where(Mention.conversation_id == conversation.id)))
    return ids
