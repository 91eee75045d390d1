"""XSource against a local X that serves the fixtures with X's paging, expansions, OAuth 2
refresh rotation, rate-limit headers and errors."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.x import ONE_OF_SETTINGS, REQUIRED_SETTINGS, XSource
from ecoute.sources.x.length import weighted_length
from ecoute.sources.x.payload import Page, Post, expand_links, to_item, unescape
from fake_x import APP_BEARER, BRAND_ID, REFRESH_TOKEN, FakeX, account, fixture, running_x

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)
MENTION, THREAD_REPLY, UNOWNED, REPOST, QUOTE = (f"18650000000000001{n:02d}" for n in (1, 2, 3, 4, 5))


@pytest.fixture
def server() -> Iterator[FakeX]:
    with running_x() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> XSource:
    return XSource(APP, sleep=sleeps.append)


def settings_for(server: FakeX, **extra) -> dict:
    return seal_secrets(account(server, **extra), APP)


def items(result) -> dict[str, RawItem]:
    return {i.external_id: i for i in result.items if isinstance(i, RawItem)}


def new_post(n: int, text: str, *, author: str = "1234567002", mention: bool = True) -> dict:
    post_id = str(1865000000000001000 + n)
    entities = {"mentions": [{"start": 0, "end": 12, "username": "cafelumiere", "id": BRAND_ID}]}
    return {
        "id": post_id,
        "text": text,
        "edit_history_tweet_ids": [post_id],
        "author_id": author,
        "conversation_id": post_id,
        "lang": "fr",
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
        "entities": entities if mention else {},
    }


def test_x_is_a_registered_connector_that_sends_replies():
    assert isinstance(XSource(), Connector)
    assert isinstance(XSource(), ReplySender)
    assert entry_points(group="ecoute.sources")["x"].load() is XSource
    assert REQUIRED_SETTINGS == ("username",)
    assert ONE_OF_SETTINGS == ("refresh_token", "access_token", "bearer_token")


def test_mentions_and_searches_become_items_each_once(server, source):
    result = source.poll(settings_for(server, searches='"café lumière"'), {})

    found = items(result)
    mention = found[MENTION]
    assert mention.text == (
        "@cafelumiere ma commande n'est jamais arrivée & personne ne répond "
        "https://suivi.example.fr/colis/FR123"
    )
    assert (mention.kind, mention.author, mention.author_name) == ("post", "claire_b", "Claire B.")
    assert (mention.author_followers, mention.author_verified) == (312, False)
    assert (mention.thread_id, mention.parent_id, mention.language) == (MENTION, None, "fr")
    assert (mention.likes, mention.shares, mention.replies) == (5, 2, 1)
    assert mention.url == f"https://x.com/claire_b/status/{MENTION}"
    reply = found[THREAD_REPLY]
    assert (reply.kind, reply.parent_id, reply.thread_id) == ("reply", MENTION, MENTION)
    unowned = found[UNOWNED]
    assert unowned.text == "Franchement le café de Café Lumière < celui de Brûlerie Nord. Désolée."
    assert (unowned.author, unowned.author_verified, unowned.author_followers) == ("nora_grains", True, 15200)
    assert (
        found[QUOTE].text
        == "Café Lumière à Lyon, enfin 😍 https://x.com/cafelumiere/status/1864000000000000050"
    )
    # the repost adds no words; the brand's own post is not a mention; the mention found by both
    # the mentions timeline and the search is there once
    assert set(found) == {MENTION, THREAD_REPLY, UNOWNED, QUOTE}
    assert [i.external_id for i in result.items].count(MENTION) == 1


def test_every_read_asks_for_the_fields_and_expansions_it_maps(server, source):
    source.poll(settings_for(server, searches="lumière"), {})

    for path in ("/2/users/1570234567890123456/mentions", "/2/tweets/search/recent"):
        query = server.calls(path)[0]
        assert set(query["tweet.fields"][0].split(",")) >= {
            "created_at",
            "conversation_id",
            "referenced_tweets",
            "in_reply_to_user_id",
            "public_metrics",
            "edit_history_tweet_ids",
            "lang",
            "entities",
        }
        assert set(query["expansions"][0].split(",")) == {"author_id", "referenced_tweets.id"}
        assert set(query["user.fields"][0].split(",")) >= {
            "public_metrics",
            "verified",
            "verified_type",
            "username",
        }


def test_the_next_poll_asks_only_for_newer_posts_and_pages_down_to_them(server, source, monkeypatch):
    settings = settings_for(server)
    first = source.poll(settings, {})
    monkeypatch.setattr("ecoute.sources.x.connector.PAGE_SIZE", 2)
    for n in range(5):
        server.add(new_post(n, f"@cafelumiere question {n}"))

    second = source.poll(settings, first.cursor)
    third = source.poll(settings, second.cursor)

    assert set(items(second)) == {str(1865000000000001000 + n) for n in range(5)}
    assert items(third) == {}
    calls = server.calls(f"/2/users/{BRAND_ID}/mentions")
    assert calls[1]["since_id"] == [THREAD_REPLY]
    assert [c.get("since_id") for c in calls[1:4]] == [[THREAD_REPLY]] * 3  # one since_id while paging
    assert "pagination_token" in calls[2] and "pagination_token" in calls[3]
    assert second.cursor["mentions"] == {"since_id": "1865000000000001004"}
    assert calls[4]["since_id"] == ["1865000000000001004"]


def test_a_catch_up_cut_short_resumes_where_it_stopped(server, source, monkeypatch):
    settings = settings_for(server)
    first = source.poll(settings, {})
    monkeypatch.setattr("ecoute.sources.x.connector.PAGE_SIZE", 2)
    monkeypatch.setattr("ecoute.sources.x.connector.MAX_PAGES", 1)
    for n in range(5):
        server.add(new_post(n, f"@cafelumiere question {n}"))

    polls = [source.poll(settings, first.cursor)]
    for _ in range(3):
        polls.append(source.poll(settings, polls[-1].cursor))

    heard = [i.external_id for p in polls for i in p.items if isinstance(i, RawItem)]
    assert sorted(heard) == [str(1865000000000001000 + n) for n in range(5)]  # none missed, none twice
    assert polls[0].cursor["mentions"]["since_id"] == THREAD_REPLY  # held until the catch-up ends
    assert polls[-1].cursor["mentions"] == {"since_id": "1865000000000001004"}


def test_an_edit_updates_the_item_and_a_deletion_is_reported(server, source):
    settings = settings_for(server, searches="lumière")
    first = source.poll(settings, {})
    edited_id = server.edit(
        UNOWNED, "Franchement le café de Café Lumière &lt; celui de Brûlerie Nord. Sauf le moka."
    )
    server.delete(THREAD_REPLY)

    second = source.poll(settings, first.cursor)
    third = source.poll(settings, second.cursor)

    edit = items(second)[UNOWNED]
    assert edit.text.endswith("Sauf le moka.") and edit.revision == edited_id
    assert second.deleted == [THREAD_REPLY]
    assert items(third) == {} and third.deleted == []
    assert [w[:2] for w in third.cursor["watch"] if w[0] == UNOWNED] == [[UNOWNED, edited_id]]


def test_an_edit_older_than_the_cursor_is_heard_by_looking_the_post_up_again(server, source):
    settings = settings_for(server, mentions="false", searches="lumière")
    first = source.poll(settings, {})
    newer = server.edit(UNOWNED, "Correction : le café de Café Lumière est bon.")
    first.cursor["search:lumière"] = {"since_id": newer}  # as if the listing had moved past the edit

    second = source.poll(settings, first.cursor)

    assert items(second)[UNOWNED].text == "Correction : le café de Café Lumière est bon."
    assert items(second)[UNOWNED].revision == newer


def test_a_lookup_answer_with_errors_marks_only_not_found_posts_deleted():
    page = Page.read(fixture("tweets_lookup__one_deleted.json"), where="/2/tweets")

    assert [p.id for p in page.posts if isinstance(p, Post)] == [MENTION]
    assert page.missing == {THREAD_REPLY: "https://api.twitter.com/2/problems/resource-not-found"}


def test_links_are_expanded_only_to_web_addresses_and_escapes_undone():
    entities = {
        "urls": [
            {"url": "https://t.co/a", "expanded_url": "javascript:alert(1)"},
            {"url": "https://t.co/b", "expanded_url": "https://shop.example/b"},
        ]
    }

    assert expand_links("see https://t.co/a and https://t.co/b", entities) == (
        "see https://t.co/a and https://shop.example/b"
    )
    assert unescape("a &lt;3 &amp; b &gt; c &amp;lt;") == "a <3 & b > c &lt;"


def test_a_post_missing_a_field_is_rejected_naming_it_and_the_others_kept(server, source):
    broken = new_post(1, "@cafelumiere sans date")
    server.add(broken)
    del server.posts[broken["id"]]["created_at"]

    result = source.poll(settings_for(server), {})

    rejects = [r for r in result.items if isinstance(r, Rejected)]
    assert [(r.field, r.reason) for r in rejects] == [
        ("[0].created_at", "expected a non-empty string, got None")
    ]
    assert {MENTION, THREAD_REPLY} <= set(items(result))


def test_an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_kept(server, source, monkeypatch):
    server.access_tokens.clear()  # the access token given at connection has expired

    result = source.poll(settings_for(server), {})

    assert server.refreshes == 1 and MENTION in items(result)
    assert result.cursor["refresh_token_sealed"] and "x-refresh-0002" not in str(result.cursor)
    # Another process (nothing held in memory) starts from the settings and this cursor: X took
    # back the first refresh token, so only the kept one can work.
    monkeypatch.setattr("ecoute.sources.x.api._REFRESH", {})
    monkeypatch.setattr("ecoute.sources.x.api._SEEDED", set())
    monkeypatch.setattr("ecoute.sources.oauth_token._TOKENS", {})
    server.access_tokens.clear()
    again = XSource(APP, sleep=lambda s: None).poll(settings_for(server), result.cursor)
    assert server.refreshes == 2 and again.cursor["refresh_for"] == result.cursor["refresh_for"]
    assert again.cursor["refresh_token_sealed"] != result.cursor["refresh_token_sealed"]


def test_a_revoked_authorisation_needs_reconnecting(server, source):
    server.revoke()

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert raised.value.kind == "auth"
    assert REFRESH_TOKEN not in str(raised.value)


def test_a_rate_limit_waits_for_x_rate_limit_reset(server, source, sleeps):
    server.fail_with(429, {"x-rate-limit-remaining": "0"}, fixture("error__rate_limited.json"))

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert raised.value.kind == "rate_limit"
    assert 800 < (raised.value.retry_after or 0) <= 900
    assert sleeps == []  # a 15-minute wait is the scheduler's, not a blocked worker's


def test_a_spent_budget_stops_paging_and_the_next_poll_goes_on(server, source):
    server.remaining = 1  # this answer is the window's last

    result = source.poll(settings_for(server, searches="lumière"), {})

    assert server.paths() == [f"/2/users/{BRAND_ID}/mentions"]
    assert "search:lumière" not in result.cursor


def test_server_errors_are_retried_then_transient(server, source, sleeps):
    for _ in range(3):
        server.fail_with(503, body=fixture("error__service_unavailable.json"))

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert (raised.value.kind, raised.value.retriable) == ("transient", True)
    assert sleeps == [1.0, 2.0]


def app_only(server: FakeX, **extra) -> dict:
    values = {
        "username": "cafelumiere",
        "bearer_token": APP_BEARER,
        "mentions": "false",
        "api_base": server.url,
    }
    return seal_secrets({**values, **extra}, APP)


def test_a_forbidden_read_needs_reconnecting_in_x_words(server, source):
    server.fail_with(403, body=fixture("error__client_forbidden.json"))

    with pytest.raises(SourceError) as raised:
        source.poll(app_only(server, searches="lumière"), {})

    assert raised.value.kind == "auth"
    assert "keys and tokens from a Twitter developer App" in str(raised.value)


def test_an_app_bearer_token_searches_but_cannot_read_mentions_or_reply(server, source):
    settings = app_only(server)

    result = source.poll(settings, {})
    searched = source.poll({**settings, "searches": "lumière"}, result.cursor)
    with pytest.raises(SourceError) as raised:
        source.send_reply({**settings, "user_id": BRAND_ID}, ReplyTarget("x", MENTION), "Merci !", "k1")

    assert UNOWNED in items(searched)
    assert raised.value.kind == "auth"
    assert server.posted == []


def test_a_reply_is_posted_in_the_thread_once_even_when_retried(server, source):
    settings = settings_for(server)
    server.lose_next_answer = True  # X posted it but the answer never came back
    target = ReplyTarget("x", MENTION, author_handle="claire_b")

    with pytest.raises(SourceError) as lost:
        source.send_reply(settings, target, "@claire_b Désolés ! On regarde votre colis.", "key-1")
    sent = source.send_reply(settings, target, "@claire_b Désolés ! On regarde votre colis.", "key-1")

    assert lost.value.retriable is True
    assert len(server.posted) == 1
    posted = server.posted[0]
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": MENTION}]
    assert sent.platform_reply_id == posted["id"]
    assert sent.url == f"https://x.com/cafelumiere/status/{posted['id']}"


def test_a_reply_to_a_quote_of_the_brand_is_allowed(server, source):
    sent = source.send_reply(
        settings_for(server), ReplyTarget("x", QUOTE), "Merci Marc, à bientôt à Lyon !", "k"
    )

    assert server.posted[0]["referenced_tweets"][0]["id"] == QUOTE and sent.platform_reply_id


def test_a_reply_to_an_author_who_did_not_address_the_brand_is_refused_in_words(server, source):
    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), ReplyTarget("x", UNOWNED), "Bonjour Nora !", "k")

    assert raised.value.retriable is False
    assert "X lets an app reply only to a post whose author addressed the brand" in str(raised.value)
    assert server.posted == [] and "/2/tweets" not in [p for m, p, _h, _b in server.requests if m == "POST"]


def test_a_reply_over_280_weighted_characters_is_refused_before_x(server, source):
    text = "日本" * 71  # 142 characters, 284 as X counts them

    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), ReplyTarget("x", MENTION), text, "k")

    assert "284 characters as X counts them" in str(raised.value)
    assert server.requests == []


def test_check_names_the_connected_account(server, source):
    assert source.check(settings_for(server)) == f"signed in as @cafelumiere (id {BRAND_ID})"


def test_an_edited_version_keeps_the_original_post_as_its_identity():
    page = Page.read(fixture("post__edited.json"), where="/2/tweets/1865000000000000113")

    [post] = page.posts
    item = to_item(post, page.users[post.author_id], location="edit")
    assert (item.external_id, item.revision) == (UNOWNED, "1865000000000000113")
    assert item.text.endswith("Sauf le moka, lui est top.") and "&lt;" not in item.text


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("a" * 280, 280),  # Latin: 1 each
        ("Ça va, é à ô", 12),  # accented Latin: 1 each
        ("日本語のテキスト", 16),  # CJK: 2 each
        ("😀👍🏽👨‍👩‍👧", 6),  # an emoji counts 2 whatever its code points (modifiers, joiners)
        ("voir https://www.example.com/a/very/long/path/that/goes/on/and/on", 28),  # a link: 23
        ("voir example.com", 28),  # a bare domain is a link too
    ],
)
def test_a_reply_length_is_weighted_as_x_counts_it(text, weighted):
    assert weighted_length(text) == weighted


def test_a_handle_that_is_not_one_is_refused_before_any_call(server, source):
    with pytest.raises(SourceError) as raised:
        source.check(app_only(server, username="../2/users/me"))

    assert "setting 'username'" in str(raised.value) and raised.value.kind == "permanent"
    assert server.requests == []


def test_a_connected_account_without_its_numeric_id_asks_x_once(server, source, monkeypatch):
    """A source connected from the Sources page knows the handle and the tokens, not the id."""
    monkeypatch.setattr("ecoute.sources.x.connector._OWN_IDS", {})
    settings = settings_for(server)
    del settings["user_id"]

    first = source.poll(settings, {})
    again = source.poll(settings, first.cursor)
    sent = source.send_reply(
        settings, ReplyTarget("x", MENTION, author_handle="claire_b"), "@claire_b Merci !", "k"
    )

    assert MENTION in items(first)
    assert server.paths().count("/2/users/me") == 1
    assert f"/2/users/{BRAND_ID}/mentions" in server.paths()
    assert again.cursor["mentions"]["since_id"] == first.cursor["mentions"]["since_id"]
    assert sent.platform_reply_id == server.posted[0]["id"]
