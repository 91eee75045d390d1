"""Reports in the app: the HTML page in French and English with its PDF and CSV, and share links
that open a report without logging in until they expire or are revoked, never another workspace's."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import inbox_factories
import report_world
from ecoute.insights.report_models import ReportLink
from ecoute.store.models import AuditEvent
from ecoute.web.pages import reports as reports_page
from report_world import OTHER_SECRET
from web.conftest import csrf_of, log_in

PERIOD = "from=2026-10-02&to=2026-10-08"
NOW = datetime(2026, 10, 9, 10, tzinfo=UTC)


@pytest.fixture
def world(db, workspace, other_workspace, monkeypatch):
    monkeypatch.setattr(reports_page, "current_time", lambda: NOW)
    return report_world.build(db, workspace, other_workspace)


@pytest.fixture
def anonymous(app):
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def _share(client: TestClient, **fields: str) -> str:
    """Creates a share link from the links page and returns its public path."""
    page = client.get(f"/w/acme/report/links?{PERIOD}").text
    data = {"from": "2026-10-02", "to": "2026-10-08", "csrf_token": csrf_of(page), **fields}
    answer = client.post("/w/acme/report/links", data=data)
    assert answer.status_code == 200, answer.text
    url = html.unescape(re.search(r'<code id="new-link">([^<]+)</code>', answer.text).group(1))
    return url[url.index("/r/") :]


def test_the_report_page_in_both_languages_with_its_pdf_and_csv(owner, world):
    english = owner.get(f"/w/acme/report?{PERIOD}&brand={world.ours.id}", headers={"accept-language": "en"})
    french = owner.get(f"/w/acme/report?{PERIOD}&brand=Cyclune", headers={"accept-language": "fr"})

    assert english.status_code == 200 and french.status_code == 200
    assert "<h1>Report · Cyclune</h1>" in english.text and "<h1>Rapport · Cyclune</h1>" in french.text
    assert english.headers["x-robots-tag"] == "noindex, nofollow"
    assert english.headers["cache-control"] == "no-store"
    nonce = re.search(r"'nonce-([^']+)'", english.headers["content-security-policy"]).group(1)
    assert f'<style nonce="{nonce}">' in english.text  # the app's policy admits its inlined style
    assert "<script" not in english.text
    pdf_link = html.unescape(re.search(r'<a href="([^"]+)" data-download="pdf"', english.text).group(1))
    csv_link = html.unescape(re.search(r'<a href="([^"]+)" data-download="csv"', english.text).group(1))
    pdf, table = owner.get(pdf_link), owner.get(csv_link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert table.headers["content-type"].startswith("text/csv")
    assert "headline,mentions,Mentions,count,2," in table.text
    insights = owner.get("/w/acme/insights?days=7").text
    assert re.search(
        r'<a class="button report-button" href="/w/acme/report\?from=[0-9-]+&amp;to=[0-9-]+"', insights
    )


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "to=2026-13-01",
        "from=2026-10-08&to=2026-10-01",
        "from=2020-01-01&to=2026-10-01",
        "brand=Nobody",
        "format=xlsx",
        "lang=de",
    ],
)
def test_bad_choices_are_a_clear_400(owner, world, query):
    answer = owner.get(f"/w/acme/report?{query}")

    assert answer.status_code == 400
    assert re.search(r"from|to|brand|format|lang", answer.text)


def test_a_share_link_opens_the_report_without_login_until_revoked(db, owner, anonymous, world):
    path = _share(owner, brand=str(world.ours.id), lang="en", days="7")

    shared = anonymous.get(path)
    pdf = anonymous.get(path + "?format=pdf")

    assert shared.status_code == 200 and "<h1>Report · Cyclune</h1>" in shared.text
    assert shared.headers["x-robots-tag"] == "noindex, nofollow"
    assert shared.headers["cache-control"] == "no-store"
    assert 'class="toolbar"' not in shared.text  # nothing of the desk in a shared copy
    assert OTHER_SECRET not in shared.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    links = owner.get("/w/acme/report/links").text
    link_id = re.search(r'<tr data-link="(\d+)" data-state="open">', links).group(1)
    token = csrf_of(links)
    assert owner.post(f"/w/acme/report/links/{link_id}/revoke", data={"csrf_token": token}).status_code == 303
    assert anonymous.get(path).status_code == 404
    assert 'data-state="revoked"' in owner.get("/w/acme/report/links").text
    with db.session() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        stored = session.scalars(select(ReportLink.token_hash)).all()
    assert [a for a in actions if a.startswith("report_link.")] == [
        "report_link.created",
        "report_link.opened",
        "report_link.opened",
        "report_link.revoked",
    ]
    assert path.removeprefix("/r/") not in stored  # only its digest is kept


def test_an_expired_or_unknown_link_is_not_found(db, owner, anonymous, world):
    path = _share(owner, lang="fr", days="1")
    assert "<h1>Rapport · Toutes les marques</h1>" in anonymous.get(path).text

    with db.session() as session:
        session.scalars(select(ReportLink)).one().expires_at = NOW - timedelta(seconds=1)

    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/r/" + "x" * 43).status_code == 404
    assert anonymous.get("/r/short").status_code == 400  # not even a token
    assert 'data-state="expired"' in owner.get("/w/acme/report/links").text


def test_only_agents_and_up_share_and_no_workspace_reaches_another(
    app, db, login_as, owner, anonymous, other_workspace, world
):
    viewer, agent = login_as("viewer"), login_as("agent")
    assert viewer.get(f"/w/acme/report?{PERIOD}").status_code == 200
    assert "data-share" not in viewer.get(f"/w/acme/report?{PERIOD}").text
    assert viewer.get("/w/acme/report/links").status_code == 403
    path = _share(agent)
    stranger = inbox_factories.user(db, other_workspace, "owner")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as theirs:
        log_in(theirs, stranger.email)
        assert theirs.get(f"/w/acme/report?{PERIOD}").status_code == 404
        links = theirs.get("/w/globex/report/links").text
        assert "data-link=" not in links  # acme's link is not listed in globex
        link_id = db_link_id(db)
        revoke = theirs.post(f"/w/globex/report/links/{link_id}/revoke", data={"csrf_token": csrf_of(links)})
        assert revoke.status_code == 404
        their_report = theirs.get("/w/globex/report?from=2026-10-02&to=2026-10-08").text
        assert "Cyclune" not in their_report and "Globex" in their_report
    assert anonymous.get(path).status_code == 200  # still open: the stranger could not revoke it
    assert anonymous.get(f"/w/acme/report?{PERIOD}").status_code in (303, 401)


def db_link_id(db) -> int:
    with db.session() as session:
        return session.scalars(select(ReportLink.id)).one()


@pytest.mark.parametrize(
    "fields",
    [
        {"days": "0"},
        {"days": "many"},
        {"days": "400"},
        {"from": "soon"},
        {"brand": "Nobody"},
        {"lang": "de"},
        {"from": "2026-10-08", "to": "2026-10-01"},
    ],
)
def test_a_bad_share_link_is_a_clear_400_and_nothing_is_stored(db, owner, world, fields):
    page = owner.get("/w/acme/report/links").text
    data = {"from": "2026-10-02", "to": "2026-10-08", "csrf_token": csrf_of(page), **fields}

    answer = owner.post("/w/acme/report/links", data=data)

    assert answer.status_code == 400
    assert re.search(r"days|from|to|brand|lang", answer.text)
    with db.session() as session:
        assert session.scalars(select(ReportLink)).all() == []
