"""The report: the Insights figures for one brand (or all) and a period, response metrics, topics,
notable posts and alerts; as self-contained HTML in French and English, as CSV rows and as a PDF."""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

import report_world
from ecoute.incidents.models import IncidentLink
from ecoute.incidents.opening import open_from_alert
from ecoute.insights.report import build_report, find_brand
from ecoute.insights.report_csv import report_csv
from ecoute.insights.report_pdf import html_to_pdf
from ecoute.insights.response_metrics import response_report
from ecoute.store.models import Workspace
from ecoute.store.repo import Invalid, NotFound
from ecoute.web.pages.report_view import render_report
from report_world import FIRST, LAST, OTHER_SECRET


@pytest.fixture
def world(db, workspace, other_workspace):
    return report_world.build(db, workspace, other_workspace)


def _report(db, workspace, brand=None, first=FIRST, last=LAST):
    with db.session() as session:
        ws = session.get(Workspace, workspace.id)
        return build_report(session, ws, first, last, find_brand(session, ws.id, brand) if brand else None)


def test_a_brand_report_counts_only_that_brands_visible_mentions(db, workspace, world):
    report = _report(db, workspace, "cyclune")  # names are found whatever their case

    figures = report.listening
    assert report.brand == "Cyclune" and report.period.days == 7
    assert (figures.total.mentions, figures.total.negative, figures.total.positive) == (2, 1, 1)
    assert figures.previous.mentions == 0
    assert [b.name for b in figures.brands] == ["Cyclune", "Kipwatt"]  # the brand against its rival
    assert report.own_share == pytest.approx(2 / 3)
    assert [p.mention_id for p in report.most_engaged] == [world.mentions["angry"], world.mentions["happy"]]
    assert [p.mention_id for p in report.most_negative] == [world.mentions["angry"]]
    assert [a.alert_id for a in report.alerts] == [world.alert_id]
    assert report.incidents == []


def test_the_whole_workspace_report_compares_own_brands_with_competitors(db, workspace, world):
    report = _report(db, workspace)

    assert report.brand is None
    assert report.listening.total.mentions == 3 and report.listening.previous.mentions == 1
    assert report.own_share == pytest.approx(2 / 3)
    assert [p.mention_id for p in report.most_negative] == [world.mentions["angry"], world.mentions["rival"]]
    with db.session() as session:
        expected = response_report(session, session.get(Workspace, workspace.id), since=FIRST, until=LAST)
    assert report.responses == expected.total


def test_a_competitors_report_compares_it_with_the_brand_it_competes_with(db, workspace, world):
    report = _report(db, workspace, str(world.rival.id))

    assert report.brand == "Kipwatt" and report.listening.total.mentions == 1
    assert {b.name for b in report.listening.brands} == {"Cyclune", "Kipwatt"}
    assert report.own_share == pytest.approx(1 / 3)


def test_bad_brands_and_periods_are_refused(db, workspace, other_workspace, world):
    with db.session() as session, pytest.raises(NotFound):
        find_brand(session, workspace.id, "Globex")  # another workspace's brand
    with pytest.raises(Invalid, match="ends before"):
        _report(db, workspace, first=LAST, last=FIRST)
    with pytest.raises(Invalid, match="at most 366 days"):
        _report(db, workspace, first=FIRST.replace(year=2024), last=LAST)


def test_the_html_is_self_contained_in_french_and_english(db, workspace, world):
    report = _report(db, workspace, "Cyclune")

    english, french = render_report(report, "en"), render_report(report, "fr")

    for page in (english, french):
        assert "<script" not in page and "<link" not in page and " src=" not in page
        assert re.search(r"<style>.*svg\.chart", page, re.S)  # its style travels inside it
        assert 'data-chart="chart-volume"' in page and 'data-chart="chart-sentiment"' in page
        assert 'data-table="volume"' in page and 'data-table="share"' in page
        assert f'data-alert="{world.alert_id}"' in page
        assert OTHER_SECRET not in page and "Message masqué" not in page
    assert '<html lang="en">' in english and "<h1>Report · Cyclune</h1>" in english
    assert "October 2, 2026" in english and "Spike in mentions" in english
    assert '<html lang="fr">' in french and "<h1>Rapport · Cyclune</h1>" in french
    assert "2 octobre 2026" in french and "Part de voix" in french
    figure = re.search(r'data-figure="mentions">.*?class="big">([^<]+)<', english, re.S).group(1)
    assert figure == "2"


def test_the_csv_holds_the_figures_as_flat_rows(db, workspace, world):
    rows = list(csv.DictReader(io.StringIO(report_csv(_report(db, workspace)))))

    assert list(rows[0]) == ["section", "key", "label", "metric", "value", "previous"]
    by = {(r["section"], r["key"], r["metric"]): r for r in rows}
    assert by[("headline", "mentions", "count")]["value"] == "3"
    assert by[("headline", "mentions", "count")]["previous"] == "1"
    assert by[("volume", "2026-10-07", "mentions")]["label"] in {"mastodon", "x"}
    assert by[("sentiment", "2026-10-08", "mentions")]["label"] in {"positive", "neutral", "negative"}
    assert by[("share_of_voice", str(world.ours.id), "mentions")]["value"] == "2"
    assert by[("alerts", str(world.alert_id), "observed")]["previous"] == "4.2"
    negative = by[("most_negative", str(world.mentions["rival"]), "engagement")]
    assert negative["label"].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert OTHER_SECRET not in report_csv(_report(db, workspace))


def test_the_pdf_has_pages_with_the_brand_and_its_figures(db, workspace, world):
    pdf = html_to_pdf(render_report(_report(db, workspace, "Cyclune"), "en"))

    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Report · Cyclune" in text and "Share of voice" in text and "Mentions" in text


def test_an_incident_of_the_period_is_in_the_report_with_its_people(db, workspace, world):
    with db.session() as session:
        incident = open_from_alert(session, workspace.id, world.alert_id, user_id=None, actor="test")
        title = incident.title
        affected = session.scalar(
            select(func.count()).select_from(IncidentLink).where(IncidentLink.incident_id == incident.id)
        )

    report = _report(db, workspace)

    assert [(line.title, line.status) for line in report.incidents] == [(title, "investigating")]
    assert report.incidents[0].affected == affected and report.incidents[0].updated == 0
    html = render_report(report, "en")
    assert "data-incidents" in html and title in html and "Investigating" in html
    rows = list(csv.reader(io.StringIO(report_csv(report))))
    assert any(row[0] == "incidents" and title in row[2] for row in rows)
