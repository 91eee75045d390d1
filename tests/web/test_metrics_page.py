"""The response metrics page in-process, on SQLite and PostgreSQL: the figures, the weekly chart and
the breakdown are those of ``response_report`` on the same rows; the CSV downloaded with the browser
session is the API's; any member may read, another workspace is a 404; bad values are a 400 that
says what is wrong; French and English; the top bar links each role to the pages it may open."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

import metrics_data
from ecoute.auth import api_tokens
from ecoute.insights.response_metrics import GROUPINGS, Durations, MetricRow, response_report
from ecoute.store.models import Workspace
from ecoute.web.i18n import translator
from ecoute.web.pages.metrics_view import RATE_TICKS, MetricsFormat, time_ticks, weekly_chart, weeks_of
from web_helpers import session_client

PERIOD = {"from": "2026-10-05", "to": "2026-11-15"}


class Page(HTMLParser):
    """The elements of a page that carry a ``data-…`` attribute, with their text."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "line", "circle", "rect", "polyline"})

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[tuple[str, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        texts: list[str] = []
        values = {k: v or "" for k, v in attrs}
        if any(k.startswith("data-") for k in values):
            self.found.append((tag, values, texts))
        if tag not in self.VOID:
            self.open.append((tag, texts))

    def handle_startendtag(self, tag, attrs):
        if any(k.startswith("data-") for k, _ in attrs):
            self.found.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag):
        while self.open:
            name, _ = self.open.pop()
            if name == tag:
                break

    def handle_data(self, data):
        for _, texts in self.open:
            texts.append(data)

    def all(self, attribute: str) -> list[tuple[dict[str, str], str]]:
        return [(a, " ".join(" ".join(t).split())) for _, a, t in self.found if attribute in a]

    def one(self, attribute: str, value: str) -> tuple[dict[str, str], str]:
        (found,) = [(a, text) for a, text in self.all(attribute) if a[attribute] == value]
        return found


@pytest.fixture
def figures(db, workspace, other_workspace):
    metrics_data.generate(db, workspace, conversations=60, seed=21)
    metrics_data.generate(db, other_workspace, conversations=9, seed=22)


def report(db, workspace, **options):
    with db.session() as session:
        return response_report(session, session.get(Workspace, workspace.id), **options)


def number(text: str) -> float | None:
    return float(text) if text else None


def test_the_figures_are_those_of_the_report(app, db, workspace, figures):
    viewer = session_client(app, db, workspace, "viewer")
    expected = report(db, workspace, since=date(2026, 10, 5), until=date(2026, 11, 15), by="agent")
    fmt = MetricsFormat(translator("en", "Europe/Paris"))

    response = viewer.get(
        "/w/acme/metrics", params={**PERIOD, "by": "agent"}, headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    page = Page(response.text)
    total = expected.total
    rate, rate_text = page.one("data-figure", "response_rate")
    complaints, complaints_text = page.one("data-figure", "complaints_answered_share")
    median, median_text = page.one("data-figure", "median")
    p90, p90_text = page.one("data-figure", "p90")
    assert (number(rate["data-value"]), int(rate["data-answered"]), int(rate["data-conversations"])) == (
        total.response_rate,
        total.answered,
        total.conversations,
    )
    assert (number(complaints["data-value"]), int(complaints["data-answered"])) == (
        total.complaints_answered_share,
        total.complaints_answered,
    )
    assert (number(median["data-value"]), number(median["data-wall"])) == (
        total.first_response_business.median_seconds,
        total.first_response_wall.median_seconds,
    )
    assert (number(p90["data-value"]), number(p90["data-wall"])) == (
        total.first_response_business.p90_seconds,
        total.first_response_wall.p90_seconds,
    )
    assert rate_text.startswith(f"Response rate {fmt.rate(total.response_rate)} {total.answered} of ")
    assert fmt.rate(total.complaints_answered_share) in complaints_text
    assert fmt.duration(total.first_response_business.median_seconds) in median_text
    assert fmt.duration(total.first_response_wall.p90_seconds) in p90_text
    assert 0 < total.answered < total.conversations


@pytest.mark.parametrize("by", GROUPINGS)
def test_every_breakdown_lists_the_reports_groups_then_the_total(app, db, workspace, figures, by):
    viewer = session_client(app, db, workspace, "viewer")
    expected = report(db, workspace, by=by)

    page = Page(viewer.get(f"/w/acme/metrics?by={by}").text)

    rows = [(a["data-key"], int(a["data-conversations"]), int(a["data-answered"]), number(a["data-rate"]))
            for a, _ in page.all("data-key")]  # fmt: skip
    assert rows == [
        (g.key, g.conversations, g.answered, g.response_rate) for g in [*expected.groups, expected.total]
    ]
    assert page.one("data-breakdown", by)
    assert f'<option value="{by}" selected>' in viewer.get(f"/w/acme/metrics?by={by}").text


def test_the_weekly_chart_draws_each_week_and_its_numbers_are_below(app, db, workspace, figures):
    viewer = session_client(app, db, workspace, "viewer")
    weekly = report(db, workspace, by="week")
    weeks, _ = weeks_of(weekly.groups)

    html = viewer.get("/w/acme/metrics", headers={"accept-language": "en"}).text
    page = Page(html)

    assert [a["data-week"] for a, _ in page.all("data-week")] == [w.key for w in weeks]
    start = html.index('data-chart="chart-rate"')
    rate_chart = html[start : html.index("</svg>", start)]
    answered_weeks = [w for w in weeks if w.row is not None]
    assert rate_chart.count("<rect") == len(answered_weeks) > 3
    assert '<title id="chart-rate-title">Response rate per week</title>' in rate_chart
    assert "<desc" in rate_chart and "Week (starting on Monday)" in rate_chart
    assert 'aria-labelledby="chart-rate-title chart-rate-desc"' in html
    assert (
        "<details" in html
        and "<script" not in html[html.index("<main") :]  # the page's content needs no script
        and "http" not in rate_chart.replace("http://www.w3.org", "")
    )
    first = answered_weeks[0]
    _, cells = page.one("data-week", first.key)
    assert f"{first.row.conversations} {first.row.answered}" in cells


def test_the_csv_from_the_page_is_the_apis(app, client, db, workspace, figures):
    viewer = session_client(app, db, workspace, "viewer")
    with db.session() as session:
        token, _ = api_tokens.create_token(session, workspace.id, name="sheet", role="viewer")

    page = viewer.get("/w/acme/metrics.csv", params={**PERIOD, "by": "week"})
    api = client.get(
        "/api/v1/metrics.csv", params={**PERIOD, "by": "week"}, headers={"authorization": f"Bearer {token}"}
    )
    link = Page(viewer.get("/w/acme/metrics", params={**PERIOD, "by": "week"}).text).all("data-csv")

    assert page.status_code == api.status_code == 200
    assert page.text == api.text
    assert page.headers["content-type"] == "text/csv; charset=utf-8"
    assert page.headers["content-disposition"] == 'attachment; filename="ecoute-metrics-acme-by-week.csv"'
    assert [a["href"] for a, _ in link] == ["/w/acme/metrics.csv?from=2026-10-05&to=2026-11-15&by=week"]
    assert page.text.count("\n") == 1 + 1 + len(report(db, workspace, by="week", since=date(2026, 10, 5),
                                                       until=date(2026, 11, 15)).groups)  # fmt: skip


def test_another_workspace_is_not_found_and_each_sees_its_own(app, db, workspace, other_workspace, figures):
    ours = session_client(app, db, workspace, "viewer")
    theirs = session_client(app, db, other_workspace, "owner")

    assert ours.get("/w/globex/metrics").status_code == 404
    assert ours.get("/w/globex/metrics.csv").status_code == 404
    assert ours.get("/w/nowhere/metrics").status_code == 404
    mine = Page(ours.get("/w/acme/metrics").text).one("data-figure", "response_rate")[0]
    other = Page(theirs.get("/w/globex/metrics").text).one("data-figure", "response_rate")[0]
    assert int(mine["data-conversations"]) == report(db, workspace).total.conversations
    assert int(other["data-conversations"]) == report(db, other_workspace).total.conversations
    assert mine["data-conversations"] != other["data-conversations"]


@pytest.mark.parametrize("role", ["viewer", "agent", "admin", "owner"])
def test_every_member_may_read_them(app, db, workspace, role):
    member = session_client(app, db, workspace, role)

    assert member.get("/w/acme/metrics").status_code == 200
    assert member.get("/w/acme/metrics.csv").status_code == 200


def test_without_a_session_it_asks_to_log_in(client):
    response = client.get("/w/acme/metrics?by=week")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fw%2Facme%2Fmetrics%3Fby%3Dweek"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("from=notadate", "“notadate” is not a date"),
        ("to=2026-13-01", "“2026-13-01” is not a date"),
        ("from=0001-01-01", "“0001-01-01” is not a date"),
        ("by=nonsense", "“nonsense” is not a breakdown"),
        ("from=2026-10-10&to=2026-10-01", "The period ends before it starts"),
        ("from=" + "9" * 41, "invalid value for: from"),
    ],
)
def test_bad_values_are_a_400_that_says_what_is_wrong(app, db, workspace, query, says):
    viewer = session_client(app, db, workspace, "viewer")

    page = viewer.get(f"/w/acme/metrics?{query}", headers={"accept-language": "en"})
    as_csv = viewer.get(f"/w/acme/metrics.csv?{query}", headers={"accept-language": "en"})

    assert page.status_code == as_csv.status_code == 400
    assert says in page.text and says in as_csv.text
    assert "data-figure" not in page.text


