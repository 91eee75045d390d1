"""Trustpilot end to end on a real database: a business unit's reviews polled through the one
ingest path, the company's reply recorded on its conversation, edits and deletions heard by the
full listing, and a reply from the desk posted once as the business user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import reply_factories as rf
from ecoute.polling import poll_source
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import Conversation, Mention, Reply, Source
from ecoute.store.revisions import is_deleted
from fake_trustpilot import (
    API_KEY,
    API_SECRET,
    BUSINESS_USER,
    DOMAIN,
    PASSWORD,
    USERNAME,
    FakeTrustpilot,
    fixture,
    running_trustpilot,
)

T = "6560a1b2c3d4e5f6a7b8c90"


@pytest.fixture
def server() -> Iterator[FakeTrustpilot]:
    with running_trustpilot() as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, **extra) -> None:
    settings = seal_secrets(
        {
            "api_key": API_KEY,
            "domain": DOMAIN,
            "client_secret": API_SECRET,
            "username": USERNAME,
            "password": PASSWORD,
            "business_user_id": BUSINESS_USER,
            "api_base": server.url,
            "keep_unmatched": True,
            **extra,
        }
    )
    with db.session() as session:
        repo.ensure_source(
            session, workspace.id, "tp", kind="trustpilot", platform="trustpilot", settings=settings
        )


def poll(db, workspace):
    with db.session() as session:
        source = session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.name == "tp")
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


def test_reviews_edits_deletions_and_the_companys_reply_reach_the_store(db, workspace, server):
    add_source(db, workspace, server, relist_hours="0")

    first = poll(db, workspace)
    server.add(fixture("review__edited.json"))
    server.delete(f"{T}2")
    second = poll(db, workspace)

    mentions = stored(db, workspace)
    assert (first.stored, second.stored, second.edited) == (4, 0, 1)
    assert {k: m.rating for k, m in mentions.items()} == {
        f"{T}1": 1.0,
        f"{T}2": 5.0,
        f"{T}3": 2.0,
        f"{T}4": 2.0,
    }
    assert mentions[f"{T}2"].hidden is True and is_deleted(mentions[f"{T}2"])
    assert mentions[f"{T}1"].language == "fr"
    [heard] = replies(db, workspace)
    assert (heard.status, heard.in_reply_to_id) == ("recorded", mentions[f"{T}3"].id)
    with db.session() as session:
        assert session.get(Conversation, mentions[f"{T}3"].conversation_id).needs_reply is False


def test_a_reply_from_the_desk_is_posted_once_as_the_business_user(db, workspace, server):
    add_source(db, workspace, server)
    poll(db, workspace)
    review = stored(db, workspace)[f"{T}1"]

    first, again = (
        rf.submit(db, workspace, review.conversation_id, "Bonjour Camille, on s'en occupe.", submission="s1")
        for _ in range(2)
    )
    poll(db, workspace)

    assert server.replies == [(f"{T}1", BUSINESS_USER, "Bonjour Camille, on s'en occupe.")]
    assert (first.reply.status, again.reply.id) == ("sent", first.reply.id)
    assert [r.status for r in replies(db, workspace) if r.in_reply_to_id == review.id] == ["sent"]
