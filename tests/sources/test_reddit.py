"""RedditSource against a local Reddit that serves the fixtures with Reddit's OAuth, listing
paging, rate-limit headers and errors."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.reddit import ONE_OF_SETTINGS, REQUIRED_SETTINGS, RedditSource
from ecoute.sources.reddit.payload import Thing
from fake_reddit import (
    CLIENT_SECRET,
    PASSWORD,
    REFRESH_TOKEN,
    USERNAME,
    FakeReddit,
    account,
    children,
    fixture,
    running_reddit,
)

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)
MENTION = "t1_kq3m2a1"


@pytest.fixture
def server() -> Iterator[FakeReddit]:
    with running_reddit() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> RedditSource:
    return RedditSource(APP, sleep=sleeps.append)


def settings_for(server: FakeReddit, **extra) -> dict:
    return seal_secrets(account(server, **extra), APP)


def items(result) -> dict[str, RawItem]:
    return {i.external_id: i for i in result.items if isinstance(i, RawItem)}


def comment(name: str, created: float, body: str, sub: str = "cafe") -> dict:
    thing = copy.deepcopy(children("subreddit_comments__newest.json")[2])
    thing["data"].update(
        id=name,
        name=f"t1_{name}",
        created_utc=created,
        body=body,
        subreddit=sub,
        permalink=f"/r/{sub}/x/{name}/",
    )
    return thing


def test_reddit_is_a_registered_connector_that_sends_replies():
    assert isinstance(RedditSource(), Connector)
    assert isinstance(RedditSource(), ReplySender)
    assert entry_points(group="ecoute.sources")["reddit"].load() is RedditSource
    assert REQUIRED_SETTINGS == ("client_id", "client_secret", "username")
    assert ONE_OF_SETTINGS == ("password", "refresh_token")


def test_inbox_searches_and_subreddit_comments_become_items(server, source):
    result = source.poll(
        settings_for(server, searches="café lumière", subreddits="cafe", keywords="café lumière"), {}
    )

    found = items(result)
    mention = found[MENTION]
    assert (
        mention.text == "u/cafe_lumiere ma commande n'est jamais arrivée, j'attends depuis 5 jours <3 & rien"
    )
    assert (mention.kind, mention.author, mention.created_at) == ("comment", "claire_b", 1764900000.0)
    assert (mention.thread_id, mention.parent_id) == ("t3_1h8x2ab", "t3_1h8x2ab")
    assert (
        mention.url == "https://www.reddit.com/r/france/comments/1h8x2ab/livraison_de_café_en_retard/kq3m2a1/"
    )
    reply = found["t1_kq3m9zz"]
    assert (reply.kind, reply.parent_id, reply.thread_id) == ("reply", "t1_kq3m5bb", "t3_1h8x2ab")
    post = found["t3_1h9a7cc"]
    assert post.text == (
        "Café Lumière a changé sa recette ?\n\n"
        "Le goût n'est plus le même depuis une semaine. Quelqu'un d'autre ?"
    )
    assert (post.kind, post.thread_id, post.parent_id, post.likes, post.replies) == (
        "post",
        "t3_1h9a7cc",
        None,
        25,
        7,
    )
    assert post.revision == "1764903000"
    assert found["t3_1h8w0aa"].text == "Promo Café Lumière -20%\n\nhttps://lumiere.example/promo"
    # Reddit has no comment search: newest comments are matched here, whatever the case.
    assert {"t1_kq40001", "t1_kq40002"} <= set(found)
    assert "t1_kq40003" not in found  # names no keyword
    assert len(found) == 7


def test_every_call_has_the_required_user_agent_and_raw_json(server, source):
    source.poll(settings_for(server, searches="r/france café"), {})

    agents = {headers.get("User-Agent") for _m, _p, headers, _b in server.requests}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("server:ecoute:") and agent.endswith(f"(by /u/{USERNAME})")
    gets = [p for m, p, _h, _b in server.requests if m == "GET"]
    assert gets and all("raw_json=1" in p for p in gets)
    assert server.calls("/r/france/search")[0]["restrict_sr"] == ["1"]
    assert server.calls("/r/france/search")[0]["sort"] == ["new"]


def test_a_second_poll_returns_only_what_is_new(server, source):
    settings = settings_for(server, subreddits="cafe")
    first = source.poll(settings, {})
    again = source.poll(settings, first.cursor)
    server.add([comment("kq40009", 1764903600.0, "Nouveau commentaire")])
    third = source.poll(settings, again.cursor)

    assert len(items(first)) == 5
    assert items(again) == {}
    assert set(items(third)) == {"t1_kq40009"}
    assert server.calls("/r/cafe/comments")[-1]["before"] == ["t1_kq40003"]


def test_many_new_comments_are_paged_with_before_and_none_repeated(server, source):
    settings = settings_for(server, subreddits="cafe", inbox=False)
    first = source.poll(settings, {})
    server.add([comment(f"kq5{n:04d}", 1764910000.0 + n, f"commentaire {n}") for n in range(250)])

    second = source.poll(settings, first.cursor)
    third = source.poll(settings, second.cursor)

    assert len(items(second)) == 250
    assert items(third) == {}
    assert [len(c.get("before", [])) for c in server.calls("/r/cafe/comments")[1:4]] == [1, 1, 1]


def test_a_cursor_whose_thing_left_the_listing_does_not_stop_the_stream(server, source):
    settings = settings_for(server, subreddits="cafe", inbox=False)
    first = source.poll(settings, {})
    server.drop("t1_kq40003")  # the newest comment, the cursor, is removed
    server.add([comment("kq40010", 1764904000.0, "après la suppression")])

    second = source.poll(settings, first.cursor)
    third = source.poll(settings, second.cursor)

    assert set(items(second)) == {"t1_kq40010"}
    assert items(third) == {}


def test_edits_update_and_deletions_are_reported(server, source):
    settings = settings_for(server, subreddits="cafe", inbox=False)
    first = source.poll(settings, {})
    server.replace(fixture("comment__edited.json"))
    server.replace(fixture("comment__deleted.json"))

    second = source.poll(settings, first.cursor)

    edited = items(second)["t1_kq40002"]
    assert edited.text.endswith("leur mouture « moka » marche bien.")
    assert edited.revision == "1764905000"
    assert second.deleted == ["t1_kq40001"]
    assert set(items(second)) == {"t1_kq40002"}
    assert ["t1_kq40001", "1764901800", 1764901800.0] not in second.cursor["watch"]


def test_a_thing_missing_a_field_is_rejected_with_its_path(server, source):
    server.add([fixture("comment__missing_created.json")], inbox="mentions")

    result = source.poll(settings_for(server), {})

    rejected = [i for i in result.items if isinstance(i, Rejected)]
    assert [(r.field, r.location) for r in rejected] == [("[1].data.created_utc", "/message/mentions [1]")]
    assert MENTION in items(result)


def test_the_access_token_is_reused_and_fetched_again_once_when_revoked(server, source):
    settings = settings_for(server, inbox=True)
    source.poll(settings, {})
    source.poll(settings, {})
    assert server.paths().count("/api/v1/access_token") == 1

    server.revoke_tokens()
    result = source.poll(settings, {})

    assert MENTION in items(result)
    assert server.paths().count("/api/v1/access_token") == 2


def test_a_refresh_token_grant_works_too(server, source):
    settings = settings_for(server, password=None, refresh_token=REFRESH_TOKEN)

    result = source.poll(settings, {})

    assert MENTION in items(result)
    token_call = next(b for _m, p, _h, b in server.requests if p.startswith("/api/v1/access_token"))
    assert b"grant_type=refresh_token" in token_call


@pytest.mark.parametrize(
    ("trouble", "kind", "retriable"),
    [
        ("password_changed", "auth", False),
        ("token_refused_twice", "auth", False),
        ("rate_limited", "rate_limit", True),
        ("server_down", "transient", True),
    ],
)
def test_failures_are_classified(server, source, sleeps, trouble, kind, retriable):
    if trouble == "password_changed":
        server.password = "changed"
    elif trouble == "token_refused_twice":
        source.poll(settings_for(server), {})  # a token is held
        server.revoke_tokens()
        server.password = "changed"
    elif trouble == "rate_limited":
        server.reset_s = 420
        server.fail_with(429, {"X-Ratelimit-Remaining": "0.0"}, fixture("error__too_many_requests.json"))
    else:
        for _ in range(3):
            server.fail_with(503)

    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server), {})

    assert (raised.value.kind, raised.value.retriable) == (kind, retriable)
    assert PASSWORD not in str(raised.value) and CLIENT_SECRET not in str(raised.value)
    if kind == "rate_limit":
        assert raised.value.retry_after == 420  # X-Ratelimit-Reset counts seconds from now
    if kind == "transient":
        assert sleeps == [1.0, 2.0]


def test_a_spent_rate_limit_stops_the_poll_where_it_is(server, source):
    settings = settings_for(server, searches="café", subreddits="cafe")
    first = source.poll(settings, {})
    server.remaining = 2.0  # two listings more in this window
    calls = len(server.requests)

    result = source.poll(settings, {k: v for k, v in first.cursor.items() if k != "mentions"})

    assert server.paths()[calls:] == ["/message/mentions", "/message/comments"]  # nothing past the budget
    assert result.cursor["watch"] == first.cursor["watch"]  # rechecked at the next poll
    assert MENTION in items(result)


def test_replies_to_the_account_s_posts_are_heard(server, source):
    reply = copy.deepcopy(children("message_comments__comment_reply.json")[0])
    reply["data"].update(
        id="kq3n0p0", name="t1_kq3n0p0", type="post_reply", subject="post reply", parent_id="t3_1h8zzzz"
    )
    server.add([reply], inbox="selfreply")

    found = items(source.poll(settings_for(server), {}))

    assert (found["t1_kq3n0p0"].kind, found["t1_kq3n0p0"].parent_id) == ("comment", "t3_1h8zzzz")


def target(external_id: str = MENTION) -> ReplyTarget:
    return ReplyTarget(platform="reddit", external_id=external_id, author_handle="claire_b")


def test_a_reply_is_posted_once_even_when_retried(server, source):
    settings = settings_for(server)

    first = source.send_reply(settings, target(), "Bonjour Claire, on regarde tout de suite.", "key-1")
    again = source.send_reply(settings, target(), "Bonjour Claire, on regarde tout de suite.", "key-1")

    assert len(server.posted) == 1
    assert first == again
    assert first.platform_reply_id == "t1_kq4r001"
    assert first.url == "https://www.reddit.com/r/france/comments/1h8x2ab/x/kq4r001/"
    form = next(b for m, p, _h, b in server.requests if m == "POST" and p.startswith("/api/comment"))
    assert b"thing_id=t1_kq3m2a1" in form and b"api_type=json" in form


def test_a_reply_over_the_limit_is_refused_before_any_call(server, source):
    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target(), "x" * 10_001, "key-2")

    assert "10000" in str(raised.value) and raised.value.retriable is False
    assert server.requests == []


@pytest.mark.parametrize(
    ("body", "kind", "retry_after"),
    [("error__ratelimit_body.json", "rate_limit", 180.0), ("error__thread_locked.json", "permanent", None)],
)
def test_errors_in_a_200_answer_are_classified(server, source, body, kind, retry_after):
    server.comment_errors.append(fixture(body))

    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target(), "Merci !", "key-3")

    assert (raised.value.kind, raised.value.retry_after) == (kind, retry_after)
    assert server.posted == []


def test_the_inbox_shape_reads_its_thread_from_the_context_link():
    thing = Thing.read(children("message_mentions__username_mention.json")[0])

    assert (thing.link_id, thing.path) == (
        "t3_1h8x2ab",
        "/r/france/comments/1h8x2ab/livraison_de_café_en_retard/kq3m2a1/",
    )
    assert thing.edited is None and thing.gone is False


@pytest.mark.parametrize(
    ("setting", "value"), [("subreddits", "cafe, ../api/comment"), ("username", "cafe_lumiere/../x")]
)
def test_a_malformed_name_in_the_settings_is_refused_naming_the_setting(server, source, setting, value):
    with pytest.raises(SourceError) as raised:
        source.poll(settings_for(server, **{setting: value}), {})

    assert f"setting {setting!r}" in str(raised.value) and raised.value.kind == "permanent"
    assert server.requests == []


def test_a_reply_that_reached_reddit_before_its_answer_was_lost_is_not_posted_again(server, source):
    settings = settings_for(server)
    server.lose_next_answer = True  # Reddit posts the comment, the answer never arrives

    with pytest.raises(SourceError) as lost:
        source.send_reply(settings, target(), "Bonjour Claire, on regarde.", "key-4")
    sent = source.send_reply(settings, target(), "Bonjour Claire, on regarde.", "key-4")

    assert lost.value.retriable is True
    assert len(server.posted) == 1
    assert sent.platform_reply_id == server.posted[0]["data"]["name"]
