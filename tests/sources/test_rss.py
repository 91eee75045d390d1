"""RssSource polling real fixture feeds from a local HTTP server that speaks conditional GET."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, SourceError
from ecoute.sources.rss import SEEN_IDS_LIMIT, RssSource
from feedserver import FIXTURES, LAST_MODIFIED, FeedServer, running_feed_server


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running_feed_server() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> RssSource:
    app_settings = Settings(overrides={"user_agent": "EcouteTest/1.0", "http_retries": "3"}, environ={})
    return RssSource(app_settings, sleep=sleeps.append)


def test_rss_source_is_a_connector_registered_under_rss():
    assert isinstance(RssSource(), Connector)
    assert entry_points(group="ecoute.sources")["rss"].load() is RssSource


def test_first_poll_turns_each_rss2_entry_into_a_raw_item(server, source):
    server.serve("feed__rss2.xml")

    result = source.poll({"url": server.url}, {})

    first, second, third = result.items
    assert result.not_modified is False
    assert first.platform == "rss"
    assert first.external_id == "https://www.lefilconso.example/?p=48213"
    assert first.text == (
        "Panne géante chez Orangina Télécom : « impossible d'appeler le service client »\n\n"
        "Depuis mardi soir, des milliers d’abonnés signalent une coupure totale du réseau mobile. "
        "L’opérateur évoque un « incident technique » & promet un retour à la normale. "
        "L’article Panne géante chez Orangina Télécom est apparu en premier sur Le Fil Conso."
    )
    assert first.url == "https://www.lefilconso.example/2025/03/05/panne-orangina-telecom/"
    assert first.author == "Camille Moreau"
    assert first.created_at == datetime(2025, 3, 5, 7, 15, tzinfo=UTC)
    assert first.kind == "post"
    assert first.location == f"{server.url} entry 1"
    assert [tag["term"] for tag in first.raw["tags"]] == ["Télécoms", "Pannes"]
    assert first.raw["feed"]["title"] == "Le Fil Conso — actualité consommation"
    assert json.loads(first.original) == first.raw
    assert second.author == "Julien Petit"  # from "redaction@… (Julien Petit)"
    assert second.created_at == datetime(2025, 3, 4, 16, 40, 12, tzinfo=UTC)
    assert third.external_id == "https://www.lefilconso.example/2025/03/03/rapido-express-delais/"
    assert third.text.endswith("dans les délais annoncés. Un progrès net par rapport à l'an dernier.")


def test_first_poll_saves_validators_and_seen_ids_in_the_cursor(server, source):
    server.serve("feed__rss2.xml")

    result = source.poll({"url": server.url}, {})

    assert result.cursor == {
        "etag": server.etag,
        "last_modified": LAST_MODIFIED,
        "seen_ids": [item.external_id for item in result.items],
    }
    assert server.requests[0]["User-Agent"] == "EcouteTest/1.0"
    assert "If-None-Match" not in server.requests[0]


def test_second_poll_is_conditional_and_304_means_not_modified(server, source):
    server.serve("feed__rss2.xml")
    first = source.poll({"url": server.url}, {})

    second = source.poll({"url": server.url}, first.cursor)

    assert server.requests[1]["If-None-Match"] == server.etag
    assert server.requests[1]["If-Modified-Since"] == LAST_MODIFIED
    assert second.not_modified is True
    assert second.items == []
    assert second.cursor == first.cursor


def test_a_server_ignoring_conditional_get_only_yields_entries_not_seen_before(server, source):
    server.ignore_conditional = True
    server.serve("feed__rss2.xml")
    first = source.poll({"url": server.url}, {})
    server.serve("feed__rss2_new_item.xml")

    second = source.poll({"url": server.url}, first.cursor)

    assert second.not_modified is False
    assert [item.external_id for item in second.items] == ["https://www.lefilconso.example/?p=48230"]
    assert second.cursor["seen_ids"][:2] == [
        "https://www.lefilconso.example/?p=48230",
        "https://www.lefilconso.example/?p=48213",
    ]
    assert len(second.cursor["seen_ids"]) == 4


def test_seen_ids_stay_bounded_but_keep_every_id_still_in_the_feed(server, source):
    server.serve("feed__rss2.xml")
    old_ids = [f"https://www.lefilconso.example/?p={n}" for n in range(SEEN_IDS_LIMIT + 100)]

    result = source.poll({"url": server.url}, {"seen_ids": old_ids})

    assert len(result.cursor["seen_ids"]) == SEEN_IDS_LIMIT
    assert result.cursor["seen_ids"][:3] == [item.external_id for item in result.items]
    assert result.cursor["seen_ids"][3] == old_ids[0]


def test_youtube_atom_feed_with_a_platform_override(server, source):
    server.serve("feed__atom_youtube.xml")

    result = source.poll({"url": server.url, "platform": "youtube"}, {})

    video = result.items[0]
    assert len(result.items) == 2
    assert video.platform == "youtube"
    assert video.external_id == "yt:video:dQ8wK3vX1aE"
    assert video.url == "https://www.youtube.com/watch?v=dQ8wK3vX1aE"
    assert video.author == "Tests & Déballages"
    assert video.created_at == datetime(2025, 3, 2, 17, 0, 6, tzinfo=UTC)  # published, not updated
    assert video.text == (
        "J'ai testé la box Orangina Fibre pendant 1 mois : mon avis honnête\n\n"
        "Débit, Wi-Fi, service client… tout ce qui va (et ne va pas) avec la box. "
        "Chapitres : 00:00 Intro 03:12 Installation"
    )
    assert video.raw["yt_videoid"] == "dQ8wK3vX1aE"
    assert video.raw["media_statistics"] == {"views": "48211"}


def test_reddit_atom_feed_keeps_ids_as_sent_and_drops_reddits_footer(server, source):
    server.serve("feed__atom_reddit.xml")

    result = source.poll({"url": server.url, "platform": "reddit"}, {})

    self_post, link_post = result.items
    assert self_post.external_id == "t3_1j3qk8z"
    assert self_post.author == "/u/lea_b_31"
    assert self_post.text == (
        "Panne Orangina depuis 2 jours, vous aussi ?\n\n"
        "Ça fait 2 jours que je n'ai plus de réseau chez Orangina, le service client raccroche "
        "au bout de 40 min. Quelqu'un d'autre ?"
    )
    assert link_post.text == "Orangina promet un mois gratuit après la panne"
    assert link_post.created_at == datetime(2025, 3, 5, 7, 48, 31, tzinfo=UTC)


def test_an_unreadable_date_rejects_that_entry_and_keeps_the_others(server, source):
    server.serve("feed__bad_date.xml")

    result = source.poll({"url": server.url}, {})

    before, rejected, after = result.items
    assert isinstance(before, RawItem)
    assert isinstance(after, RawItem)
    assert isinstance(rejected, Rejected)
    assert rejected.field == "created_at"
    assert rejected.location == f"{server.url} entry 2"
    assert rejected.reason == (
        "entry https://boulangerie-martin.example/blog/?p=102: "
        "unreadable published date 'samedi dernier vers midi'"
    )
    assert after.text == "Fermeture exceptionnelle lundi\n\nTravaux dans le fournil : réouverture mardi."


def test_an_undated_entry_takes_the_feeds_date(server, source):
    server.serve("feed__undated_entry.xml")

    result = source.poll({"url": server.url}, {})

    assert result.items[0].created_at == datetime(2025, 3, 4, 16, 0, tzinfo=UTC)


def test_an_entry_with_no_date_anywhere_is_rejected(server, source):
    server.serve("feed__undated_everywhere.xml")

    result = source.poll({"url": server.url}, {})

    assert result.items == [
        Rejected(
            f"{server.url} entry 1",
            "entry https://presse.rapido-express.example/cp/points-relais: "
            "no published or updated date on the entry or the feed",
            field="created_at",
            content=result.items[0].content,
        )
    ]


def test_a_slightly_broken_feed_still_yields_its_entries(server, source):
    server.serve("feed__bozo_entity.xml")  # &nbsp; and &hellip; are not XML entities

    result = source.poll({"url": server.url}, {})

    assert [item.text for item in result.items] == [
        "Livraison rapide !\n\nReçu en 48 h, café excellent.",
        "Moulu trop fin\n\nBouché ma cafetière italienne… dommage.",
    ]


def test_an_html_page_is_a_clear_error_that_points_to_the_real_feed(server, source):
    server.serve("feed__html_not_feed.html")

    with pytest.raises(SourceError) as raised:
        source.poll({"url": server.url}, {})

    assert raised.value.retriable is False
    assert str(raised.value) == (
        f"{server.url} is an HTML page, not an RSS or Atom feed; "
        "the page announces a feed at https://www.lefilconso.example/feed/"
    )


def test_a_body_that_names_a_local_file_is_never_read_from_disk(server, source):
    server.body = str(FIXTURES / "feed__rss2.xml").encode()
    server.content_type = "application/xml"

    with pytest.raises(SourceError) as raised:
        source.poll({"url": server.url}, {})

    assert raised.value.retriable is False
    assert "is not an RSS or Atom feed" in str(raised.value)


def test_429_with_retry_after_is_retried_after_the_injected_sleep(server, source, sleeps):
    server.serve("feed__rss2.xml")
    server.fail_with(429, {"Retry-After": "2"})

    result = source.poll({"url": server.url}, {})

    assert sleeps == [2.0]
    assert len(server.requests) == 2
    assert len(result.items) == 3


def test_three_server_errors_are_a_retriable_source_error(server, source):
    server.serve("feed__rss2.xml")
    server.fail_with(500)
    server.fail_with(503)
    server.fail_with(500)

    with pytest.raises(SourceError) as raised:
        source.poll({"url": server.url}, {})

    assert raised.value.retriable is True
    assert server.url in str(raised.value)


def test_a_feed_that_moved_away_is_not_retriable(server, source):
    server.fail_with(404)

    with pytest.raises(SourceError) as raised:
        source.poll({"url": server.url}, {})

    assert raised.value.retriable is False
    assert str(raised.value) == f"GET {server.url} failed: HTTP 404 Not Found"


def test_a_missing_url_setting_is_a_clear_configuration_error(source):
    with pytest.raises(SourceError) as raised:
        source.poll({"platform": "youtube"}, {})

    assert raised.value.retriable is False
    assert str(raised.value) == "rss source: setting 'url' is required (the feed's address)"