def test_empty_values_from_the_form_mean_no_limit(app, db, workspace, figures):
    viewer = session_client(app, db, workspace, "viewer")

    page = Page(viewer.get("/w/acme/metrics?from=&to=&by=").text)

    rate, _ = page.one("data-figure", "response_rate")
    assert int(rate["data-conversations"]) == report(db, workspace).total.conversations
    assert page.one("data-breakdown", "agent")


def test_a_workspace_with_nothing_yet_says_so(app, db, workspace):
    viewer = session_client(app, db, workspace, "viewer")

    html = viewer.get("/w/acme/metrics", headers={"accept-language": "en"}).text

    assert "No conversation needing a reply opened in this period." in html
    assert Page(html).one("data-figure", "response_rate")[0]["data-value"] == ""


def test_french_and_english(app, db, workspace, figures):
    viewer = session_client(app, db, workspace, "viewer")
    total = report(db, workspace, by="intent").total

    french = viewer.get("/w/acme/metrics?by=intent", headers={"accept-language": "fr"}).text
    english = viewer.get("/w/acme/metrics?by=intent", headers={"accept-language": "en"}).text

    fr, en = MetricsFormat(translator("fr")), MetricsFormat(translator("en"))
    assert '<html lang="fr">' in french and "Indicateurs de réponse" in french and "Plainte" in french
    assert '<html lang="en">' in english and "Response metrics" in english and "Complaint" in english
    assert fr.rate(total.response_rate) in french and "\xa0%" in fr.rate(total.response_rate)
    assert en.rate(total.response_rate) in english
    assert fr.duration(total.first_response_business.median_seconds) in french
    assert en.duration(total.first_response_business.median_seconds) in english
    assert "Télécharger le CSV" in french and "Download CSV" in english


