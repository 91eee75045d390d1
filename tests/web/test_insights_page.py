"""The Insights page: volume, sentiment and share of voice counted from the period's visible
mentions, against the period before; every segment drills down to exactly its mentions."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest

import inbox_factories
from ecoute.insights.listening import Period, listening
from ecoute.store import repo
from ecoute.store.models import Mention, MentionBrand
from ecoute.web.pages import insights as insights_page

# Thursday 8 October 2026, 15:00 in Paris: the 7-day period is 2–8 October (Paris days).
NOW = datetime(2026, 10, 8, 13, 0, tzinfo=UTC)


def _mention(db, workspace, at: datetime, *, sentiment="negative", platform="x", lang="fr", likes=0, **kw):
    conv = inbox_factories.conversation(db, workspace, sentiment=sentiment, lang=lang, **kw)
    with db.session() as session:
        mention = session.query(Mention).filter(Mention.conversation_id == conv.id).one()
        mention.created_at, mention.platform, mention.likes = at, platform, likes
        return conv.id, mention.id


def _link(db, workspace, mention_id: int, brand_id: int) -> None:
    with db.session() as session:
        session.add(MentionBrand(mention_id=mention_id, brand_id=brand_id, workspace_id=workspace.id))


@pytest.fixture
def seeded(db, workspace, other_workspace):
    with db.session() as session:
        ours = repo.add_brand(session, workspace.id, "Cyclune")
        rival = repo.add_brand(session, workspace.id, "Kipwatt", competitor_of="Cyclune")
    day = datetime(2026, 10, 8, 8, 0, tzinfo=UTC)
    made = {
        "neg_today_x": _mention(db, workspace, day),
        "neg_today_x2": _mention(db, workspace, day + timedelta(hours=1)),
        "neg_yesterday": _mention(db, workspace, day - timedelta(days=1)),
        "pos_today_masto": _mention(db, workspace, day, sentiment="positive", platform="mastodon", likes=10),
        # 23:30 UTC on 6 October is 01:30 on 7 October in Paris.
        "pos_late": _mention(db, workspace, datetime(2026, 10, 6, 23, 30, tzinfo=UTC), sentiment="positive",
                             platform="mastodon", lang="en", likes=5),
        "previous": _mention(db, workspace, day - timedelta(days=9), sentiment="positive"),
        "hidden": _mention(db, workspace, day),
        "theirs": _mention(db, other_workspace, day),
    }  # fmt: skip
    with db.session() as session:
        session.get(Mention, made["hidden"][1]).hidden = True
    for key in ("neg_today_x", "neg_yesterday", "previous"):
        _link(db, workspace, made[key][1], ours.id)
    for key in ("pos_today_masto", "pos_late"):
        _link(db, workspace, made[key][1], rival.id)
    return made, ours, rival


def test_the_figures_count_the_periods_visible_mentions(db, workspace, seeded):
    made, ours, rival = seeded
    period = Period.ending(NOW, 7, "Europe/Paris")
    with db.session() as session:
        data = listening(session, workspace.id, period)

    assert (data.total.mentions, data.total.negative, data.total.positive) == (5, 3, 2)
    assert data.total.net == pytest.approx(-0.2)
    assert data.total.engagement == 15
    assert (data.previous.mentions, data.previous.positive) == (1, 1)
    assert data.by_day[date(2026, 10, 8)].mentions == 3
    assert data.by_day[date(2026, 10, 7)].mentions == 2  # yesterday's, and the late one in Paris time
    assert data.by_day[date(2026, 10, 6)].mentions == 0
    assert data.by_platform["mastodon"] == {date(2026, 10, 8): 1, date(2026, 10, 7): 1}
    assert data.by_language["en"] == {date(2026, 10, 7): 1}
    shares = {b.name: b for b in data.brands}
    assert shares["Cyclune"].tally.mentions == 2 and shares["Cyclune"].previous.mentions == 1
    assert shares["Kipwatt"].competitor and shares["Kipwatt"].tally.engagement == 15
    assert data.share(shares["Cyclune"], "mentions") == pytest.approx(0.5)
    assert data.share(shares["Kipwatt"], "engagement") == pytest.approx(1.0)
    assert shares["Kipwatt"].tally.net == pytest.approx(1.0)


def _segments(page: str, chart: str) -> dict[str, str]:
    svg = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', page, re.S).group(0)
    return {
        html.unescape(title): html.unescape(href)
        for href, title in re.findall(r'<a href="([^"]+)"><rect[^>]*><title>([^<]+)</title>', svg)
    }


def _ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<li class="row[^"]*" data-id="(\d+)"', page)}


def test_the_page_in_both_languages_drills_down_to_exactly_its_mentions(
    owner, workspace, seeded, monkeypatch
):
    made, _ours, _rival = seeded
    monkeypatch.setattr(insights_page, "current_time", lambda: NOW)

    english = owner.get("/w/acme/insights?days=7", headers={"accept-language": "en"})
    french = owner.get("/w/acme/insights?days=7", headers={"accept-language": "fr"}).text

    assert english.status_code == 200
    assert "<h1>Insights</h1>" in english.text and "<h1>Tendances</h1>" in french
    assert 'data-table="volume"' in english.text and 'data-table="sentiment"' in english.text
    assert re.search(r'data-figure="mentions">\s*<h2>Mentions</h2>\s*<p class="big">5</p>', english.text)
    negative = _segments(english.text, "chart-sentiment")["Oct 8 · Negative · 2 mentions"]
    listed = _ids(owner.get(negative).text)
    assert listed == {made["neg_today_x"][0], made["neg_today_x2"][0]}
    mastodon = _segments(english.text, "chart-volume")["Oct 7 · Mastodon · 1 mention"]
    assert _ids(owner.get(mastodon).text) == {made["pos_late"][0]}
    by_brand = owner.get("/w/acme/insights?days=7&by=brand", headers={"accept-language": "en"}).text
    cyclune = _segments(by_brand, "chart-volume")["Oct 8 · Cyclune · 1 mention"]
    assert _ids(owner.get(cyclune).text) == {made["neg_today_x"][0]}


def test_bad_choices_are_refused_and_other_workspaces_see_nothing(owner, login_as, other_workspace, seeded):
    assert owner.get("/w/acme/insights?days=31").status_code == 400
    assert owner.get("/w/acme/insights?by=mood").status_code == 400
    assert owner.get("/w/globex/insights").status_code in (403, 404)


def test_the_inbox_can_select_conversations_by_their_mentions(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace, sentiment="negative", replies=["Merci, c'est réglé"])
    with db.session() as session:
        reply = (
            session.query(Mention).filter(Mention.conversation_id == conv.id, Mention.kind == "reply").one()
        )
        reply.sentiment = "positive"

    by_conversation = owner.get("/w/acme/?status=all&sentiment=positive").text
    by_mention = owner.get("/w/acme/?status=all&sentiment=positive&scope=mentions").text

    assert _ids(by_conversation) == set()
    assert _ids(by_mention) == {conv.id}
    assert owner.get("/w/acme/?scope=everything").status_code == 400


def test_topics_show_their_figures_typical_posts_and_drill_down(owner, db, workspace, seeded, monkeypatch):
    import numpy as np

    from ecoute.topics.models import MentionTopic, MentionVector, Topic
    from ecoute.topics.packing import pack

    made, _ours, _rival = seeded
    monkeypatch.setattr(insights_page, "current_time", lambda: NOW)
    centre = np.ones(8, dtype=np.float32) / np.sqrt(8)
    with db.session() as session:
        outage = Topic(workspace_id=workspace.id, label="panne verrou", size=2, centroid=pack(centre))
        praise = Topic(workspace_id=workspace.id, label="livraison rapide", name="Livraison", size=1)
        session.add_all([outage, praise])
        session.flush()
        for key, topic in (("neg_today_x", outage), ("neg_yesterday", outage), ("pos_late", praise)):
            mention_id = made[key][1]
            session.add(MentionTopic(mention_id=mention_id, workspace_id=workspace.id, topic_id=topic.id))
            near = centre if key == "neg_yesterday" else np.roll(centre * np.arange(8), 1)
            session.add(MentionVector(mention_id=mention_id, workspace_id=workspace.id, encoder="e5+use",
                                      vector=pack(near / np.linalg.norm(near))))  # fmt: skip
        session.flush()
        ids = outage.id, praise.id

    page = owner.get("/w/acme/insights?days=7", headers={"accept-language": "en"}).text

    table = re.search(r'<table data-table="topics">.*?</table>', page, re.S).group(0)
    rows = re.findall(r'<tr data-topic="(\d+)">', table)
    assert rows == [str(ids[0]), str(ids[1])]  # the larger first
    assert ">Livraison</a>" in table  # an agent's name wins over the label
    outage_row = table.split(f'data-topic="{ids[0]}"')[1].split("</tr>")[0]
    typical, other = f"/c/{made['neg_yesterday'][0]}", f"/c/{made['neg_today_x'][0]}"
    assert outage_row.index(typical) < outage_row.index(other)  # the closest to the topic's centre first
    link = html.unescape(re.search(r'<a href="([^"]+)">panne verrou</a>', table).group(1))
    assert _ids(owner.get(link).text) == {made["neg_today_x"][0], made["neg_yesterday"][0]}


def _charts(owner, url: str, lang: str = "en", fresh: bool = False) -> str:
    """The volume and sentiment sections of the page (charts, legends, tables); with ``fresh``,
    drawn without the rendered-chart cache."""
    if fresh:
        insights_page.CHARTS.clear()
    page = owner.get(url, headers={"accept-language": lang}).text
    return "".join(re.findall(r'<section class="card" id="(?:volume|sentiment)">.*?</section>', page, re.S))


def test_kept_charts_are_the_charts_drawn_afresh_after_every_kind_of_change(
    owner, db, workspace, seeded, monkeypatch
):
    from ecoute.insights import rollups

    made, _ours, rival = seeded
    monkeypatch.setattr(insights_page, "current_time", lambda: NOW)
    url, by_brand = "/w/acme/insights?days=7", "/w/acme/insights?days=7&by=brand"
    insights_page.CHARTS.clear()

    def same_as_fresh(page_url: str = url, lang: str = "en") -> str:
        kept = _charts(owner, page_url, lang)
        assert kept == _charts(owner, page_url, lang, fresh=True)
        return kept

    first = same_as_fresh()
    hits = insights_page.CHARTS.hits
    assert _charts(owner, url) == first and insights_page.CHARTS.hits == hits + 2  # nothing changed: kept
    french = same_as_fresh(lang="fr")
    assert french != first and "Négatif" in french

    def changed(change, page_url: str = url) -> None:
        before = _charts(owner, page_url)
        change()
        after = same_as_fresh(page_url)
        assert after != before, change.__name__

    def new_mention_today() -> None:
        _mention(
            db, workspace, datetime(2026, 10, 8, 9, 0, tzinfo=UTC), sentiment="neutral", platform="bluesky"
        )

    def hide_one() -> None:
        with db.session() as session:
            session.get(Mention, made["neg_today_x2"][1]).hidden = True

    def new_sentiment() -> None:
        with db.session() as session:
            session.get(Mention, made["neg_yesterday"][1]).sentiment = "positive"

    def link_a_brand() -> None:
        _link(db, workspace, made["neg_yesterday"][1], rival.id)

    for change in (new_mention_today, hide_one, new_sentiment):
        changed(change)
    changed(link_a_brand, by_brand)

    # Whole days now read from the roll-ups instead of the mentions: the same figures, the same charts.
    counted = _charts(owner, url)
    rollups.refresh(db, workspace.id, workspace.timezone, NOW)
    assert same_as_fresh() == counted


def test_every_segment_links_to_its_day_and_series_as_the_inbox_reads_them(owner, seeded, monkeypatch):
    from urllib.parse import urlencode

    monkeypatch.setattr(insights_page, "current_time", lambda: NOW)
    period = Period.ending(NOW, 7, "Europe/Paris")
    names = {d.strftime("%b %-d"): d for d in period.day_list}
    page = owner.get("/w/acme/insights?days=7&by=platform", headers={"accept-language": "en"}).text
    segments = {**_segments(page, "chart-volume"), **_segments(page, "chart-sentiment")}
    assert len(segments) >= 5
    for title, href in segments.items():
        day_name, series, _n = title.split(" · ")
        since, until = period.day_bounds(names[day_name])
        label = (
            {"sentiment": series.lower()}
            if series in ("Negative", "Neutral", "Positive")
            else {"platform": {"X": "x", "Mastodon": "mastodon"}[series]}
        )
        query = {"status": "all", "scope": "mentions", "since": since.isoformat(), "until": until.isoformat()}
        assert href == "/w/acme/?" + urlencode({**query, **label}), title
