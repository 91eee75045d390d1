"""TrustpilotSource against a local Trustpilot API that serves the fixtures with Trustpilot's
paging, the business users' password grant, rate limits and error bodies."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.trustpilot import TrustpilotSource
from fake_trustpilot import (
    API_KEY,
    API_SECRET,
    BUSINESS_USER,
    DOMAIN,
    PASSWORD,
    RIVAL_DOMAIN,
    RIVAL_UNIT,
    UNIT,
    USERNAME,
    FakeTrustpilot,
    fixture,
    running_trustpilot,
)

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)
T = "6560a1b2c3d4e5f6a7b8c90"
LISTING = f"/v1/business-units/{UNIT}/reviews"


@pytest.fixture
def server() -> Iterator[FakeTrustpilot]:
    with running_trustpilot() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> TrustpilotSource:
    return TrustpilotSource(APP, sleep=sleeps.append)


def settings_for(server: FakeTrustpilot, **extra) -> dict:
    base = {"api_key": API_KEY, "domain": DOMAIN, "api_base": server.url}
    return seal_secrets({**base, **extra}, APP)


def replying(server: FakeTrustpilot, **extra) -> dict:
    return settings_for(
        server,
        client_secret=API_SECRET,
        username=USERNAME,
        password=PASSWORD,
        business_user_id=BUSINESS_USER,
        **extra,
    )


def items(result) -> dict[str, RawItem]:
    return {i.external_id: i for i in result.items if isinstance(i, RawItem)}


def test_trustpilot_is_a_registered_connector_that_sends_replies():
    names = {ep.name: ep.value for ep in entry_points(group="ecoute.sources")}
    assert names["trustpilot"] == "ecoute.sources.trustpilot:TrustpilotSource"
    assert isinstance(TrustpilotSource(APP), Connector)
    assert isinstance(TrustpilotSource(APP), ReplySender)


def test_the_first_poll_finds_the_business_unit_and_reads_its_reviews(server, source):
    result = source.poll(replying(server), {})
    heard_only = source.poll(settings_for(server), {})

    heard = items(result)
    assert sorted(heard) == [f"{T}{n}" for n in range(1, 5)]
    assert server.calls("/v1/business-units/find") == [{"name": [DOMAIN]}] * 2
    assert server.calls(LISTING)[0] == {"orderBy": ["createdat.desc"], "page": ["1"], "perPage": ["100"]}
    camille = heard[f"{T}1"]
    assert (camille.rating, camille.kind, camille.language, camille.thread_id) == (
        1.0,
        "review",
        "fr",
        f"{T}1",
    )
    assert camille.text == (
        "Commande jamais arrivée\n\nJ'ai payé la commande 8812 et rien n'est arrivé. "
        "Personne ne répond au téléphone."
    )
    assert (camille.author, camille.author_name) == ("5a1b2c3d4e5f6a7b8c9d0e01", "Camille R.")
    assert camille.raw["consumer"]["numberOfReviews"] == 7
    assert camille.raw["location"]["name"] == "Lumière Bellecour"
    assert camille.url == f"https://www.trustpilot.com/reviews/{T}1"
    assert camille.revision == "2026-11-30T19:20:00.000Z"  # not edited: its creation
    assert [(a.in_reply_to, a.at) for a in result.answered] == [(f"{T}3", "2026-11-28T15:30:00.000Z")]
    # without a business user the unit may be a competitor's: its replies are not the team's
    assert heard_only.answered == [] and len(heard_only.items) == 4
    assert result.cursor["business_unit_id"] == UNIT


def test_later_polls_page_to_the_high_water_mark_and_reuse_the_business_unit(server, source):
    settings = settings_for(server)
    first = source.poll(settings, {})
    newer = [copy.deepcopy(fixture("reviews__business_unit.json")["reviews"][1]) for _ in range(101)]
    for n, review in enumerate(newer):
        review["id"] = f"7770000000000000000{n:05d}"
        review["createdAt"] = f"2026-12-0{1 + n // 60}T10:{n % 60:02d}:00.000Z"
    server.add(*newer)

    second = source.poll(settings, first.cursor)

    assert len(items(second)) == 101  # two pages: 100, then 1 (no next-page link after it)
    assert [c["page"] for c in server.calls(LISTING)[1:]] == [["1"], ["2"]]
    assert server.calls("/v1/business-units/find") == [{"name": [DOMAIN]}]  # found once


def test_a_competitors_reviews_are_heard_with_the_api_key_alone(server, source):
    rival = copy.deepcopy(fixture("reviews__business_unit.json")["reviews"][1])
    rival["id"] = "8880000000000000000000aa"
    server.add(rival, unit=RIVAL_UNIT)

    result = source.poll(settings_for(server, domain=f"https://www.{RIVAL_DOMAIN}/avis"), {})

    assert list(items(result)) == ["8880000000000000000000aa"]
    assert server.calls("/v1/business-units/find") == [{"name": [f"www.{RIVAL_DOMAIN}"]}]


def test_a_full_listing_hears_edits_and_deletions(server, source):
    due = settings_for(server, relist_hours="0")
    first = source.poll(due, {})
    server.add(fixture("review__edited.json"))
    server.delete(f"{T}2")

    incremental = source.poll(settings_for(server), first.cursor)
    full = source.poll(due, first.cursor)

    assert incremental.items == [] and incremental.deleted == []
    assert full.deleted == [f"{T}2"]
    edited = items(full)[f"{T}4"]
    assert (edited.rating, edited.revision) == (2.0, "2026-12-02T09:00:00.000Z")
    assert "commande oubliée" in edited.text


def test_an_unreadable_review_is_rejected_naming_its_field(server, source):
    server.add(fixture("review__no_stars.json"))

    result = source.poll(settings_for(server), {})

    [bad] = [i for i in result.items if isinstance(i, Rejected)]
    assert bad.field == "reviews[0].stars" and "1 to 5" in bad.reason
    assert len(items(result)) == 4


@pytest.mark.parametrize(
    ("trouble", "kind", "retriable"),
    [
        ("bad_key", "auth", False),
        ("rate_limited", "rate_limit", True),
        ("server_down", "transient", True),
        ("unknown_domain", "permanent", False),
    ],
)
def test_failures_are_classified(server, source, sleeps, trouble, kind, retriable):
    settings = settings_for(server)
    if trouble == "bad_key":
        settings = settings_for(server, api_key="revoked")
    elif trouble == "rate_limited":
        for _ in range(3):
            server.fail_with(429, {"Retry-After": "30"}, fixture("error__rate_limited.json"))
    elif trouble == "server_down":
        for _ in range(3):
            server.fail_with(503)
    else:
        settings = settings_for(server, domain="nowhere.example")

    with pytest.raises(SourceError) as raised:
        source.poll(settings, {})

    assert (raised.value.kind, raised.value.retriable) == (kind, retriable)
    assert API_KEY not in str(raised.value)
    if kind == "rate_limit":
        assert raised.value.retry_after == 30.0 and sleeps == [30.0, 30.0]
    if kind == "transient":
        assert sleeps == [1.0, 2.0]


def test_a_check_finds_the_business_unit(server):
    assert TrustpilotSource(APP).check(settings_for(server)) == f"business unit {UNIT} answers with reviews"


def target(review: str = f"{T}1") -> ReplyTarget:
    return ReplyTarget(platform="trustpilot", external_id=review, thread_id=review)


def test_a_reply_is_posted_once_as_the_business_user_even_when_its_answer_is_lost(server, source):
    settings = replying(server)
    server.lose_next_answer = True  # Trustpilot stores the reply, the answer never arrives

    with pytest.raises(SourceError) as lost:
        source.send_reply(settings, target(), "Bonjour Camille, nous regardons la commande 8812.", "key-1")
    sent = source.send_reply(settings, target(), "Bonjour Camille, nous regardons la commande 8812.", "key-1")

    assert lost.value.retriable is True
    assert server.replies == [(f"{T}1", BUSINESS_USER, "Bonjour Camille, nous regardons la commande 8812.")]
    assert server.calls(f"/v1/reviews/{T}1") == [{}, {}]  # the review read before each try
    assert sent.platform_reply_id == f"{T}1/reply" and sent.url == f"https://www.trustpilot.com/reviews/{T}1"
    assert server.issued == 1  # the business user's token is held, not asked for twice
    auth = [h.get("Authorization") for m, p, h, _b in server.requests if m == "POST" and "/reply" in p]
    assert auth == ["Bearer tp-access-1"]


def test_a_reply_without_a_business_user_is_refused_before_any_call(server, source):
    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target(), "Merci !", "key-2")

    assert "own business unit" in str(raised.value) and raised.value.retriable is False
    assert server.requests == []


def test_a_changed_password_needs_reconnecting(server, source):
    server.password = "changed"

    with pytest.raises(SourceError) as raised:
        source.send_reply(replying(server), target(), "Merci !", "key-3")

    assert (raised.value.kind, raised.value.retriable) == ("auth", False)
    assert PASSWORD not in str(raised.value)
    assert server.replies == []
