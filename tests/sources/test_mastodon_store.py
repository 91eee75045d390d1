"""Mastodon end to end on a real database: polled through the one ingest path, edits and
deletions reaching the stored mentions, failures classified on the source's health, and a reply
sent from the desk through the platform."""

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
from fake_mastodon import TOKEN, FakeMastodon, fixture, reset_in, running_mastodon

QUESTION = "https://piaille.fr/users/claire/statuses/113500000000000201"
BOT = "https://botsin.space/users/deals/statuses/113500000000000203"


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with running_mastodon() as httpd:
        httpd.add_notifications(fixture("notifications__mentions.json"))
        httpd.add_tag("cafelumiere", fixture("timeline_tag__cafelumiere.json"))
        httpd.contexts["113500000000000202"] = fixture("context__reply.json")
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, **extra) -> Source:
    settings = seal_secrets({"instance": server.url, "access_token": TOKEN, "keep_unmatched": True, **extra})
    with db.session() as session:
        return repo.ensure_source(
            session, workspace.id, "mastodon", kind="mastodon", platform="mastodon", settings=settings
        )


def reload(db, workspace) -> Source:
    with db.session() as session:
        return session.scalar(
            select(Source).where(Source.workspace_id == workspace.id, Source.name == "mastodon")
        )


def mentions(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def test_polls_store_each_status_once_and_follow_edits_and_deletions(db, workspace, server):
    add_source(db, workspace, server, hashtags="cafelumiere")

    first = poll_source(db, workspace, reload(db, workspace))
    again = poll_source(db, workspace, reload(db, workspace))
    server.edit(fixture("status__edited.json"))
    server.delete("113500000000000203")
    third = poll_source(db, workspace, reload(db, workspace))

    stored = mentions(db, workspace)
    with db.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == workspace.id).order_by(AuditEvent.id)
        ).all()
    assert (first.stored, again.stored, third.stored) == (5, 0, 0)
    assert third.edited == 1
    assert stored[QUESTION].text == "@cafe_lumiere ma commande est enfin arrivée, merci !"
    assert stored[BOT].hidden is True and is_deleted(stored[BOT])
    assert stored[BOT].text.startswith("@cafe_lumiere -20% sur tout")  # kept, never erased
    assert [(a.action, a.actor) for a in audit] == [
        ("mention.edited", "platform:mastodon"),
        ("mention.deleted_on_platform", "platform:mastodon"),
    ]
    assert audit[0].before["text"].startswith("@cafe_lumiere ma commande n'est jamais arrivée")
    reply = stored["https://piaille.fr/users/claire/statuses/113500000000000202"]
    assert (
        reply.parent_external_id == "https://mastodon.social/users/cafe_lumiere/statuses/113500000000000100"
    )


def test_the_token_is_sealed_in_the_stored_settings(db, workspace, server):
    add_source(db, workspace, server)

    settings = reload(db, workspace).settings

    assert "access_token" not in settings
    assert TOKEN not in str(settings)


@pytest.mark.parametrize(
    ("status", "headers", "health", "kind"),
    [
        (401, {}, "needs_reconnect", "auth"),
        (
            429,
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": 600},  # seconds from when the test runs
            "rate_limited",
            "rate_limit",
        ),
        (503, {}, "failing", "transient"),
    ],
)
def test_each_failure_is_classified_on_the_source(db, workspace, server, status, headers, health, kind):
    # A reset time is written when the test runs, not when it is collected (xdist collects first).
    headers = {k: reset_in(v) if isinstance(v, int) else v for k, v in headers.items()}
    add_source(db, workspace, server)
    server.fail_with(status, headers, fixture("error__invalid_token.json") if status == 401 else None)

    with pytest.raises(SourceError) as raised:
        poll_source(db, workspace, reload(db, workspace))

    source = reload(db, workspace)
    wait = next_poll_in(source, raised.value).total_seconds()
    assert (source.health, raised.value.kind, source.consecutive_failures) == (health, kind, 1)
    assert TOKEN not in (source.last_error or "")
    if kind == "auth":
        assert wait == 3600
    elif kind == "rate_limit":
        assert 500 < wait <= 600
    else:
        assert wait == 600  # twice the interval: backing off, still polled


def test_a_reply_from_the_desk_is_posted_once_in_the_thread(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    question = mentions(db, workspace)[QUESTION]

    first = rf.submit(
        db,
        workspace,
        question.conversation_id,
        "Bonjour Claire, on regarde.",
        submission="s1",
        in_reply_to_id=question.id,
    )
    again = rf.submit(
        db,
        workspace,
        question.conversation_id,
        "Bonjour Claire, on regarde.",
        submission="s1",
        in_reply_to_id=question.id,
    )

    assert len(server.posted) == 1
    assert server.posted[0]["in_reply_to_id"] == "113500000000000201"
    assert (first.reply.status, again.reply.id) == ("sent", first.reply.id)
    assert first.reply.platform_reply_id == server.posted[0]["uri"]
