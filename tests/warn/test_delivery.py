"""Alerts told by e-mail (HTML and text, in the workspace's language) and to a Slack-compatible
incoming webhook, through a real SMTP server and a real HTTP receiver: once per crisis and channel
within the cooldown, again for a new episode after it, retried when refused, logged without secrets."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ecoute.auth import users
from ecoute.jobs.models import Job
from ecoute.jobs.runner import run_due
from ecoute.settings import Settings
from ecoute.store.models import Author, Conversation, Mention, Workspace
from ecoute.warn import preferences
from ecoute.warn.models import Alert, AlertMessage
from ecoute.warn.scan import scan_workspace
from ecoute.webhooks.addresses import allowed_networks
from scan_world import NOW, OUTAGE, seed
from smtp_receiver import running_smtp
from webhook_receivers import running_receiver

PUBLIC = "https://ecoute.example.org"
LOCAL = Settings({"webhook_allow_private": "127.0.0.1"})


@pytest.fixture
def team(db, workspace):
    with db.session() as session:
        owner = users.create_user(session, "owner@acme.example", None, name="Owner")
        agent = users.create_user(session, "agent@acme.example", None, name="Agent")
        users.add_member(session, workspace.id, owner.id, "owner")
        users.add_member(session, workspace.id, agent.id, "agent")
        return {"owner": owner.id, "agent": agent.id}


def _environment(monkeypatch, smtp_port: int) -> None:
    monkeypatch.setenv("ECOUTE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ECOUTE_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("ECOUTE_SMTP_SECURITY", "none")
    monkeypatch.setenv("ECOUTE_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("ECOUTE_WEBHOOK_ALLOW_PRIVATE", "127.0.0.1")


def _configure(db, workspace, **changes) -> None:
    settings = Settings()
    with db.session() as session:
        ws = session.get(Workspace, workspace.id)
        preferences.update(
            session,
            ws,
            changes,
            secret_key=settings.secret_key,
            allowed=allowed_networks(LOCAL),
            actor="test",
        )


def _crisis(db, workspace, start, hours: int, per_hour: int = 60) -> None:
    """Negative mentions for ``hours`` hours from ``start``: a crisis that goes on."""
    with db.session() as session:
        author = session.scalar(select(Author).where(Author.workspace_id == workspace.id))
        conversation = session.scalar(select(Conversation).where(Conversation.workspace_id == workspace.id))
        session.add_all(
            Mention(
                workspace_id=workspace.id,
                conversation_id=conversation.id,
                author_id=author.id,
                platform="x",
                external_id=f"crisis-{start:%d%H}-{hour}-{n}",
                text="Cyclune en panne",
                created_at=start + timedelta(hours=hour, minutes=n % 60),
                sentiment="negative",
            )  # fmt: skip
            for hour in range(hours)
            for n in range(per_hour)
        )


def test_a_long_crisis_scanned_fifty_times_sends_one_email_and_one_slack_post(
    db, workspace, team, monkeypatch
):
    seed(db, workspace, outage=True)
    _crisis(db, workspace, OUTAGE + timedelta(hours=2), hours=52)
    with running_smtp() as inbox, running_receiver(signed=False) as chat:
        _environment(monkeypatch, inbox.port)
        _configure(db, workspace, slack_url=chat.url)
        for hour in range(50):
            scan_workspace(db, workspace.id, now=OUTAGE + timedelta(hours=3 + hour))
    assert len(inbox.messages) == 1
    assert len(chat.requests) == 1
    with db.session() as session:
        kinds = {a.kind for a in session.scalars(select(Alert).where(Alert.workspace_id == workspace.id))}
        statuses = sorted(session.scalars(select(AlertMessage.status)))
    assert {"volume", "negative_share"} <= kinds
    assert statuses.count("sent") == 2 and "folded" in statuses  # one per channel, the rest folded
    posted = json.loads(chat.requests[0].body)
    assert posted["text"] and posted["blocks"][0]["type"] == "header"
    assert PUBLIC + "/w/acme/?" in posted["text"]


def test_the_email_is_html_and_text_in_the_workspace_language_with_its_explanation(
    db, workspace, team, monkeypatch
):
    seed(db, workspace, outage=True)
    with running_smtp() as inbox:
        _environment(monkeypatch, inbox.port)
        scan_workspace(db, workspace.id, now=NOW)
    assert len(inbox.messages) == 1
    sender, recipients, message = inbox.messages[0]
    assert recipients == ["owner@acme.example"]  # by default the owners and admins, not the agent
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    assert message["Subject"].startswith("[Écoute] Acme : Pic de mentions")
    assert "120 mentions dans l’heure du pic" in text and "attendues" in text
    assert "Dans la même crise" in text and "Pic de mentions négatives" in text  # folded into one message
    assert f"{PUBLIC}/w/acme/?status=all&scope=mentions&since=" in text
    assert 'href="https://ecoute.example.org/w/acme/?status=all&amp;scope=mentions&amp;since=' in page
    assert "<table" in page and "Cyclune" in page  # its facts and a sample post


def test_recipients_are_the_members_who_opted_in(db, workspace, team, monkeypatch):
    seed(db, workspace, outage=True)
    _configure(db, workspace, email_recipients=[team["agent"]])
    with running_smtp() as inbox:
        _environment(monkeypatch, inbox.port)
        scan_workspace(db, workspace.id, now=NOW)
    assert [r for _, r, _ in inbox.messages] == [["agent@acme.example"]]


def test_a_new_episode_after_the_cooldown_is_sent_again_and_within_it_folded(
    db, workspace, other_workspace, team, monkeypatch
):
    with db.session() as session:
        users.add_member(session, other_workspace.id, team["owner"], "owner")
    second = OUTAGE + timedelta(days=2)
    for ws in (workspace, other_workspace):
        seed(db, ws, outage=True)
        _crisis(db, ws, second, hours=2, per_hour=150)
    _configure(db, other_workspace, cooldown_minutes=7 * 24 * 60)
    with running_smtp() as inbox:
        _environment(monkeypatch, inbox.port)
        for ws in (workspace, other_workspace):
            scan_workspace(db, ws.id, now=OUTAGE + timedelta(hours=3))
            scan_workspace(db, ws.id, now=second + timedelta(hours=3))
    subjects = [m["Subject"] for _, _, m in inbox.messages]
    assert sum("Acme" in s for s in subjects) == 2  # the cooldown (2 h) had long passed
    assert sum("Globex" in s for s in subjects) == 1  # the second episode fell within a week's
    with db.session() as session:
        started = session.scalars(
            select(Alert.started_at).where(Alert.workspace_id == other_workspace.id, Alert.kind == "volume")
        ).all()
    assert second in started  # a second episode was raised, and folded into the first message


def test_a_refused_message_is_retried_and_failures_are_logged_without_the_secret(
    db, workspace, team, monkeypatch, caplog
):
    seed(db, workspace, outage=True)
    with running_smtp(refuse=True) as inbox, running_receiver(fail_first=1, signed=False) as chat:
        _environment(monkeypatch, inbox.port)
        _configure(db, workspace, slack_url=chat.url + "/services/T000/B000/sekret-token")
        with caplog.at_level(logging.INFO):
            scan_workspace(db, workspace.id, now=NOW)
        with db.session() as session:
            rows = {m.channel: (m.status, m.attempts, m.error) for m in session.scalars(select(AlertMessage))
                    if m.status != "folded"}  # fmt: skip
        assert rows["email"][0] == "pending" and rows["email"][1] == 1 and "451" in rows["email"][2]
        assert rows["slack"][0] == "pending" and "HTTP 503" in rows["slack"][2]
        inbox.refuse = False
        with db.session() as session:
            session.execute(update(Job).where(Job.state == "pending").values(run_at=NOW - timedelta(days=1)))
        run_due(db, Settings(), queues=("delivery",))
    assert len(inbox.messages) == 1 and len(chat.requests) == 2
    with db.session() as session:
        assert sorted(
            session.scalars(select(AlertMessage.status).where(AlertMessage.status != "folded"))
        ) == ["sent", "sent"]
    assert "sekret-token" not in caplog.text
    assert "warn.message_failed" in caplog.text


def test_channels_off_send_nothing_and_other_workspaces_are_untouched(
    db, workspace, other_workspace, team, monkeypatch
):
    seed(db, workspace, outage=True)
    seed(db, other_workspace, outage=True)
    _configure(db, workspace, email=False)
    with running_smtp() as inbox:
        _environment(monkeypatch, inbox.port)
        scan_workspace(db, workspace.id, now=NOW)
        scan_workspace(db, other_workspace.id, now=NOW)  # e-mail on, but no member to send to
    assert inbox.messages == []
    with db.session() as session:
        mine = session.scalars(select(AlertMessage).where(AlertMessage.workspace_id == workspace.id)).all()
        theirs = session.scalars(
            select(AlertMessage.status).where(AlertMessage.workspace_id == other_workspace.id)
        )
        assert mine == [] and sorted(set(theirs)) == ["failed", "folded"]
