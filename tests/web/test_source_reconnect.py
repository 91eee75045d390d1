"""A Mastodon token revoked mid-run, end to end on a real database: the poll that meets the 401
marks the source "needs reconnecting", the Sources page, the admins' banner and ``ecoute source
list`` say so, exactly one e-mail reaches each admin (in their language) however many polls fail
after it, and reconnecting with a token the platform accepts brings the source back to healthy."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from cli_run import ecoute
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Source, User
from fake_mastodon import TOKEN, fixture, running_mastodon
from smtp_receiver import running_smtp
from web_helpers import csrf_for, session_client

SECRET_KEY = "test-secret-key"  # the app's (tests/web/conftest.py); the jobs read the environment


@pytest.fixture
def server():
    with running_mastodon() as httpd:
        httpd.add_notifications(fixture("notifications__mentions.json"))
        yield httpd


@pytest.fixture
def smtp(monkeypatch):
    with running_smtp() as inbox:
        for name, value in {
            "ECOUTE_SMTP_HOST": "127.0.0.1",
            "ECOUTE_SMTP_PORT": str(inbox.port),
            "ECOUTE_SMTP_SECURITY": "none",
            "ECOUTE_SECRET_KEY": SECRET_KEY,
            "ECOUTE_ANALYSIS": "off",
            "ECOUTE_HTTP_RETRIES": "1",
            "ECOUTE_PUBLIC_URL": "https://ecoute.example",
        }.items():
            monkeypatch.setenv(name, value)
        yield inbox


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_for(client)})


def source_id(db, workspace) -> int:
    with db.session() as session:
        return session.scalar(
            select(Source.id).where(Source.workspace_id == workspace.id, Source.name == "masto")
        )


def card(html: str) -> str:
    found = re.search(r'<article class="card source[^"]*" data-source="masto".*?</article>', html, re.S)
    assert found, "no card for the source"
    return found.group(0)


def test_a_revoked_token_is_told_once_and_a_new_one_brings_the_source_back(
    app, db, db_url, workspace, server, smtp, tmp_path
):
    owner = session_client(app, db, workspace, "owner")
    admin = session_client(app, db, workspace, "admin")
    agent = session_client(app, db, workspace, "agent")
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Café Lumière", query="lumiere")
        people = session.scalars(select(User).order_by(User.id)).all()  # owner, admin, agent
        people[1].locale = "en"  # the admin reads English; the owner gets the workspace's French
        admins = {u.email: u.locale or "fr" for u in people[:2]}

    added = post(
        owner,
        "/w/acme/sources",
        {
            "kind": "mastodon",
            "name": "masto",
            "instance": server.url,
            "access_token": TOKEN,
            "brand": "Café Lumière",
        },
    )
    sid = source_id(db, workspace)
    polled = post(owner, f"/w/acme/sources/{sid}/poll")
    healthy = owner.get("/w/acme/sources").text

    server.token = "revoked"  # the account revoked Écoute's token: every call now answers 401
    for _ in range(3):  # the poll that meets it, then retries: still one notice
        post(owner, f"/w/acme/sources/{sid}/poll")
    page = owner.get("/w/acme/sources").text
    agent_page = agent.get("/w/acme/sources").text
    inbox_page = admin.get("/w/acme/").text
    listed = ecoute(["source", "list", "-w", "acme", "--json"], db_url, tmp_path)
    mails = list(smtp.messages)

    refused = post(owner, f"/w/acme/sources/{sid}/reconnect", {"access_token": "still-wrong"})
    server.token = "tok-new"
    reconnected = post(owner, f"/w/acme/sources/{sid}/reconnect", {"access_token": "tok-new"})
    after = owner.get("/w/acme/sources").text
    post(owner, f"/w/acme/sources/{sid}/poll")
    with db.session() as session:
        row = session.get(Source, sid)
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "source")))

    assert added.status_code == 200 and 'data-added="masto"' in added.text
    assert polled.status_code == 303
    assert 'data-state="healthy"' in card(healthy)
    assert re.search(r"data-items-today>3<", card(healthy))

    assert 'data-state="needs_reconnect"' in card(page)
    assert "data-last-error" in card(page) and "401" in card(page)
    assert "data-reconnect-banner" in page and "data-reconnect-banner" in inbox_page
    assert "data-reconnect-banner" not in agent_page  # agents see the state, the banner is the admins'
    assert 'data-state="needs_reconnect"' in card(agent_page) and 'data-action="remove"' not in agent_page
    shown = json.loads(listed.stdout)
    assert shown[0]["name"] == "masto" and shown[0]["state"] == "needs_reconnect"
    assert shown[0]["items_today"] == 3 and shown[0]["last_success_at"] and shown[0]["last_error"]

    assert sorted(to for _sender, [to], _message in mails) == sorted(admins)
    for _sender, [to], message in mails:
        body = message.get_content()
        assert "masto" in message["Subject"]
        assert "https://ecoute.example/w/acme/sources" in body
        assert ("reconnectée" in message["Subject"]) == (admins[to] == "fr")
        assert TOKEN not in body

    assert refused.status_code == 400 and 'data-result="failed"' in refused.text
    assert reconnected.status_code == 200 and 'data-result="ok"' in reconnected.text
    assert 'data-state="healthy"' in card(after) and "data-reconnect-banner" not in after
    assert row.health == "ok" and row.consecutive_failures == 0
    assert "tok-new" not in json.dumps(row.settings)
    assert len(smtp.messages) == len(mails)  # reconnecting and polling again sent nothing more
    assert {"source.add", "source.poll_now", "source.reconnect"} <= set(actions)
