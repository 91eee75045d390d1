"""Bluesky end to end on a real database: polled through the one ingest path, a deletion hiding
the stored mention, a revoked app password on the source's health, a reply from the desk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import reply_factories as rf
from ecoute.polling import poll_source
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import Mention, Source
from fake_bluesky import HANDLE, PASSWORD, FakePds, fixture, running_pds

BOB = "at://did:plc:bobbobbobbobbobbobbobbob/app.bsky.feed.post/3lc2zzreply1a"


@pytest.fixture
def server() -> Iterator[FakePds]:
    with running_pds() as pds:
        pds.add_notifications(fixture("list_notifications__mention_and_reply.json")["notifications"])
        pds.add_searchable(fixture("search_posts__latest.json")["posts"])
        yield pds


def add_source(db, workspace, server) -> None:
    settings = seal_secrets(
        {
            "service": server.url,
            "identifier": HANDLE,
            "app_password": PASSWORD,
            "searches": "acme",
            "keep_unmatched": True,
        }
    )
    with db.session() as session:
        repo.ensure_source(
            session, workspace.id, "bluesky", kind="bluesky", platform="bluesky", settings=settings
        )


def reload(db, workspace) -> Source:
    with db.session() as session:
        return session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.name == "bluesky")
        )


def mentions(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        return {
            m.external_id: m
            for m in session.scalars(select(Mention).where(Mention.workspace_id == workspace.id))
        }


def test_polls_store_once_and_a_deleted_post_is_hidden(db, workspace, server):
    add_source(db, workspace, server)

    first = poll_source(db, workspace, reload(db, workspace))
    server.delete(BOB)
    second = poll_source(db, workspace, reload(db, workspace))

    stored = mentions(db, workspace)
    assert (first.stored, second.stored) == (3, 0)
    assert stored[BOB].hidden is True
    assert sum(not m.hidden for m in stored.values()) == 2
    assert PASSWORD not in str(reload(db, workspace).settings)


def test_a_changed_app_password_asks_for_reconnecting(db, workspace, server):
    add_source(db, workspace, server)
    server.password = "revoked"

    with pytest.raises(SourceError):
        poll_source(db, workspace, reload(db, workspace))

    source = reload(db, workspace)
    assert source.health == "needs_reconnect"
    assert "Invalid identifier or password" in source.last_error


def test_a_reply_from_the_desk_goes_into_the_thread(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    bob = mentions(db, workspace)[BOB]

    outcome = rf.submit(db, workspace, bob.conversation_id, "On s'en occupe, Bob.", in_reply_to_id=bob.id)

    [record] = server.records
    assert record["value"]["reply"]["parent"]["uri"] == BOB
    assert (outcome.reply.status, outcome.reply.platform_reply_id) == ("sent", record["uri"])
