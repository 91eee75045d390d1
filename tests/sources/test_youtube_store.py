"""YouTube end to end on a real database: polled through the one ingest path, edits and deletions
reaching the stored mentions, failures classified on the source's health, and a reply sent from
the desk under the comment, once."""

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
from fake_youtube import ACCESS_TOKEN, API_KEY, CHANNEL, FakeYouTube, fixture, running_youtube

T1 = "UgxQ7aLumiereT1AaABAg"
T2 = "UgyR8bLumiereT2AaABAg"


@pytest.fixture
def server() -> Iterator[FakeYouTube]:
    with running_youtube() as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, **extra) -> Source:
    settings = seal_secrets(
        {
            "channel_id": CHANNEL,
            "access_token": ACCESS_TOKEN,
            "api_key": API_KEY,
            "api_base": server.url,
            "keep_unmatched": True,
            **extra,
        }
    )
    with db.session() as session:
        return repo.ensure_source(
            session, workspace.id, "yt", kind="youtube", platform="youtube", settings=settings
        )


def reload(db, workspace) -> Source:
    with db.session() as session:
        return session.scalar(select(Source).where(Source.workspace_id == workspace.id, Source.name == "yt"))


def stored(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def test_polls_store_each_comment_once_and_follow_edits_and_deletions(db, workspace, server):
    add_source(db, workspace, server, videos="vReview0001", searches="café lumière, lumière")

    first = poll_source(db, workspace, reload(db, workspace))
    again = poll_source(db, workspace, reload(db, workspace))
    server.edit(fixture("comment__edited.json"))
    server.delete(f"{T1}.A1reply000003")
    third = poll_source(db, workspace, reload(db, workspace))

    mentions = stored(db, workspace)
    with db.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == workspace.id).order_by(AuditEvent.id)
        ).all()
    # two overlapping searches find the same two videos: each stored once
    assert (first.stored, again.stored, third.stored) == (7, 0, 0)
    assert third.edited == 1
    assert mentions[T2].text.endswith("Édit : un peu chère quand même.")
    gone = mentions[f"{T1}.A1reply000003"]
    assert gone.hidden is True and is_deleted(gone)
    assert [(a.action, a.actor) for a in audit] == [
        ("mention.edited", "platform:youtube"),
        ("mention.deleted_on_platform", "platform:youtube"),
    ]
    reply = mentions[f"{T1}.A1reply000002"]
    assert (reply.parent_external_id, reply.thread_external_id) == (T1, T1)


def test_the_tokens_are_sealed_in_the_stored_settings(db, workspace, server):
    add_source(db, workspace, server)

    settings = reload(db, workspace).settings

    assert {"access_token", "api_key"}.isdisjoint(settings)
    assert ACCESS_TOKEN not in str(settings) and API_KEY not in str(settings)


@pytest.mark.parametrize(
    ("trouble", "health", "kind"),
    [
        ("revoked", "needs_reconnect", "auth"),
        ("quota", "rate_limited", "rate_limit"),
        (503, "failing", "transient"),
    ],
)
def test_each_failure_is_classified_on_the_source(db, workspace, server, trouble, health, kind):
    add_source(db, workspace, server)
    if trouble == "revoked":
        server.tokens.clear()
    elif trouble == "quota":
        server.fail_with(403, body=fixture("error__quota_exceeded.json"))
    else:
        server.fail_with(trouble)

    with pytest.raises(SourceError) as raised:
        poll_source(db, workspace, reload(db, workspace))

    source = reload(db, workspace)
    assert (source.health, raised.value.kind, source.consecutive_failures) == (health, kind, 1)
    assert ACCESS_TOKEN not in (source.last_error or "")
    if kind == "rate_limit":  # until midnight in California, when the quota resets
        assert 0 < next_poll_in(source, raised.value).total_seconds() <= 25 * 3600


def test_a_reply_from_the_desk_is_posted_once_under_the_comment(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    question = stored(db, workspace)[T1]

    first, again = (
        rf.submit(
            db,
            workspace,
            question.conversation_id,
            "Merci Jane.",
            submission="s1",
            in_reply_to_id=question.id,
        )
        for _ in range(2)
    )

    assert len(server.posted) == 1
    assert server.posted[0]["snippet"]["parentId"] == T1
    assert (first.reply.status, again.reply.id) == ("sent", first.reply.id)
    assert first.reply.platform_reply_id == server.posted[0]["id"]
