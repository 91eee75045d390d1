"""What the demo shows of "See" beyond the charts: the Insights page's files of the period's
mentions (CSV and Excel, exactly the mentions it counts) and the demo login's weekly digest, ready
to preview as HTML and as plain text, in English and French."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient

from ecoute import demo
from ecoute.ingest import ingest
from ecoute.insights.listening import Period, listening
from ecoute.web.demo_login import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_digest, ensure_demo_login
from web.conftest import log_in


@pytest.fixture
def demo_owner(app, db):
    setup = demo.setup_workspace(db)
    ingest(db, setup.workspace, demo.demo_items(datetime.now(UTC)))
    ensure_demo_login(db, setup.workspace)
    ensure_demo_digest(db, setup.workspace)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield log_in(client, DEMO_EMAIL, DEMO_PASSWORD), setup.workspace


def test_the_demo_insights_page_exports_exactly_the_mentions_it_counts(demo_owner, db):
    client, workspace = demo_owner
    page = client.get("/w/demo/insights?days=30", headers={"accept-language": "en"}).text
    links = {
        fmt: html.unescape(href)
        for href, fmt in re.findall(r'href="([^"]+)" download data-export="(\w+)"', page)
    }
    assert set(links) == {"csv", "xlsx"} and "Mentions (Excel)" in page
    french = client.get("/w/demo/insights?days=30", headers={"accept-language": "fr"}).text
    assert "Les mentions de la période, pour un tableur" in french

    with db.session() as session:
        counted = listening(session, workspace.id, Period.ending(datetime.now(UTC), 30, "Europe/Paris"))
    assert counted.total.mentions > 100
    as_csv = client.get(links["csv"])
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) == counted.total.mentions
    assert sum(r["sentiment"] == "negative" for r in rows) == counted.total.negative
    as_xlsx = client.get(links["xlsx"])
    assert as_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == counted.total.mentions + 1  # and the header


def test_the_demo_login_has_a_weekly_digest_ready_to_preview(demo_owner):
    client, workspace = demo_owner
    page = client.get("/w/demo/digest", headers={"accept-language": "en"}).text
    assert re.search(r'value="weekly" checked', page)
    previews = dict(re.findall(r'href="([^"]+)" target="_blank" rel="noopener" data-preview="(\w+)"', page))
    by_kind = {kind: html.unescape(href) for href, kind in previews.items()}
    assert set(by_kind) == {"html", "text"}

    as_html = client.get(by_kind["html"], headers={"accept-language": "en"})
    as_text = client.get(by_kind["text"], headers={"accept-language": "en"})
    assert as_html.headers["content-type"].startswith("text/html") and "<script" not in as_html.text
    assert as_text.headers["content-type"].startswith("text/plain") and "<" not in as_text.text
    assert workspace.name in as_html.text and workspace.name in as_text.text
    figures = re.findall(r"\d+", as_text.text)
    assert any(int(n) > 0 for n in figures)  # the demo's week has mentions to count
    assert client.get(by_kind["text"].replace("format=text", "format=pdf")).status_code == 400
