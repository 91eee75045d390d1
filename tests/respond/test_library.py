"""Saved replies and knowledge snippets in the database, per workspace and language."""

from __future__ import annotations

import pytest

from ecoute.respond.library import knowledge, save_reply, saved_replies
from ecoute.respond.snippets import SnippetError
from ecoute.store.respond_models import KnowledgeSnippet


def test_saved_replies_and_knowledge_are_scoped_to_their_workspace(db, workspace, other_workspace):
    with db.session() as session:
        save_reply(session, workspace.id, lang="fr", name="retard", body="Bonjour {first_name}, désolés !")
        save_reply(session, other_workspace.id, lang="fr", name="retard", body="Hello {first_name}")
        session.add_all(
            [
                KnowledgeSnippet(
                    workspace_id=workspace.id,
                    lang="fr",
                    title="Horaires",
                    keywords=["heure"],
                    answer="De 10 h à 19 h.",
                ),
                KnowledgeSnippet(
                    workspace_id=workspace.id, lang=None, title="Téléphone", answer="+33 4 00 00 00 00"
                ),
                KnowledgeSnippet(
                    workspace_id=workspace.id, lang="en", title="Hours", answer="10 am to 7 pm."
                ),
                KnowledgeSnippet(
                    workspace_id=other_workspace.id, lang="fr", title="Secret", answer="Autre client."
                ),
            ]
        )

    with db.session() as session:
        mine = saved_replies(session, workspace.id, lang="fr")
        items = knowledge(session, workspace.id, lang="fr")

    assert [(r.name, r.body) for r in mine] == [("retard", "Bonjour {first_name}, désolés !")]
    assert [(i.title, i.keywords) for i in items] == [("Horaires", ("heure",)), ("Téléphone", ())]


def test_a_saved_reply_with_an_unknown_variable_is_not_stored(db, workspace):
    with db.session() as session, pytest.raises(SnippetError, match=r"\{prenom\}"):
        save_reply(session, workspace.id, lang="fr", name="oups", body="Bonjour {prenom}")

    with db.session() as session:
        assert saved_replies(session, workspace.id) == []
