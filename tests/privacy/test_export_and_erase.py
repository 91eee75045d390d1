"""A person's data exported as JSON, then erased: nothing that names them or that they wrote is
left in any table, the search index finds nothing, and the erasure is audited under a pseudonym."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

import db_dump
from ecoute.privacy.erase import ERASED, erase_person, scrub_free_pages
from ecoute.privacy.export import export_person
from ecoute.privacy.person import find_person
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import AuditEvent, Author, Mention, Workspace
from privacy.people_world import HER_WORD, SECRET_KEY, TEAM_WORD, build


def _export(db, workspace, handle="@marie_d", platform=None):
    with db.session() as session:
        person = find_person(session, workspace.id, handle, platform)
        return export_person(session, session.get(Workspace, workspace.id), person)


def _erase(db, workspace):
    with db.session() as session:
        person = find_person(session, workspace.id, "marie_d")
        report = erase_person(session, workspace.id, person, secret_key=SECRET_KEY, actor="user:1:dpo@acme")
    scrub_free_pages(db)
    return report


def test_the_export_holds_her_posts_the_replies_to_her_and_the_notes_about_her(db, workspace):
    people = build(db, workspace)

    document = _export(db, workspace)

    assert document["person"] == {"handle": "marie_d", "platform": None}
    assert [a["display_name"] for a in document["authors"]] == ["Marie D."]
    assert [m["text"].split()[0] for m in document["mentions"]] == ["Colis", "Toujours"]
    assert document["mentions"][1]["url"] == "https://x.example/marie_d/2"
    assert "paul" not in json.dumps(document)  # someone else's post is someone else's data
    assert [r["id"] for r in document["replies_to_them"]] == [people.reply_id]
    assert [n["id"] for n in document["notes_about_them"]] == [people.note_id]
    assert json.loads(json.dumps(document)) == document  # plain JSON


def test_an_unknown_person_is_a_clear_error(db, workspace):
    build(db, workspace)

    with pytest.raises(repo.NotFound, match="no author @nobody on x in this workspace"):
        _export(db, workspace, "nobody", "x")


def test_erasing_leaves_nothing_of_her_anywhere_and_search_finds_nothing(db, workspace):
    people = build(db, workspace)

    report = _erase(db, workspace)
    everything = db_dump.everything(db).lower()
    with db.session() as session:
        found = repo.search_mentions(session, workspace.id, HER_WORD)
        paul = session.get(Mention, people.paul_mention_id)
        author = session.scalar(select(Author).where(Author.handle == report.pseudonym))

    assert found == []
    for trace in ("marie_d", "marie d.", HER_WORD, TEAM_WORD, "x.example/marie_d"):
        assert trace not in everything, trace
    assert paul.text == f"Je confirme ce que dit @{report.pseudonym}, même souci"
    assert author is not None and author.display_name is None and author.followers is None
    assert (report.mentions, report.replies, report.notes, report.handle_replaced_in) == (2, 1, 1, 1)


def test_her_mentions_keep_their_labels_for_the_figures(db, workspace):
    build(db, workspace)
    with db.session() as session:
        before = sorted(
            (m.created_at, m.kind)
            for m in session.scalars(select(Mention).where(Mention.text.contains(HER_WORD)))
        )

    _erase(db, workspace)
    with db.session() as session:
        after = sorted(
            (m.created_at, m.kind) for m in session.scalars(select(Mention).where(Mention.text == ERASED))
        )

    assert after == before


def test_the_erasure_is_audited_under_the_pseudonym_never_the_handle(db, workspace):
    build(db, workspace)

    report = _erase(db, workspace)
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))

    assert event.actor == "user:1:dpo@acme"
    assert (event.target_type, event.target_id) == ("person", report.pseudonym)
    assert event.after["mentions"] == 2


def test_on_sqlite_her_words_are_gone_from_the_files_themselves(tmp_path):
    path = tmp_path / "raw.db"
    db = Database.open(f"sqlite:///{path}")
    with db.session() as session:
        workspace = repo.create_workspace(session, "acme", "Acme")
    build(db, workspace)

    _erase(db, workspace)
    db.dispose()
    files = b"".join(Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists())

    assert HER_WORD.encode() not in files
    assert TEAM_WORD.encode() not in files


def test_erasing_drops_the_topic_vectors_made_from_her_posts_and_from_posts_naming_her(db, workspace):
    from ecoute.topics.models import MentionVector
    from ecoute.topics.workspace import ensure_vectors

    people = build(db, workspace)
    with db.session() as session:
        ensure_vectors(session, workspace.id, lambda texts: [[len(text), 1.0] for text in texts])
        person = find_person(session, workspace.id, "marie_d")
        hers, everyone = set(person.mention_ids), set(session.scalars(select(MentionVector.mention_id)))

    _erase(db, workspace)

    with db.session() as session:
        left = set(session.scalars(select(MentionVector.mention_id)))
    assert hers | {people.paul_mention_id} == everyone
    assert not left  # @paul's post named her: its vector goes too, re-made from its new text later
