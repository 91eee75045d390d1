"""Agents' label corrections as training data: what ``ecoute train --workspace`` learns from.

Agents record corrections through ``ecoute.inbox.relabel.correct_label``; here they are read back
as labelled examples in the shape of a line of a labelled JSONL file (``text``, ``lang``,
``sentiment``, ``intent``), which ``ecoute.analysis.dataset.parse_labelled`` turns into a
``LabelledExample``. A label an agent never touched stays ``None``: the model's own guess is not
a human label and must not be learnt back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.inbox.relabel import LABELS
from ecoute.store.models import Mention
from ecoute.store.people import Correction


def corrections_as_examples(session: Session, workspace_id: int) -> list[dict[str, Any]]:
    """One example per corrected mention, oldest mention first; for each field the latest
    correction wins (an agent who changes their mind is taken at their last word)."""
    rank = (
        func.row_number()
        .over(
            partition_by=(Correction.mention_id, Correction.field),
            order_by=(Correction.created_at.desc(), Correction.id.desc()),
        )
        .label("rank")
    )
    latest = (
        select(Correction.mention_id, Correction.field, Correction.new_value, rank)
        .where(Correction.workspace_id == workspace_id)
        .subquery()
    )
    rows = session.execute(
        select(Mention.id, Mention.text, Mention.lang, Mention.language, latest.c.field, latest.c.new_value)
        .join(latest, latest.c.mention_id == Mention.id)
        .where(Mention.workspace_id == workspace_id, latest.c.rank == 1)
        .order_by(Mention.id, latest.c.field)
    )
    examples: dict[int, dict[str, Any]] = {}
    for mention_id, text, lang, language, field, value in rows:
        if value not in LABELS.get(field, ()):
            continue  # refused when recorded; skip anything written around that check
        example = examples.setdefault(
            mention_id, {"text": text, "lang": lang or language, "sentiment": None, "intent": None}
        )
        example[field] = value
    return list(examples.values())
