"""MastodonSource against a local Mastodon that serves the fixtures with Mastodon's paging,
rate-limit headers and errors."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.mastodon import MastodonSource
from ecoute.sources.mastodon.connector import counted_length
from ecoute.sources.mastodon.payload import Status
from fake_mastodon import TOKEN, FakeMastodon, fixture, reset_in, running_mastodon

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with running_mastodon() as httpd:
        httpd.add_notifications(fixture("notifications__mentions.json"))
        httpd.contexts["113500000000000202"] = fixture("context__reply.json")
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> MastodonSource:
    return MastodonSource(APP, sleep=sleeps.append)


def settings_for(server: FakeMastodon, **extra) -> dict:
    return seal_secrets({"instance": server.url, "access_token": TOKEN, **extra}, APP)


def items(result) -> list[RawItem]:
    return [i for i in result.items if isinstance(i, RawItem)]


def test_mastodon_is_a_registered_connector_that_sends_replies():
    assert isinstance(MastodonSource(), Connector)
    assert isinstance(MastodonSource(), ReplySender)
    assert entry_points(group="ecoute.sources")["mastodon"].load() is MastodonSource


def test_the_documented_status_reads_as_text_author_and_counts():
    status = Status.read(fixture("status__documented.json"))

    assert status.text == (
        '"I lost my inheritance with one wrong digit on my sort code"\n\n'
        "https://www.theguardian.com/money/2019/dec/07/"
        "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
    )
    assert (status.account.acct, status.account.followers_count) == ("Gargron", 322930)
    assert status.account.verified is True  # one profile link has verified_at
    assert status.account.bot is False
    assert status.edited_at is None


def test_mentions_become_items_with_thread_author_and_plain_text(server, source):
    result = source.poll(settings_for(server), {})

    by_id = {i.external_id: i for i in items(result)}
    question = by_id["https://piaille.fr/users/claire/statuses/113500000000000201"]
    reply = by_id["https://piaille.fr/users/claire/statuses/113500000000000202"]
    bot = by_id["https://botsin.space/users/deals/statuses/113500000000000203"]
    assert question.text == (
        "@cafe_lumiere ma commande n'est jamais arrivée,\nj'attends depuis 5 jours\n\nVous pouvez m'aider ?"
    )
    assert (question.platform, question.kind, question.language) == ("mastodon", "post", "fr")
    assert (question.author, question.author_name, question.author_followers) == (
        "claire@piaille.fr",
        "Claire D.",
        312,
    )
    assert question.url == "https://piaille.fr/@claire/113500000000000201"
    assert question.thread_id == question.external_id
    assert reply.kind == "reply"
    assert reply.parent_id == "https://mastodon.social/users/cafe_lumiere/statuses/113500000000000100"
    assert reply.thread_id == reply.parent_id
    assert bot.raw["bot"] is True
    assert question.revision == "2026-12-01T09:15:00.000Z"
    assert server.requests[0][2]["Authorization"] == f"Bearer {TOKEN}"
    assert server.requests[0][2]["User-Agent"] == "EcouteTest/1.0"


def test_the_cursor_resumes_after_the_newest_notification_without_missing_or_repeating(server, source):
    first = source.poll(settings_for(server), {})
    assert first.cursor["notifications"] == "9003"

    later = copy.deepcopy(fixture("notifications__mentions.json")[2])
    later["id"], later["status"]["id"] = "9004", "113500000000000204"
    later["status"]["uri"] = "https://piaille.fr/users/claire/statuses/113500000000000204"
    server.add_notifications([later])
    second = source.poll(settings_for(server), first.cursor)
    third = source.poll(settings_for(server), second.cursor)

    assert [i.external_id for i in items(second)] == [later["status"]["uri"]]
    assert second.cursor["notifications"] == "9004"
    assert items(third) == []
    assert "min_id=9004" in server.paths()[-2]


def test_a_backlog_longer_than_a_page_is_read_page_by_page_through_the_link_header(server, source):
    first = source.poll(settings_for(server), {})
    template = fixture("notifications__mentions.json")[2]
    backlog = []
    for n in range(95):
        entry = copy.deepcopy(template)
        entry["id"] = str(10000 + n)
        entry["status"]["id"] = str(113500000000010000 + n)
        entry["status"]["uri"] = f"https://piaille.fr/users/claire/statuses/{113500000000010000 + n}"
        backlog.append(entry)
    server.add_notifications(backlog)

    second = source.poll(settings_for(server), first.cursor)

    got = sorted(i.external_id for i in items(second))
    assert got == sorted(e["status"]["uri"] for e in backlog)
    assert second.cursor["notifications"] == "10094"


def test_hashtags_and_searches_overlap_but_each_status_is_returned_once(server, source):
    server.add_tag("cafelumiere", fixture("timeline_tag__cafelumiere.json"))
    server.searchable = fixture("search__statuses.json")["statuses"]
    for status in server.searchable:
        server.know(status)

    result = source.poll(
        settings_for(server, mentions="false", hashtags="#CafeLumiere", searches="Café Lumière, cafelumiere"),
        {},
    )

    ids = [i.external_id for i in items(result)]
    assert len(ids) == len(set(ids)) == 3  # t1 (also boosted), t2 (also searched), the search hit
    assert "https://mamot.fr/users/marc/statuses/113500000000000302" in ids
    assert not any(i.endswith("/activity") for i in ids)  # a boost stands for the boosted status
    assert result.cursor["tag:cafelumiere"] == "113500000000000303"
    assert result.cursor["search:Café Lumière"] == "113500000000000401"


def test_an_edit_updates_and_a_deletion_is_reported_on_the_next_poll(server, source):
    first = source.poll(settings_for(server), {})
    server.edit(fixture("status__edited.json"))
    server.delete("113500000000000203")

    second = source.poll(settings_for(server), first.cursor)

    edited = items(second)
    assert [(i.external_id, i.revision) for i in edited] == [
        ("https://piaille.fr/users/claire/statuses/113500000000000201", "2026-12-01T12:30:00.000Z")
    ]
    assert edited[0].text == "@cafe_lumiere ma commande est enfin arrivée, merci !"
    assert second.deleted == ["https://botsin.space/users/deals/statuses/113500000000000203"]
    assert len(second.cursor["watch"]) == 2


def test_a_status_without_uri_is_rejected_naming_the_field(server, source):
    server.notifications[0]["status"] = fixture("status__missing_uri.json")

    result = source.poll(settings_for(server), {})

    rejects = [i for i in result.items if isinstance(i, Rejected)]
    assert [(r.field, r.reason) for r in rejects] == [
        ("[0].status.uri", "expected a non-empty string, got None")
    ]
    assert len(items(result)) == 2


def test_a_revoked_token_means_reconnecting(server, source):
    server.token = "revoked"

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert raised.value.kind == "auth"
    assert "The access token is invalid" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_a_long_rate_limit_waits_for_the_reset_instead_of_blocking(server, source, sleeps):
    headers = {"Retry-After": "", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset_in(240)}
    for _ in range(3):
        server.fail_with(429, headers, fixture("error__rate_limited.json"))

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert raised.value.kind == "rate_limit"
    assert 200 < raised.value.retry_after <= 240
    assert sleeps == []


def test_a_short_retry_after_is_waited_then_the_poll_succeeds(server, source, sleeps):
    server.fail_with(429, {"Retry-After": "2"}, fixture("error__rate_limited.json"))

    result = source.poll(settings_for(server), {})

    assert sleeps == [2.0]
    assert len(items(result)) == 3


def test_server_errors_back_off_and_end_transient_never_auth(server, source, sleeps):
    for _ in range(3):
        server.fail_with(503)

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert (raised.value.kind, raised.value.retriable) == ("transient", True)
    assert sleeps == [1.0, 2.0]


def test_a_spent_rate_limit_budget_stops_paging_until_the_next_poll(server, source):
    first = source.poll(settings_for(server), {})
    server.remaining = 1  # the next answer says 0 remain
    template = fixture("notifications__mentions.json")[2]
    for n in range(60):
        entry = copy.deepcopy(template)
        entry["id"], entry["status"]["id"] = str(20000 + n), str(113500000000020000 + n)
        entry["status"]["uri"] = f"https://piaille.fr/users/claire/statuses/{113500000000020000 + n}"
        server.add_notifications([entry])

    second = source.poll(settings_for(server), first.cursor)
    server.remaining = 300
    third = source.poll(settings_for(server), second.cursor)

    assert len(items(second)) == 40
    assert second.cursor["notifications"] == "20039"
    assert len(items(third)) == 20


def test_a_reply_is_posted_once_even_when_retried(server, source):
    target = ReplyTarget(
        "mastodon",
        "https://piaille.fr/users/claire/statuses/113500000000000201",
        author_handle="claire@piaille.fr",
    )

    first = source.send_reply(settings_for(server), target, "Nous regardons tout de suite.", "key-1")
    again = source.send_reply(settings_for(server), target, "Nous regardons tout de suite.", "key-1")

    assert len(server.posted) == 1
    assert first == again
    assert server.posted[0]["in_reply_to_id"] == "113500000000000201"
    assert server.posted[0]["content"] == "<p>@claire@piaille.fr Nous regardons tout de suite.</p>"
    post = [h for m, _p, h in server.requests if m == "POST"]
    assert [h["Idempotency-Key"] for h in post] == ["key-1", "key-1"]


def test_a_reply_over_the_limit_is_refused_before_anything_is_sent(server, source):
    target = ReplyTarget(
        "mastodon",
        "https://piaille.fr/users/claire/statuses/113500000000000201",
        author_handle="claire@piaille.fr",
    )

    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target, "x" * 495, "key-2")

    assert "503 characters, over this instance's limit of 500" in str(raised.value)
    assert server.requests == []


def test_links_count_23_characters_and_remote_mentions_their_user_part():
    assert counted_length("@claire@piaille.fr voir https://example.org/" + "a" * 200) == 7 + 6 + 23


def test_a_missing_instance_or_token_is_a_clear_error(source):
    with pytest.raises(SourceError, match="setting 'instance'"):
        source.poll({"access_token_sealed": "x"}, {})
    with pytest.raises(SourceError, match="setting 'access_token' is missing") as raised:
        source.poll({"instance": "https://mastodon.example"}, {})
    assert raised.value.kind == "auth"
