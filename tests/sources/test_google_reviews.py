"""GoogleReviewsSource against a local Business Profile API that serves the fixtures with Google's
paging, OAuth, quota errors and error bodies."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.google_reviews import GoogleReviewsSource
from ecoute.sources.google_reviews.payload import split_translation
from fake_google_reviews import (
    ACCESS_TOKEN,
    ACCOUNT,
    CLIENT_ID,
    CLIENT_SECRET,
    LOCATION,
    REFRESH_TOKEN,
    FakeGoogleReviews,
    fixture,
    running_google_reviews,
)

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)
R = "AbFvOqmLumiereR"
LISTING = f"/v4/accounts/{ACCOUNT}/locations/{LOCATION}/reviews"


@pytest.fixture
def server() -> Iterator[FakeGoogleReviews]:
    with running_google_reviews() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> GoogleReviewsSource:
    return GoogleReviewsSource(APP, sleep=sleeps.append)


def settings_for(server: FakeGoogleReviews, **extra) -> dict:
    base = {
        "account_id": ACCOUNT,
        "location_id": LOCATION,
        "access_token": ACCESS_TOKEN,
        "api_base": server.api_base,
        "token_url": f"{server.url}/token",
        "page_size": "2",
    }
    return seal_secrets({**base, **extra}, APP)


def refreshing(server: FakeGoogleReviews) -> dict:
    return settings_for(
        server,
        access_token=None,
        refresh_token=REFRESH_TOKEN,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def items(result) -> dict[str, RawItem]:
    return {i.external_id: i for i in result.items if isinstance(i, RawItem)}


def test_google_reviews_is_a_registered_connector_that_sends_replies():
    names = {ep.name: ep.value for ep in entry_points(group="ecoute.sources")}
    assert names["google_reviews"] == "ecoute.sources.google_reviews:GoogleReviewsSource"
    assert isinstance(GoogleReviewsSource(APP), Connector)
    assert isinstance(GoogleReviewsSource(APP), ReplySender)


def test_the_first_poll_reads_every_page_with_stars_reviewers_and_replies(server, source):
    result = source.poll(settings_for(server), {})

    heard = items(result)
    assert sorted(heard) == [f"{R}{n}" for n in range(1, 6)]
    assert server.calls(LISTING)[0]["orderBy"] == ["updateTime desc"]
    assert [c.get("pageToken") for c in server.calls(LISTING)] == [None, ["2"], ["4"]]  # three pages of two
    jane, anonymous = heard[f"{R}1"], heard[f"{R}2"]
    assert (jane.rating, jane.kind, jane.author_name, jane.thread_id) == (
        2.0,
        "review",
        "Jane Dupont",
        f"{R}1",
    )
    assert jane.text.startswith("Plats froids") and jane.revision == "2026-11-30T18:02:11.123456Z"
    assert (anonymous.rating, anonymous.author, anonymous.author_name, anonymous.text) == (
        5.0,
        None,
        None,
        "",
    )
    # Google's translation is kept aside; the text is what the reviewer wrote
    assert heard[f"{R}3"].text == "Sehr guter Kaffee, die Terrasse ist etwas laut."
    assert heard[f"{R}3"].raw["translation"].startswith("Very good coffee")
    assert heard[f"{R}5"].text == "Nice croissants but the queue was long."
    # the reply already given on Google is handed on, to be recorded on the conversation
    assert [(a.in_reply_to, a.at) for a in result.answered] == [(f"{R}4", "2026-11-28T08:00:00Z")]
    assert result.answered[0].text.startswith("Bonjour Léa")
    assert result.deleted == []


def test_a_later_poll_stops_at_the_high_water_mark_and_hears_an_edit(server, source):
    settings = settings_for(server)
    first = source.poll(settings, {})
    requests_before = len(server.calls(LISTING))

    quiet = source.poll(settings, first.cursor)
    quiet_requests = len(server.calls(LISTING)) - requests_before
    server.add(fixture("review__edited.json"))
    edited = source.poll(settings, quiet.cursor)

    assert quiet.items == [] and quiet_requests == 1  # one page asked, nothing newer on it
    [item] = edited.items
    assert (item.external_id, item.rating, item.revision) == (f"{R}1", 4.0, "2026-12-02T10:00:00Z")
    assert "remboursée" in item.text


def test_a_full_listing_tells_the_reviews_removed_and_only_then(server, source):
    due = settings_for(server, relist_hours="0")  # every poll reads the whole listing
    first = source.poll(due, {})
    server.delete(f"{R}3")

    incremental = source.poll(settings_for(server), first.cursor)  # the full listing is not due yet
    full = source.poll(due, first.cursor)

    assert incremental.deleted == []
    assert full.deleted == [f"{R}3"]
    assert f"{R}3" not in full.cursor["known"]


def test_an_unreadable_review_is_rejected_naming_its_field_and_the_others_kept(server, source):
    server.add(fixture("review__bad_rating.json"))

    result = source.poll(settings_for(server), {})

    [bad] = [i for i in result.items if isinstance(i, Rejected)]
    assert bad.field == "reviews[0].starRating" and "SIX" in bad.reason
    assert len(items(result)) == 5


def test_a_refresh_token_gets_an_access_token(server, source):
    result = source.poll(refreshing(server), {})

    assert len(items(result)) == 5
    assert server.issued == 1
    assert server.paths().count("/token") == 1


@pytest.mark.parametrize(
    ("trouble", "kind", "retriable"),
    [
        ("token_revoked", "auth", False),
        ("refresh_revoked", "auth", False),
        ("not_this_location", "auth", False),
        ("quota", "rate_limit", True),
        ("quota_zero", "permanent", False),
        ("server_down", "transient", True),
    ],
)
def test_failures_are_classified(server, source, sleeps, trouble, kind, retriable):
    settings = settings_for(server)
    if trouble == "token_revoked":
        server.tokens.clear()
    elif trouble == "refresh_revoked":
        server.refresh_token = "another"
        settings = refreshing(server)
    elif trouble == "not_this_location":
        settings = settings_for(server, location_id="999")
    elif trouble == "quota":
        server.fail_with(429, body=fixture("error__resource_exhausted.json"))
    elif trouble == "quota_zero":
        server.fail_with(429, body=fixture("error__quota_zero.json"))
    else:
        for _ in range(3):
            server.fail_with(503)

    with pytest.raises(SourceError) as raised:
        source.poll(settings, {})

    assert (raised.value.kind, raised.value.retriable) == (kind, retriable)
    assert ACCESS_TOKEN not in str(raised.value) and REFRESH_TOKEN not in str(raised.value)
    if trouble == "quota":
        assert raised.value.retry_after == 60.0 and "RESOURCE_EXHAUSTED" in str(raised.value)
    if trouble == "quota_zero":
        assert "not approved" in str(raised.value)
    if kind == "transient":
        assert sleeps == [1.0, 2.0]


def test_a_check_asks_for_one_review():
    with running_google_reviews() as server:
        message = GoogleReviewsSource(APP).check(settings_for(server))
    assert message.endswith("answers: 5 reviews")
    assert server.calls(LISTING) == [{"pageSize": ["1"], "orderBy": ["updateTime desc"]}]


def target(review: str = f"{R}1") -> ReplyTarget:
    return ReplyTarget(platform="google_reviews", external_id=review, thread_id=review)


def test_a_reply_is_put_again_after_a_lost_answer_and_google_keeps_one_reply(server, source, sleeps):
    settings = settings_for(server)
    server.lose_next_answer = True  # Google stores the reply, the answer never arrives

    sent = source.send_reply(settings, target(), "Merci Jane, nous vous rappelons.", "key-1")

    # a PUT replaces the review's one reply: the HTTP helper's retry is safe, no look-up needed
    assert [m for m, _p, _h, _b in server.requests] == ["PUT", "PUT"] and sleeps == [1.0]
    assert server.reviews[f"{R}1"]["reviewReply"]["comment"] == "Merci Jane, nous vous rappelons."
    assert sent.platform_reply_id == f"accounts/{ACCOUNT}/locations/{LOCATION}/reviews/{R}1/reply"


def test_a_reply_over_4096_bytes_is_refused_before_any_call(server, source):
    text = "é" * 2049  # 2049 characters, 4098 bytes

    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target(), text, "key-2")

    assert "4098 bytes" in str(raised.value) and raised.value.retriable is False
    assert server.requests == []


@pytest.mark.parametrize(
    ("comment", "text", "translation"),
    [
        ("Très bon.", "Très bon.", None),
        ("(Translated by Google) Very good.\n\n(Original)\nTrès bon.", "Très bon.", "Very good."),
        ("Très bon.\n\n(Translated by Google)\nVery good.", "Très bon.", "Very good."),
    ],
)
def test_googles_translation_is_split_from_the_original(comment, text, translation):
    assert split_translation(comment) == (text, translation)
