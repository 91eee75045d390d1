"""Google reviews end to end on a real database: polled through the one ingest path with their
stars, a reply already given on Google recorded on its conversation, edits and deletions reaching
the stored mentions, failures on the source's health, and a reply from the desk put once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import reply_factories as rf
from ecoute.polling import poll_source
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Conversation, Mention, Reply, Source
from ecoute.store.repo import Invalid
from ecoute.store.revisions import is_deleted
from fake_google_reviews import (
    ACCESS_TOKEN,
    FakeGoogleReviews,
    fixture,
    running_google_reviews,
    source_settings,
)

R = "AbFvOqmLumiereR"


@pytest.fixture
def server() -> Iterator[FakeGoogleReviews]:
    with running_google_reviews() as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, **extra) -> Source:
    settings = seal_secrets(source_settings(server, **extra))
    with db.session() as session:
        return repo.ensure_source(
            session, workspace.id, "gbp", kind="google_reviews", platform="google_reviews", settings=settings
        )


def poll(db, workspace):
    with db.session() as session:
        source = session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.name == "gbp")
        )
    return poll_source(db, workspace, source)


def stored(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def replies(db, workspace) -> list[Reply]:
    with db.session() as session:
        return list(
            session.scalars(select(Reply).where(Reply.workspace_id == workspace.id).order_by(Reply.id))
        )


def audit(db, workspace) -> list[AuditEvent]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.workspace_id == workspace.id).order_by(AuditEvent.id)
            )
        )


def test_reviews_are_stored_with_their_stars_and_a_google_reply_answers_its_conversation(
    db, workspace, server
):
    add_source(db, workspace, server)

    first = poll(db, workspace)
    again = poll(db, workspace)

    mentions = stored(db, workspace)
    assert (first.stored, again.stored) == (5, 0)
    assert {k: m.rating for k, m in mentions.items()} == {
        f"{R}1": 2.0,
        f"{R}2": 5.0,
        f"{R}3": 4.0,
        f"{R}4": 1.0,
        f"{R}5": 3.0,
    }
    assert len({m.conversation_id for m in mentions.values()}) == 5  # one conversation per review
    [heard] = replies(db, workspace)  # recorded once, though the second poll saw it again
    answered = mentions[f"{R}4"]
    assert (heard.status, heard.in_reply_to_id, heard.author_user_id) == ("recorded", answered.id, None)
    assert heard.text.startswith("Bonjour Léa")
    with db.session() as session:
        conversation = session.get(Conversation, answered.conversation_id)
        assert (conversation.needs_reply, conversation.status) == (False, "pending")
    assert [e.action for e in audit(db, workspace)] == ["conversation.answered", "reply.heard_on_platform"]


def test_an_edit_updates_the_text_and_the_stars_and_a_removed_review_is_hidden(db, workspace, server):
    add_source(db, workspace, server, relist_hours="0")
    poll(db, workspace)
    server.add(fixture("review__edited.json"))
    server.delete(f"{R}3")

    third = poll(db, workspace)

    mentions = stored(db, workspace)
    assert third.edited == 1
    assert (mentions[f"{R}1"].rating, "remboursée" in mentions[f"{R}1"].text) == (4.0, True)
    assert mentions[f"{R}3"].hidden is True and is_deleted(mentions[f"{R}3"])
    edited = next(e for e in audit(db, workspace) if e.action == "mention.edited")
    assert (edited.before["rating"], edited.after["rating"]) == (2.0, 4.0)
    assert "mention.deleted_on_platform" in [e.action for e in audit(db, workspace)]


def test_a_revoked_authorisation_needs_reconnecting(db, workspace, server):
    add_source(db, workspace, server)
    server.tokens.clear()

    with pytest.raises(SourceError):
        poll(db, workspace)

    with db.session() as session:
        source = session.scalar(select(Source).where(Source.workspace_id == workspace.id))
        assert (source.health, source.consecutive_failures) == ("needs_reconnect", 1)
        assert ACCESS_TOKEN not in (source.last_error or "")


def test_a_reply_from_the_desk_is_put_once_and_not_recorded_again_when_heard_back(db, workspace, server):
    add_source(db, workspace, server)
    poll(db, workspace)
    review = stored(db, workspace)[f"{R}1"]

    outcome = rf.submit(
        db, workspace, review.conversation_id, "Merci Jane, nous vous rappelons.", in_reply_to_id=review.id
    )
    poll(db, workspace)  # Google now lists the review with this reply

    assert server.puts == [(f"{R}1", "Merci Jane, nous vous rappelons.")]
    assert outcome.reply.status == "sent"
    assert [r.status for r in replies(db, workspace) if r.in_reply_to_id == review.id] == ["sent"]


def test_the_composer_counts_googles_limit_in_bytes(db, workspace, server):
    add_source(db, workspace, server)
    poll(db, workspace)
    review = stored(db, workspace)[f"{R}1"]

    with pytest.raises(Invalid) as refused:  # 2,100 characters but 4,200 bytes
        rf.submit(db, workspace, review.conversation_id, "é" * 2100, in_reply_to_id=review.id)

    assert "4200 bytes" in str(refused.value) and "4096" in str(refused.value)
    assert server.puts == []
