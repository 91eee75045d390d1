"""Agents' corrections read back as labelled examples for ``ecoute train``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

import inbox_factories
from ecoute.analysis.dataset import parse_labelled
from ecoute.inbox.corrections import corrections_as_examples
from ecoute.inbox.relabel import correct_label
from ecoute.store.models import Mention
from ecoute.store.people import Correction


def first_mention(db, conversation) -> int:
    with db.session() as session:
        query = select(Mention.id).where(Mention.conversation_id == conversation.id).order_by(Mention.id)
        return session.scalars(query).first()


def correct(db, workspace, mention_id, field, value):
    with db.session() as session:
        return correct_label(session, workspace.id, mention_id, field, value, user_id=None, actor="test")


def test_the_latest_correction_of_each_field_wins_and_untouched_labels_stay_empty(db, workspace):
    colis = first_mention(
        db, inbox_factories.conversation(db, workspace, text="Mon colis est perdu", lang="fr")
    )
    merci = first_mention(db, inbox_factories.conversation(db, workspace, text="Thanks a lot", lang="en"))
    correct(db, workspace, colis, "sentiment", "neutral")
    correct(db, workspace, colis, "intent", "question")
    correct(db, workspace, colis, "sentiment", "negative")
    correct(db, workspace, merci, "intent", "praise")

    with db.session() as session:
        examples = corrections_as_examples(session, workspace.id)

    assert examples == [
        {"text": "Mon colis est perdu", "lang": "fr", "sentiment": "negative", "intent": "question"},
        {"text": "Thanks a lot", "lang": "en", "sentiment": None, "intent": "praise"},
    ]
    assert [parse_labelled(e).intent for e in examples] == ["question", "praise"]


def test_the_order_of_corrections_is_their_time_not_their_id(db, workspace):
    mention = first_mention(db, inbox_factories.conversation(db, workspace))
    later = correct(db, workspace, mention, "sentiment", "positive")
    earlier = correct(db, workspace, mention, "sentiment", "neutral")
    with db.session() as session:
        row = session.get(Correction, earlier.id)
        row.created_at = session.get(Correction, later.id).created_at - timedelta(minutes=5)

    with db.session() as session:
        assert corrections_as_examples(session, workspace.id)[0]["sentiment"] == "positive"


def test_another_workspace_s_corrections_are_never_read(db, workspace, other_workspace):
    theirs = first_mention(db, inbox_factories.conversation(db, other_workspace, text="Leur texte"))
    correct(db, other_workspace, theirs, "intent", "complaint")

    with db.session() as session:
        assert corrections_as_examples(session, workspace.id) == []
        assert len(corrections_as_examples(session, other_workspace.id)) == 1
