"""Polling a registered feed end to end: through the one ingest path, cursor saved after the items."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from ecoute.polling import poll_source
from ecoute.sources.base import SourceError
from ecoute.store import repo
from ecoute.store.models import Mention, MentionBrand, Source
from feedserver import FeedServer, running_feed_server


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with running_feed_server() as httpd:
        httpd.serve("feed__rss2.xml")
        yield httpd


def _source(db, workspace, name):
    with db.session() as session:
        return session.scalar(select(Source).where(Source.workspace_id == workspace.id, Source.name == name))


def test_poll_stores_feed_items_saves_the_cursor_and_the_next_poll_is_conditional(db, workspace, feed):
    with db.session() as session:
        brand = repo.add_brand(session, workspace.id, "Conso", query="conso*")
        repo.ensure_source(
            session,
            workspace.id,
            "blog",
            kind="rss",
            platform="rss",
            settings={"url": feed.url, "brand_id": brand.id},
        )

    first = poll_source(db, workspace, _source(db, workspace, "blog"))
    second = poll_source(db, workspace, _source(db, workspace, "blog"))

    with db.session() as session:
        stored = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        linked = session.scalars(
            select(MentionBrand.brand_id).where(MentionBrand.workspace_id == workspace.id)
        ).all()
    source = _source(db, workspace, "blog")
    assert first.stored == len(stored) > 0
    assert set(linked) == {brand.id}
    assert (source.health, source.cursor["etag"]) == ("ok", feed.etag)
    assert feed.requests[1]["If-None-Match"] == feed.etag
    assert (second.received, second.stored) == (0, 0)


def test_a_failing_feed_marks_the_source_unhealthy_and_keeps_its_cursor(db, workspace, feed):
    with db.session() as session:
        repo.ensure_source(
            session,
            workspace.id,
            "gone",
            kind="rss",
            platform="rss",
            settings={"url": feed.url, "keep_unmatched": True},
        )
    feed.fail_with(404)

    with pytest.raises(SourceError) as error:
        poll_source(db, workspace, _source(db, workspace, "gone"))

    source = _source(db, workspace, "gone")
    assert error.value.retriable is False
    assert (source.health, source.consecutive_failures, source.cursor) == ("failing", 1, {})
    assert "404" in source.last_error
