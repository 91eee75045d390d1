"""BlueskySource against a local PDS that serves the fixtures: sessions from an app password
(refreshed one at a time), notifications and searches with cursors, deletions, replies."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.bluesky import BlueskySource
from ecoute.sources.bluesky.connector import graphemes, link_facets
from ecoute.sources.credentials import seal_secrets
from fake_bluesky import HANDLE, PASSWORD, FakePds, fixture, running_pds

APP = Settings(overrides={"secret_key": "k" * 40, "http_retries": "3"}, environ={})
ALICE = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lbb4moalcc2j"
BOB = "at://did:plc:bobbobbobbobbobbobbobbob/app.bsky.feed.post/3lc2zzreply1a"
CAROL = "at://did:plc:carolcarolcarolcarolcaro/app.bsky.feed.post/3ld1search1aa"


@pytest.fixture
def server() -> Iterator[FakePds]:
    with running_pds() as pds:
        pds.add_notifications(fixture("list_notifications__mention_and_reply.json")["notifications"])
        yield pds


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> BlueskySource:
    return BlueskySource(APP, sleep=sleeps.append)


def settings_for(server: FakePds, **extra) -> dict:
    return seal_secrets({"service": server.url, "identifier": HANDLE, "app_password": PASSWORD, **extra}, APP)


def items(result) -> list[RawItem]:
    return [i for i in result.items if isinstance(i, RawItem)]


def later_notification(n: int) -> dict:
    entry = copy.deepcopy(fixture("list_notifications__mention_and_reply.json")["notifications"][1])
    entry["uri"] = f"at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lnew{n:08d}"
    entry["indexedAt"] = f"2025-11-04T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
    return entry


def test_bluesky_is_a_registered_connector_that_sends_replies():
    assert isinstance(BlueskySource(), Connector)
    assert isinstance(BlueskySource(), ReplySender)
    assert entry_points(group="ecoute.sources")["bluesky"].load() is BlueskySource


def test_notifications_become_items_with_full_links_threads_and_followers(server, source):
    result = source.poll(settings_for(server), {})

    by_id = {i.external_id: i for i in items(result)}
    mention, reply = by_id[ALICE], by_id[BOB]
    assert mention.text == (
        "@acme.com ma commande est bloquée depuis 5 jours… suivi : https://colis.example/suivi/98765432"
    )
    assert (mention.author, mention.author_name, mention.author_followers) == (
        "alice.example.com",
        "Alice",
        1520,
    )
    assert mention.url == "https://bsky.app/profile/alice.example.com/post/3lbb4moalcc2j"
    assert (mention.kind, mention.thread_id, mention.language) == ("post", ALICE, "fr")
    assert reply.kind == "reply"
    assert (
        reply.parent_id
        == reply.thread_id
        == "at://did:plc:acmeacmeacmeacmeacmeacme/app.bsky.feed.post/3lb9x2kq7nc2a"
    )
    assert server.count("com.atproto.server.createSession") == 1


def test_the_session_is_reused_and_refreshed_once_when_it_expires(server, source):
    source.poll(settings_for(server), {})
    source.poll(settings_for(server), {})
    server.expire_access_tokens()
    source.poll(settings_for(server), {})

    assert server.count("com.atproto.server.createSession") == 1
    assert server.count("com.atproto.server.refreshSession") == 1
    assert server.calls[-1] == "app.bsky.actor.getProfiles"  # the poll went on to its end


def test_concurrent_polls_refresh_under_a_lock_so_no_refresh_token_is_revoked(server, source):
    server.access_ttl = 60  # within the early-refresh margin: every poll wants a refresh
    source.poll(settings_for(server), {})
    errors: list[Exception] = []

    def poll() -> None:
        try:
            source.poll(settings_for(server), {})
        except SourceError as error:
            errors.append(error)

    threads = [threading.Thread(target=poll) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert server.count("com.atproto.server.createSession") == 1  # never fell back: no revoked refresh
    assert server.count("com.atproto.server.refreshSession") == 6


def test_a_wrong_app_password_means_reconnecting(server, source):
    server.password = "changed"

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server, identifier="acme.com"), {})

    assert raised.value.kind == "auth"
    assert "Invalid identifier or password" in str(raised.value)
    assert PASSWORD not in str(raised.value)


def test_the_mark_resumes_without_missing_or_repeating(server, source):
    first = source.poll(settings_for(server), {})
    server.add_notifications([later_notification(1)])
    second = source.poll(settings_for(server), first.cursor)
    third = source.poll(settings_for(server), second.cursor)

    assert [i.external_id for i in items(second)] == [later_notification(1)["uri"]]
    assert items(third) == []


def test_a_backlog_longer_than_a_poll_is_carried_to_the_next(server, source):
    first = source.poll(settings_for(server), {})
    backlog = [later_notification(n) for n in range(1, 701)]  # 14 pages of 50, a poll reads 10
    server.add_notifications(backlog)

    second = source.poll(settings_for(server), first.cursor)
    third = source.poll(settings_for(server), second.cursor)
    fourth = source.poll(settings_for(server), third.cursor)

    got = [i.external_id for i in items(second) + items(third)]
    assert len(items(second)) == 500
    assert sorted(got) == sorted(n["uri"] for n in backlog)
    assert items(fourth) == []


def test_searches_find_unowned_posts_and_overlap_with_notifications_once(server, source):
    server.add_searchable(fixture("search_posts__latest.json")["posts"])

    result = source.poll(settings_for(server, searches="acme, colis"), {})

    ids = [i.external_id for i in items(result)]
    assert sorted(ids) == sorted([ALICE, BOB, CAROL])
    assert result.cursor["search:acme"]["at"] == "2025-11-03T11:00:01.000000+00:00"


def test_a_deleted_post_is_reported(server, source):
    first = source.poll(settings_for(server), {})
    server.delete(BOB)

    second = source.poll(settings_for(server), first.cursor)

    assert second.deleted == [BOB]
    assert BOB not in second.cursor["watch"]


def test_an_undecodable_post_is_rejected_naming_the_field(server, source):
    server.notifications[0]["record"].pop("text")

    result = source.poll(settings_for(server), {})

    rejects = [i for i in result.items if isinstance(i, Rejected)]
    assert [(r.field, r.reason) for r in rejects] == [("[0].record.text", "expected a string, got None")]


def test_a_rate_limit_waits_for_the_reset(server, source, sleeps):
    source.poll(settings_for(server), {})
    for _ in range(3):
        server.fail_with(
            429,
            {"ratelimit-remaining": "0", "ratelimit-reset": "4102444800"},
            fixture("error__rate_limited.json"),
        )

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert raised.value.kind == "rate_limit"
    assert raised.value.retry_after > 3600
    assert sleeps == []


def test_a_reply_carries_root_and_parent_and_a_lost_answer_is_not_posted_twice(server, source):
    target = ReplyTarget("bluesky", BOB)
    text = "Désolés Bob, on regarde votre commande : https://acme.example/aide"
    server.lose_next_create_answer = True

    with pytest.raises(SourceError):
        source.send_reply(settings_for(server), target, text, "key-1")
    sent = source.send_reply(settings_for(server), target, text, "key-1")

    [record] = server.records
    root = "at://did:plc:acmeacmeacmeacmeacmeacme/app.bsky.feed.post/3lb9x2kq7nc2a"
    assert record["value"]["reply"]["parent"]["uri"] == BOB
    assert record["value"]["reply"]["root"]["uri"] == root
    assert record["value"]["facets"][0]["features"][0]["uri"] == "https://acme.example/aide"
    assert sent.platform_reply_id == record["uri"]
    assert server.count("com.atproto.repo.createRecord") == 1


def test_a_reply_over_300_graphemes_is_refused_before_sending(server, source):
    with pytest.raises(SourceError, match="301 characters"):
        source.send_reply(settings_for(server), ReplyTarget("bluesky", BOB), "é" * 301, "key-2")
    assert server.count("com.atproto.repo.createRecord") == 0


def test_graphemes_and_byte_offsets():
    assert graphemes("👩‍👩‍👧 ok") == 4
    [facet] = link_facets("café https://x.example/a.")
    assert facet["index"] == {"byteStart": 6, "byteEnd": 25}  # "café " is 6 bytes; the final "." is left out
