"""Facebook and Instagram end to end on a real database: polled through the one ingest path,
threads kept, edits and deletions reaching the stored mentions, failures classified on the
source's health, and a reply sent from the desk under the comment, once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

import reply_factories as rf
from ecoute.polling import poll_source
from ecoute.settings import get_settings
from ecoute.sources.base import SourceError
from ecoute.sources.checks import check_source
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.jobs import next_poll_in
from ecoute.sources.manage import credentials_for, reconnect
from ecoute.sources.status import needing_reconnect
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Mention, Source
from ecoute.store.revisions import is_deleted
from fake_meta import APP_SECRET, IG_USER_ID, PAGE_ID, PAGE_TOKEN, POST, FakeMeta, fixture, running_meta

C1, C3 = "802211_5501", "802211_5503"


@pytest.fixture
def server() -> Iterator[FakeMeta]:
    with running_meta() as httpd:
        yield httpd


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


def add_source(db, workspace, server, kind="facebook", **extra) -> Source:
    own = {"page_id": PAGE_ID} if kind == "facebook" else {"ig_user_id": IG_USER_ID}
    settings = seal_secrets(
        {
            **own,
            "access_token": PAGE_TOKEN,
            "app_secret": APP_SECRET,
            "api_base": server.url,
            "keep_unmatched": True,
            **extra,
        }
    )
    with db.session() as session:
        return repo.ensure_source(session, workspace.id, kind, kind=kind, platform=kind, settings=settings)


def reload(db, workspace, name="facebook") -> Source:
    with db.session() as session:
        return session.scalar(select(Source).where(Source.workspace_id == workspace.id, Source.name == name))


def stored(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def test_polls_store_each_comment_once_and_follow_edits_and_deletions(db, workspace, server):
    add_source(db, workspace, server)

    first = poll_source(db, workspace, reload(db, workspace))
    again = poll_source(db, workspace, reload(db, workspace))
    server.edit_fb(C1, "Il sera aussi disponible à emporter ? Et en livraison ?")
    server.delete_fb(C3)
    third = poll_source(db, workspace, reload(db, workspace))

    mentions = stored(db, workspace)
    with db.session() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == workspace.id).order_by(AuditEvent.id)
        ).all()
    assert (first.stored, again.stored, third.stored, third.edited) == (4, 0, 0, 1)
    assert mentions[C1].text.endswith("Et en livraison ?")
    assert (mentions[C3].parent_external_id, mentions[C3].thread_external_id) == (C1, POST)
    assert mentions[C3].hidden is True and is_deleted(mentions[C3])
    assert [(a.action, a.actor) for a in audit] == [
        ("mention.edited", "platform:facebook"),
        ("mention.deleted_on_platform", "platform:facebook"),
    ]


def test_an_instagram_account_is_stored_with_its_threads(db, workspace, server):
    add_source(db, workspace, server, kind="instagram")

    report = poll_source(db, workspace, reload(db, workspace, "instagram"))

    mentions = stored(db, workspace)
    assert report.stored == 4
    reply = mentions["17858893269000003"]
    assert (reply.platform, reply.parent_external_id, reply.thread_external_id) == (
        "instagram",
        "17873440459141021",
        "17895695668004550",
    )


def test_the_secrets_are_sealed_in_the_stored_settings(db, workspace, server):
    add_source(db, workspace, server, verify_token="vt-123456")

    settings = reload(db, workspace).settings

    assert {"access_token", "app_secret", "verify_token"}.isdisjoint(settings)
    assert all(secret not in str(settings) for secret in (PAGE_TOKEN, APP_SECRET, "vt-123456"))


@pytest.mark.parametrize(
    ("body", "status", "health", "kind"),
    [
        (fixture("facebook", "error__token_expired.json"), 400, "needs_reconnect", "auth"),
        (fixture("facebook", "error__page_rate_limit.json"), 400, "rate_limited", "rate_limit"),
        ({"error": {"message": "Please retry your request later.", "code": 2}}, 500, "failing", "transient"),
    ],
)
def test_each_failure_is_classified_on_the_source(db, workspace, server, body, status, health, kind):
    add_source(db, workspace, server)
    server.fail_with(status, body=body)

    with pytest.raises(SourceError) as raised:
        poll_source(db, workspace, reload(db, workspace))

    source = reload(db, workspace)
    assert (source.health, raised.value.kind, source.consecutive_failures) == (health, kind, 1)
    assert PAGE_TOKEN not in (source.last_error or "")
    if kind == "rate_limit":  # Meta's window is an hour when it does not say
        assert 3000 < next_poll_in(source, raised.value).total_seconds() <= 3600


def test_a_reply_from_the_desk_is_posted_once_under_the_comment(db, workspace, server):
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    question = stored(db, workspace)[C1]

    first, again = (
        rf.submit(
            db,
            workspace,
            question.conversation_id,
            "Oui Paul, en livraison aussi.",
            submission="s1",
            in_reply_to_id=question.id,
        )
        for _ in range(2)
    )

    assert server.posted == [(C1, "Oui Paul, en livraison aussi.")]
    assert (first.reply.status, again.reply.id) == ("sent", first.reply.id)
    assert first.reply.platform_reply_id == server.fb_comments[POST][-1]["id"]


def test_a_token_revoked_mid_run_asks_for_reconnecting_and_a_new_one_is_tested_then_saved(
    db, workspace, server
):
    APP_SETTINGS = get_settings()  # noqa: N806 - the test's environment (its data folder, its key)
    add_source(db, workspace, server)
    poll_source(db, workspace, reload(db, workspace))
    server.tokens = {"EAAGnewPageToken"}  # the old token was revoked (a password change)

    with pytest.raises(SourceError):
        poll_source(db, workspace, reload(db, workspace))
    with db.session() as session:
        names = needing_reconnect(session, workspace.id)
    source = reload(db, workspace)
    refused = check_source("facebook", credentials_for(source, {"access_token": "still-wrong"}, APP_SETTINGS))
    accepted = check_source(
        "facebook", credentials_for(source, {"access_token": "EAAGnewPageToken"}, APP_SETTINGS)
    )
    with db.session() as session:
        reconnect(
            session,
            session.get(Source, source.id),
            {"access_token": "EAAGnewPageToken"},
            settings=APP_SETTINGS,
            actor="test",
        )
    server.add_fb_comment(
        POST, {**fixture("facebook", "comments__post_stream.json")["data"][0], "id": "802211_5520"}
    )
    report = poll_source(db, workspace, reload(db, workspace))

    assert names == ["facebook"]
    assert (refused.ok, refused.kind, accepted.ok) == (False, "auth", True)
    assert report.stored == 1 and reload(db, workspace).health == "ok"
