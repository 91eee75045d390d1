"""X end to end on a real database: polled through the one ingest path, edits and deletions
reaching the stored mentions, failures classified on the source's health, and replies from the
desk posted once, or refused in words where X would refuse them."""

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
from ecoute.store.repo import Invalid
from ecoute.store.revisions import is_deleted
from fake_x import CLIENT_SECRET, REFRESH_TOKEN, FakeX, account, fixture, running_x

MENTION, THREAD_REPLY, UNOWNED, REPOST, QUOTE = (f"18650000000000001{n:02d}" for n in (1, 2, 3, 4, 5))


@pytest.fixture
def server() -> Iterator[FakeX]:
    with running_x() as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, **extra) -> Source:
    settings = seal_secrets(account(server, keep_unmatched=True, **extra))
    with db.session() as session:
        return repo.ensure_source(session, workspace.id, "x", kind="x", platform="x", settings=settings)


def reload(db, workspace) -> Source:
    with db.session() as session:
        return session.scalar(select(Source).where(Source.workspace_id == workspace.id, Source.name == "x"))


def mentions(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def test_polls_store_each_post_once_and_follow_edits_and_deletions(db, workspace, server):
    add_source(db, workspace, server, searches="lumière, café lumière")

    first = poll_source(db, workspace, reload(db, workspace))
    again = poll_source(db, workspace, reload(db, workspace))
    server.edit(UNOWNED, "Franchement le café de Café Lumière &lt; celui de Brûlerie Nord. Sauf le moka.")
    server.delete(MENTION)  # deleting the thread's first post
    third = poll_source(db, workspace, reload(db, workspace))

    stored = mentions(db, workspace)
    with db.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == workspace.id).order_by(AuditEvent.id)
        ).all()
    # the mentions timeline and two overlapping searches find the same posts: each stored once
    assert (first.stored, again.stored, third.stored) == (4, 0, 0)
    assert third.edited == 1
    assert stored[UNOWNED].text.endswith("Brûlerie Nord. Sauf le moka.")
    gone = stored[MENTION]
    assert gone.hidden is True and is_deleted(gone)
    assert gone.text.startswith("@cafelumiere ma commande n'est jamais arrivée & personne")  # kept
    assert [(a.action, a.actor) for a in audit] == [
        ("mention.edited", "platform:x"),
        ("mention.deleted_on_platform", "platform:x"),
    ]
    reply = stored[THREAD_REPLY]
    assert (reply.parent_external_id, reply.thread_external_id) == (MENTION, MENTION)
    assert set(stored) == {MENTION, THREAD_REPLY, UNOWNED, QUOTE}


def test_the_secrets_are_sealed_in_the_stored_settings(db, workspace, server):
    add_source(db, workspace, server)

    settings = reload(db, workspace).settings

    assert {"refresh_token", "client_secret", "access_token", "consumer_secret"}.isdisjoint(settings)
    assert REFRESH_TOKEN not in str(settings) and CLIENT_SECRET not in str(settings)


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
        server.revoke()
    else:
        server.fail_with(trouble, {"x-rate-limit-remaining": "0"}, fixture("error__rate_limited.json"))

    with pytest.raises(SourceError) as raised:
        poll_source(db, workspace, reload(db, workspace))

    source = reload(db, workspace)
    wait = next_poll_in(source, raised.value).total_seconds()
    assert (source.health, raised.value.kind, source.consecutive_failures) == (health, kind, 1)
    assert REFRESH_TOKEN not in (source.last_error or "")
    if kind == "rate_limit":
        assert 800 < wait <= 900


def test_a_reply_from_the_desk_is_posted_once_in_the_thread(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    question = mentions(db, workspace)[MENTION]

    first, again = (
        rf.submit(
            db,
            workspace,
            question.conversation_id,
            "@claire_b Désolés ! On regarde votre colis.",
            submission="s1",
            in_reply_to_id=question.id,
        )
        for _ in range(2)
    )

    assert len(server.posted) == 1
    assert server.posted[0]["referenced_tweets"] == [{"type": "replied_to", "id": MENTION}]
    assert (first.reply.status, again.reply.id) == ("sent", first.reply.id)
    assert first.reply.platform_reply_id == server.posted[0]["id"]


def test_the_desk_counts_a_reply_as_x_does(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    question = mentions(db, workspace)[MENTION]

    with pytest.raises(Invalid) as raised:
        rf.submit(db, workspace, question.conversation_id, "日本" * 71, in_reply_to_id=question.id)

    assert "284 characters as x counts them, it allows 280" in str(raised.value)
    assert server.posted == []


def test_a_reply_x_would_refuse_fails_with_the_reason_in_words(db, workspace, server):
    add_source(db, workspace, server, searches="lumière")
    poll_source(db, workspace, reload(db, workspace))
    unowned = mentions(db, workspace)[UNOWNED]

    with pytest.raises(SourceError) as raised:
        rf.submit(db, workspace, unowned.conversation_id, "Bonjour Nora !", in_reply_to_id=unowned.id)

    [(reply, state)] = rf.replies(db, workspace, unowned.conversation_id)
    assert reply.status == "failed" and "addressed the brand" in str(raised.value)
    assert "X lets an app reply only to a post whose author addressed the brand" in (state.last_error or "")
    assert server.posted == []
