"""Reddit end to end on a real database: polled through the one ingest path, edits and deletions
reaching the stored mentions, failures classified on the source's health, and a reply sent from
the desk as a comment, once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import reply_factories as rf
from ecoute.polling import poll_source
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.jobs import next_poll_in
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Mention, Source
from ecoute.store.revisions import is_deleted
from fake_reddit import CLIENT_SECRET, PASSWORD, FakeReddit, account, fixture, running_reddit

MENTION = "t1_kq3m2a1"


@pytest.fixture
def server() -> Iterator[FakeReddit]:
    with running_reddit() as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, **extra) -> Source:
    settings = seal_secrets(account(server, keep_unmatched=True, **extra))
    with db.session() as session:
        return repo.ensure_source(
            session, workspace.id, "reddit", kind="reddit", platform="reddit", settings=settings
        )


def reload(db, workspace) -> Source:
    with db.session() as session:
        return session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.name == "reddit")
        )


def mentions(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def test_polls_store_each_thing_once_and_follow_edits_and_deletions(db, workspace, server):
    add_source(
        db, workspace, server, searches="café lumière, lumière", subreddits="cafe", keywords="café lumière"
    )

    first = poll_source(db, workspace, reload(db, workspace))
    again = poll_source(db, workspace, reload(db, workspace))
    server.replace(fixture("comment__edited.json"))
    server.replace(fixture("comment__deleted.json"))
    third = poll_source(db, workspace, reload(db, workspace))

    stored = mentions(db, workspace)
    with db.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == workspace.id).order_by(AuditEvent.id)
        ).all()
    # two overlapping searches find the same three posts: each stored once
    assert (first.stored, again.stored, third.stored) == (7, 0, 0)
    assert third.edited == 1
    assert stored["t1_kq40002"].text.endswith("leur mouture « moka » marche bien.")
    gone = stored["t1_kq40001"]
    assert gone.hidden is True and is_deleted(gone)
    assert gone.text == "Essaie café lumière, leur Brésil est top."  # kept, never erased
    assert [(a.action, a.actor) for a in audit] == [
        ("mention.edited", "platform:reddit"),
        ("mention.deleted_on_platform", "platform:reddit"),
    ]
    reply = stored["t1_kq3m9zz"]
    assert (reply.parent_external_id, reply.thread_external_id) == ("t1_kq3m5bb", "t3_1h8x2ab")


def test_the_secrets_are_sealed_in_the_stored_settings(db, workspace, server):
    add_source(db, workspace, server)

    settings = reload(db, workspace).settings

    assert {"password", "client_secret"}.isdisjoint(settings)
    assert PASSWORD not in str(settings) and CLIENT_SECRET not in str(settings)


@pytest.mark.parametrize(
    ("trouble", "health", "kind"),
    [
        ("revoked", "needs_reconnect", "auth"),
        (429, "rate_limited", "rate_limit"),
        (503, "failing", "transient"),
    ],
)
def test_each_failure_is_classified_on_the_source(db, workspace, server, trouble, health, kind):
    add_source(db, workspace, server)
    if trouble == "revoked":
        server.password = "changed-by-the-owner"
    else:
        server.fail_with(trouble, {"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "540"})

    with pytest.raises(SourceError) as raised:
        poll_source(db, workspace, reload(db, workspace))

    source = reload(db, workspace)
    wait = next_poll_in(source, raised.value).total_seconds()
    assert (source.health, raised.value.kind, source.consecutive_failures) == (health, kind, 1)
    assert PASSWORD not in (source.last_error or "")
    if kind == "rate_limit":
        assert 500 < wait <= 540


def test_a_reply_from_the_desk_is_posted_once_in_the_thread(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    question = mentions(db, workspace)[MENTION]

    first, again = (
        rf.submit(
            db,
            workspace,
            question.conversation_id,
            "Merci, on regarde.",
            submission="s1",
            in_reply_to_id=question.id,
        )
        for _ in range(2)
    )

    assert len(server.posted) == 1
    assert server.posted[0]["data"]["parent_id"] == MENTION
    assert (first.reply.status, again.reply.id) == ("sent", first.reply.id)
    assert first.reply.platform_reply_id == "t1_kq4r001"