def test_durations_read_like_people_write_them():
    fr, en = MetricsFormat(translator("fr")), MetricsFormat(translator("en"))

    assert [en.duration(s) for s in (None, 42.4, 720, 3600, 4380, 90000, 172800)] == [
        "—", "42 sec", "12 min", "1 hr", "1 hr 13 min", "1 day 1 hr", "2 days",
    ]  # fmt: skip
    assert fr.duration(4380) == "1\u202fh 13\xa0min"
    assert fr.rate(0.5) == "50\xa0%"


def _row(key: str, conversations: int, answered: int) -> MetricRow:
    none = Durations(0, None, None)
    return MetricRow(key, key, conversations, answered, 0, 0, none, none)


def test_quiet_weeks_stay_on_the_axis_and_a_week_at_zero_differs_from_one_without_anything():
    weeks, cut = weeks_of([_row("2026-W01", 4, 0), _row("2025-W52", 2, 2), _row("2026-W03", 5, 4)])
    short, was_cut = weeks_of([_row("2026-W01", 1, 1), _row("2026-W10", 1, 1)], limit=4)

    chart = weekly_chart(
        weeks,
        lambda row: row.response_rate,
        kind="bars",
        ticks=RATE_TICKS,
        tick_label=str,
        title=lambda week, value: week.key,
        day_label=date.isoformat,
    )

    assert [(w.key, w.monday.isoformat(), w.row is not None) for w in weeks] == [
        ("2025-W52", "2025-12-22", True), ("2026-W01", "2025-12-29", True),
        ("2026-W02", "2026-01-05", False), ("2026-W03", "2026-01-12", True),
    ]  # fmt: skip
    assert not cut and was_cut and [w.key for w in short] == ["2026-W07", "2026-W08", "2026-W09", "2026-W10"]
    full, zero, most = chart.marks
    assert (full.title, zero.title, most.title) == ("2025-W52", "2026-W01", "2026-W03")
    assert full.y == chart.top and full.y + full.height == zero.y + zero.height == chart.bottom
    assert 0 < zero.height < 3 and most.height == pytest.approx(0.8 * full.height, abs=0.05)
    assert [t.label for t in chart.x_ticks][:2] == ["2025-12-22", "2025-12-29"]
    assert time_ticks(None) == [0, 3600] and time_ticks(5000) == [0, 1800, 3600, 5400]
    assert MetricsFormat(translator("en")).time_axis(time_ticks(5000))(5400) == "90 min"


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("viewer", ["inbox", "insights", "alerts", "metrics"]),
        ("agent", ["inbox", "insights", "alerts", "metrics"]),
        ("admin", ["inbox", "insights", "alerts", "metrics", "approvals", "sources", "settings"]),
        ("owner", ["inbox", "insights", "alerts", "metrics", "approvals", "sources", "settings"]),
    ],
)
def test_the_top_bar_links_each_role_to_the_pages_it_may_open(app, db, workspace, role, links):
    member = session_client(app, db, workspace, role)

    page = Page(member.get("/w/acme/metrics").text)

    found = {a["data-nav"]: a for a, _ in page.all("data-nav")}
    assert list(found) == links
    assert found["metrics"].get("aria-current") == "page"
    assert found["inbox"]["href"] == "/w/acme/"
    for key in links:
        assert member.get(found[key]["href"], follow_redirects=True).status_code == 200
