"""Digests end to end: due at the chosen hour in the workspace's time zone, received by a real SMTP
server once only (a job run twice, a worker killed mid-send, a refused message tried again), in
each person's language, HTML and plain text, with a working unsubscribe link; the Slack variant
reaches a real HTTP receiver; ``ecoute digest send`` previews and sends."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

import inbox_factories
from cli_run import ecoute
from ecoute.auth import sessions, users
from ecoute.digests import schedule
from ecoute.digests.models import DigestPreference, DigestSend
from ecoute.digests.send import send_due, set_preference, set_slack, unsubscribe_url
from ecoute.digests.tokens import BadToken, read_token, unsubscribe_token
from ecoute.insights.listening import listening
from ecoute.settings import Settings
from ecoute.store.models import Membership, Mention, User, Workspace
from ecoute.warn.models import Alert
from ecoute.web.app import create_app
from smtp_receiver import running_smtp
from webhook_receivers import running_receiver

# Monday 5 October 2026, 08:05 in Paris: the weekly digests chosen for Monday 08:00 are due, and
# cover Monday 28 September to Sunday 4 October (the factories' mentions are on 1 October).
MONDAY = datetime(2026, 10, 5, 6, 5, tzinfo=UTC)


def mail_settings(port: int, **more: str) -> Settings:
    return Settings(
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": str(port),
            "smtp_security": "none",
            "smtp_from": "ecoute@example.org",
            "secret_key": "digest-test-key",
            "public_url": "https://ecoute.example",
            **more,
        }
    )


@pytest.fixture
def team(db, workspace, other_workspace):
    """Two people of ``acme`` (one French, one English) who chose a weekly digest on Mondays at 8, a
    complaint waiting for an answer, an alert of the week; ``globex`` has its own secret."""
    with db.session() as session:
        fr = users.create_user(session, "claire@acme.example", None, name="Claire", locale="fr")
        en = users.create_user(session, "john@acme.example", None, name="John", locale="en")
        for person in (fr, en):
            users.add_member(session, workspace.id, person.id, "agent")
            set_preference(session, workspace.id, person.id, "weekly", 8, 0)
        session.add(
            Alert(
                workspace_id=workspace.id,
                kind="volume",
                subject="",
                started_at=datetime(2026, 10, 2, 14, tzinfo=UTC),
                peak_at=datetime(2026, 10, 2, 15, tzinfo=UTC),
                observed=42.0,
                expected=6.0,
                peak_z=5.0,
            )
        )
        ids = {"fr": fr.id, "en": en.id}
    waiting = inbox_factories.conversation(db, workspace, text="Mon colis n'est jamais arrivé", priority=90)
    with db.session() as session:  # it needed a reply: its first-response deadline passed on 1 October
        session.execute(update(Mention).where(Mention.conversation_id == waiting.id).values(needs_reply=True))
    inbox_factories.conversation(db, other_workspace, text="globex secret plan", priority=99)
    return {**ids, "waiting": waiting.id}


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_each_person_gets_the_week_once_in_their_language(db, workspace, team):
    with running_smtp() as inbox:
        settings = mail_settings(inbox.port)
        first = send_due(db, settings, now=MONDAY)
        again = send_due(db, settings, now=MONDAY + timedelta(minutes=15))

    assert (first.sent, first.failed, again.sent, again.skipped) == (2, 0, 0, 2)
    assert len(inbox.messages) == 2
    by_address = {recipients[0]: message for _, recipients, message in inbox.messages}
    french, english = by_address["claire@acme.example"], by_address["john@acme.example"]
    assert french.get_content_type() == "multipart/alternative"

    fr_text, fr_html = parts(french)
    en_text, en_html = parts(english)
    assert "votre semaine" in french["Subject"] and "Acme" in french["Subject"]
    assert "your week" in english["Subject"]
    for body in (fr_text, fr_html):
        assert "à traiter" in body.lower() and "1 conversation attend une réponse." in body
        assert "Volume inhabituel" in body and "Sentiment net" in body
        assert "1 première réponse était attendue dans la période" in body and "toujours sans réponse" in body
        assert f"https://ecoute.example/w/acme/c/{team['waiting']}" in body
        assert "globex" not in body
    for body in (en_text, en_html):
        assert "needs an answer" in body.lower() and "1 conversation is waiting for an answer." in body
        assert "Unusual volume" in body and "Response rate" in body
        assert "Priority 90 on x, due" in body and "still unanswered" in body
    with db.session() as session:
        heard = listening(
            session, workspace.id, schedule.period_ending("weekly", MONDAY.date(), "Europe/Paris").listening
        )
    assert heard.total.mentions == 1
    assert "Mentions: 1 (before: 0)" in en_text and "Response rate: 0%" in en_text
    assert french["List-Unsubscribe"] == f"<{unsubscribe_url(mail_settings(0), workspace.id, team['fr'])}>"
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_nothing_is_due_before_the_hour_or_long_after_it(db, workspace, team):
    with running_smtp() as inbox:
        settings = mail_settings(inbox.port)
        early = send_due(db, settings, now=MONDAY - timedelta(minutes=10))
        late = send_due(db, settings, now=MONDAY + timedelta(hours=7))
        tuesday = send_due(db, settings, now=MONDAY + timedelta(days=1))
    assert (early.sent, late.sent, tuesday.sent) == (0, 0, 0)
    assert inbox.messages == []


def test_a_send_cut_short_is_taken_over_once_its_claim_is_stale(db, workspace, team):
    period = schedule.due("weekly", 8, 0, MONDAY, "Europe/Paris")
    with db.session() as session:  # a worker claimed John's digest, then was killed
        session.add(
            DigestSend(
                workspace_id=workspace.id,
                recipient=f"user:{team['en']}",
                period="weekly",
                period_start=period.start,
                status="sending",
                attempts=1,
                claimed_at=MONDAY,
            )
        )
    with running_smtp() as inbox:
        settings = mail_settings(inbox.port)
        now = send_due(db, settings, now=MONDAY + timedelta(minutes=1))
        later = send_due(db, settings, now=MONDAY + timedelta(minutes=20))
        after = send_due(db, settings, now=MONDAY + timedelta(minutes=40))

    assert (now.sent, now.skipped) == (1, 1)  # Claire's; John's is still claimed
    assert (later.sent, after.sent) == (1, 0)
    assert sorted(r[0] for _, r, _ in inbox.messages) == ["claire@acme.example", "john@acme.example"]


def test_a_refused_message_is_tried_again_then_sent(db, workspace, team):
    with running_smtp(refuse=True) as refusing:
        failed = send_due(db, mail_settings(refusing.port), now=MONDAY)
    with running_smtp() as inbox:
        retried = send_due(db, mail_settings(inbox.port), now=MONDAY + timedelta(minutes=15))
    assert (failed.sent, failed.failed, retried.sent) == (0, 2, 2)
    with db.session() as session:
        rows = session.scalars(select(DigestSend).where(DigestSend.workspace_id == workspace.id)).all()
        assert {(r.status, r.attempts) for r in rows} == {("sent", 2)}


def test_a_person_who_left_the_workspace_gets_nothing(db, workspace, team):
    with db.session() as session:
        session.query(Membership).filter_by(workspace_id=workspace.id, user_id=team["en"]).delete()
    with running_smtp() as inbox:
        send_due(db, mail_settings(inbox.port), now=MONDAY)
    assert [r[0] for _, r, _ in inbox.messages] == ["claire@acme.example"]


def test_tokens_are_signed():
    token = unsubscribe_token("k", 3, 7)
    assert read_token("k", token).user_id == 7
    for forged in (
        token.replace("3.7.", "3.8."),
        token[:-2] + "xx",
        "3.7",
        token + ".1",
        unsubscribe_token("other", 3, 7),
    ):
        with pytest.raises(BadToken):
            read_token("k", forged)


@pytest.fixture
def web(db, tmp_path):
    settings = Settings(
        {
            "data_dir": str(tmp_path / "data"),
            "secret_key": "digest-test-key",
            "public_url": "https://ecoute.example",
        }
    )
    with TestClient(create_app(db, settings), base_url="http://testserver", follow_redirects=False) as client:
        yield client


def preference_of(db, workspace_id: int, user_id: int) -> str:
    with db.session() as session:
        return session.scalar(
            select(DigestPreference.frequency).where(
                DigestPreference.workspace_id == workspace_id, DigestPreference.user_id == user_id
            )
        )


def test_the_unsubscribe_link_turns_that_digest_off_without_a_login(db, workspace, team, web):
    path = unsubscribe_url(Settings({"secret_key": "digest-test-key"}), workspace.id, team["fr"]).split(
        "/", 3
    )[3]
    page = web.get(f"/{path}")
    assert page.status_code == 200 and "Me désabonner" in page.text and "claire@acme.example" in page.text
    assert preference_of(db, workspace.id, team["fr"]) == "weekly"  # opening the link changes nothing

    done = web.post(f"/{path}")

    assert done.status_code == 200 and "ne reçoit plus" in done.text
    assert preference_of(db, workspace.id, team["fr"]) == "off"
    assert preference_of(db, workspace.id, team["en"]) == "weekly"


def test_the_mail_clients_one_click_post_works(db, workspace, team, web):
    path = unsubscribe_url(Settings({"secret_key": "digest-test-key"}), workspace.id, team["en"]).split(
        "/", 3
    )[3]
    done = web.post(f"/{path}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no longer receives" in done.text
    assert preference_of(db, workspace.id, team["en"]) == "off"


def test_a_tampered_token_is_refused(db, workspace, team, web):
    token = unsubscribe_token("digest-test-key", workspace.id, team["fr"])
    forged = token.replace(f"{workspace.id}.{team['fr']}.", f"{workspace.id}.{team['en']}.")
    for bad in (forged, "1.2.abc", "nonsense"):
        assert web.post(f"/digest/unsubscribe/{bad}").status_code == 400
        assert web.get(f"/digest/unsubscribe/{bad}").status_code == 400
    assert preference_of(db, workspace.id, team["en"]) == "weekly"
    assert preference_of(db, workspace.id, team["fr"]) == "weekly"


def logged_in(web, db, user_id: int) -> TestClient:
    with db.session() as session:
        cookie, _ = sessions.create_session(session, session.get(User, user_id))
    web.cookies.set("ecoute_session", cookie)
    return web


def csrf(web, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', web.get(path).text)
    assert match
    return match.group(1)


def test_the_preferences_page_saves_a_choice_and_refuses_a_bad_hour(db, workspace, team, web):
    client = logged_in(web, db, team["fr"])
    page = client.get("/w/acme/digest")
    assert page.status_code == 200 and "Résumé par e-mail" in page.text and "Chaque jour" in page.text

    saved = client.post(
        "/w/acme/digest",
        data={
            "frequency": "daily",
            "hour": "7",
            "weekday": "0",
            "csrf_token": csrf(client, "/w/acme/digest"),
        },
    )
    bad = client.post(
        "/w/acme/digest",
        data={"frequency": "daily", "hour": "25", "csrf_token": csrf(client, "/w/acme/digest")},
    )
    wrong = client.post(
        "/w/acme/digest", data={"frequency": "hourly", "csrf_token": csrf(client, "/w/acme/digest")}
    )

    assert saved.status_code == 303
    assert preference_of(db, workspace.id, team["fr"]) == "daily"
    assert bad.status_code == 400 and "hour" in bad.text
    assert wrong.status_code == 400 and "frequency" in wrong.text
    preview = client.get("/w/acme/digest/preview?period=daily")
    assert preview.status_code == 200 and "Résumé du jour" in preview.text
    assert "style-src 'unsafe-inline'" in preview.headers["content-security-policy"]


def test_the_slack_variant_reaches_the_webhook_once(db, workspace, team):
    with running_receiver(signed=False) as receiver, running_smtp() as inbox:
        settings = mail_settings(inbox.port, webhook_allow_private="127.0.0.1")
        with db.session() as session:
            set_slack(
                session,
                session.get(Workspace, workspace.id),
                settings,
                url=receiver.url,
                frequency="weekly",
                hour=8,
                weekday=0,
            )
            stored = session.get(Workspace, workspace.id).settings["digest_slack"]["url"]
        first = send_due(db, settings, now=MONDAY)
        second = send_due(db, settings, now=MONDAY + timedelta(minutes=15))

    assert (first.sent, first.failed, second.sent, second.failed) == (3, 0, 0, 0), first.errors

    assert receiver.url not in stored  # sealed at rest
    assert len(receiver.requests) == 1
    payload = json.loads(receiver.requests[0].body)
    assert "votre semaine" in payload["text"]  # the workspace's language (fr)
    assert payload["blocks"][0]["type"] == "header" and len(payload["blocks"]) <= 50
    body = json.dumps(payload, ensure_ascii=False)
    assert f"https://ecoute.example/w/acme/c/{team['waiting']}" in body and "globex" not in body


def test_the_command_previews_and_sends_one(db, db_url, workspace, team, tmp_path):
    preview = ecoute(
        ["digest", "send", "-w", "acme", "--user", "john@acme.example", "--period", "daily", "--dry-run"],
        db_url,
        tmp_path,
    )
    assert preview.returncode == 0, preview.stderr
    assert "Daily digest" in preview.stdout and "NEEDS AN ANSWER" in preview.stdout

    with running_smtp() as inbox:
        env = {
            "ECOUTE_SMTP_HOST": "127.0.0.1",
            "ECOUTE_SMTP_PORT": str(inbox.port),
            "ECOUTE_SMTP_SECURITY": "none",
        }
        sent = ecoute(
            ["digest", "send", "-w", "acme", "--user", "claire@acme.example"], db_url, tmp_path, **env
        )
        twice = ecoute(
            ["digest", "send", "-w", "acme", "--user", "claire@acme.example"], db_url, tmp_path, **env
        )
    assert sent.returncode == 0, sent.stderr
    assert twice.returncode == 0 and "already sent" in twice.stderr
    assert (
        len(inbox.messages) == 1
        and "Résumé de la semaine" in inbox.messages[0][2].get_body(("plain",)).get_content()
    )

    stranger = ecoute(
        ["digest", "send", "-w", "acme", "--user", "nobody@example.org", "--dry-run"], db_url, tmp_path
    )
    assert stranger.returncode == 2 and "--user" in stranger.stderr


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 10, 6, 5, 30, tzinfo=UTC), None),  # 07:30 in Paris: not yet
        (datetime(2026, 10, 6, 6, 0, tzinfo=UTC), date_range := ("2026-10-05", "2026-10-05")),
        (datetime(2026, 10, 6, 11, 59, tzinfo=UTC), date_range),
        (datetime(2026, 10, 6, 12, 1, tzinfo=UTC), None),  # more than 6 hours late
        (
            datetime(2026, 10, 26, 7, 0, tzinfo=UTC),
            ("2026-10-25", "2026-10-25"),
        ),  # the day after the clocks went back
    ],
)
def test_daily_periods_follow_the_local_clock(now, expected):
    period = schedule.due("daily", 8, 0, now, "Europe/Paris")
    assert (
        None if period is None else (period.first_day.isoformat(), period.last_day.isoformat())
    ) == expected
    if period is not None and expected == ("2026-10-25", "2026-10-25"):
        assert period.end - period.start == timedelta(hours=25)
