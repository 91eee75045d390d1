"""FacebookSource and InstagramSource against a local Graph API that serves the fixtures with
Meta's paging, usage headers, tokens and error bodies."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import entry_points

import pytest

from ecoute.respond.types import limit_for
from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.meta import FacebookSource, InstagramSource
from ecoute.sources.meta.api import GRAPH_VERSION, classified, usage
from ecoute.sources.meta.connector import MAX_REPLY
from fake_meta import (
    APP_SECRET,
    IG_USER_ID,
    MEDIA,
    PAGE_ID,
    PAGE_TOKEN,
    POST,
    VERSION,
    FakeMeta,
    fixture,
    running_meta,
)

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)
C1, C2, C3 = "802211_5501", "802211_5502", "802211_5503"
VISITOR_POST = "104233391234567_802377"
TAGGED = "100089231234567_1234567890"
IG1, IG_OWN, IG_REPLY, IG2 = (
    "17873440459141021",
    "17858893269000002",
    "17858893269000003",
    "17870913679156914",
)
IG_TAGGED = "18023456789012345"


@pytest.fixture
def server() -> Iterator[FakeMeta]:
    with running_meta() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def facebook(sleeps) -> FacebookSource:
    return FacebookSource(APP, sleep=sleeps.append)


@pytest.fixture
def instagram(sleeps) -> InstagramSource:
    return InstagramSource(APP, sleep=sleeps.append)


def fb_settings(server: FakeMeta, **extra) -> dict:
    base = {"page_id": PAGE_ID, "access_token": PAGE_TOKEN, "app_secret": APP_SECRET, "api_base": server.url}
    return seal_secrets({**base, **extra}, APP)


def ig_settings(server: FakeMeta, **extra) -> dict:
    base = {
        "ig_user_id": IG_USER_ID,
        "access_token": PAGE_TOKEN,
        "app_secret": APP_SECRET,
        "api_base": server.url,
    }
    return seal_secrets({**base, **extra}, APP)


def buc(**use) -> str:
    """An ``X-Business-Use-Case-Usage`` header for the Page."""
    return json.dumps({PAGE_ID: [{"type": "pages", "total_cputime": 4, "total_time": 9, **use}]})


def items(result) -> dict[str, RawItem]:
    return {i.external_id: i for i in result.items if isinstance(i, RawItem)}


def test_both_are_registered_connectors_that_send_replies():
    points = entry_points(group="ecoute.sources")
    for kind, cls in (("facebook", FacebookSource), ("instagram", InstagramSource)):
        assert isinstance(cls(), Connector) and isinstance(cls(), ReplySender)
        assert points[kind].load() is cls
        assert cls.platform == kind
    # the composer and the sources agree on each platform's length limit
    assert (limit_for("facebook"), limit_for("instagram")) == (MAX_REPLY["facebook"], MAX_REPLY["instagram"])
    assert MAX_REPLY == {"facebook": 8000, "instagram": 2200}


def test_a_page_s_comments_visitor_posts_and_tags_become_items(server, facebook):
    result = facebook.poll(fb_settings(server), {})

    found = items(result)
    assert set(found) == {C1, C3, VISITOR_POST, TAGGED}  # C2 is the Page's own reply
    top = found[C1]
    assert (top.kind, top.parent_id, top.thread_id) == ("comment", POST, POST)
    assert (top.author, top.author_name, top.likes, top.replies) == ("7012345678901234", "Paul Durand", 2, 1)
    assert top.created_at == datetime(2026, 11, 30, 10, 2, 44, tzinfo=UTC)
    assert top.url == "https://www.facebook.com/104233391234567/posts/802211?comment_id=5501"
    reply = found[C3]
    assert (reply.kind, reply.parent_id, reply.thread_id) == ("reply", C1, POST)
    assert found[VISITOR_POST].kind == "post" and found[VISITOR_POST].author_name == "Jeanne Martin"
    assert found[TAGGED].text.startswith("Meilleur brunch du quartier")
    # posts without a comment are not read; the token goes in a header, with its proof
    assert server.paths() == [
        f"/{VERSION}/{PAGE_ID}/feed",
        f"/{VERSION}/{PAGE_ID}/tagged",
        f"/{VERSION}/{POST}/comments",
    ]
    call = server.calls(f"/{VERSION}/{POST}/comments")[0]
    assert (call["filter"], call["order"]) == (["stream"], ["chronological"])
    assert "access_token" not in call and len(call["appsecret_proof"][0]) == 64
    assert all(PAGE_TOKEN not in path for _m, path, _h, _b in server.requests)
    assert GRAPH_VERSION == VERSION


def test_a_second_poll_hears_only_what_changed_edits_and_deletions(server, facebook):
    settings = fb_settings(server)
    first = facebook.poll(settings, {})
    again = facebook.poll(settings, first.cursor)
    server.edit_fb(C1, "Il sera aussi disponible à emporter ? Et en livraison ?")
    server.delete_fb(C3)
    newer = copy.deepcopy(fixture("facebook", "comments__post_stream.json")["data"][0])
    newer.update(id="802211_5507", message="Toujours pas de réponse à mon message privé.")
    server.add_fb_comment(POST, newer)
    third = facebook.poll(settings, again.cursor)

    assert (again.items, again.deleted) == ([], [])
    changed = items(third)
    assert set(changed) == {C1, "802211_5507"}
    assert changed[C1].text.endswith("Et en livraison ?")
    assert changed[C1].revision != items(first)[C1].revision
    assert third.deleted == [C3]


def test_comments_are_read_page_after_page(server, facebook):
    base = fixture("facebook", "comments__post_stream.json")["data"][0]
    for n in range(150):
        server.add_fb_comment(POST, {**copy.deepcopy(base), "id": f"802211_{7000 + n}", "message": f"n°{n}"})

    found = items(facebook.poll(fb_settings(server, tagged="false"), {}))

    assert sum(1 for key in found if key.startswith("802211_7")) == 150
    assert [c.get("after") for c in server.calls(f"/{VERSION}/{POST}/comments")] == [None, ["c100"]]


def test_near_meta_s_rate_limit_the_poll_stops_and_keeps_its_cursor(server, facebook):
    settings = fb_settings(server)
    first = facebook.poll(settings, {})
    server.add_fb_comment(
        POST, {**fixture("facebook", "comments__post_stream.json")["data"][0], "id": "802211_5510"}
    )
    server.buc_usage = {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 96,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 0,
            }
        ]
    }
    requests_before = len(server.requests)

    slowed = facebook.poll(settings, first.cursor)

    assert server.paths()[requests_before:] == [f"/{VERSION}/{PAGE_ID}/feed"]  # nothing more read
    assert slowed.cursor["posts"] == first.cursor["posts"] and slowed.items == []
    server.buc_usage = None
    assert "802211_5510" in items(facebook.poll(settings, slowed.cursor))


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "wait"),
    [
        (400, fixture("facebook", "error__token_expired.json"), {}, "auth", None),
        (400, fixture("facebook", "error__permission.json"), {}, "auth", None),
        (
            400,
            fixture("facebook", "error__page_rate_limit.json"),
            {"X-Business-Use-Case-Usage": buc(call_count=100, estimated_time_to_regain_access=12)},
            "rate_limit",
            720.0,
        ),
        (400, fixture("instagram", "error__rate_limit.json"), {}, "rate_limit", 3600.0),
        (503, {"error": {"message": "Service temporarily unavailable", "code": 2}}, {}, "transient", None),
    ],
)
def test_each_graph_error_is_classified(server, facebook, sleeps, status, body, headers, kind, wait):
    for _ in range(3):  # a 5xx is retried first
        server.fail_with(status, headers, body)

    with pytest.raises(SourceError) as raised:
        facebook.poll(fb_settings(server), {})

    assert raised.value.kind == kind
    assert raised.value.retry_after == wait
    assert PAGE_TOKEN not in str(raised.value) and APP_SECRET not in str(raised.value)
    assert "Graph code" in str(raised.value) or status >= 500


def test_a_post_gone_meanwhile_is_skipped_and_the_others_are_heard(server, facebook):
    settings = fb_settings(server)
    first = facebook.poll(settings, {})
    other = "104233391234567_801990"
    server.add_fb_comment(
        other, {**fixture("facebook", "comments__post_stream.json")["data"][0], "id": "801990_1"}
    )
    del server.fb_comments[POST]  # the post was deleted: Graph answers 100/33 for its comments

    result = facebook.poll(settings, first.cursor)

    assert "801990_1" in items(result)
    assert set(result.deleted) == {POST, C1, C2, C3}


def test_a_wrong_app_secret_is_refused_by_meta_and_said_clearly(server, facebook):
    with pytest.raises(SourceError) as raised:
        facebook.poll(fb_settings(server, app_secret="not-the-secret"), {})
    assert "appsecret_proof" in str(raised.value) and raised.value.kind == "permanent"


def test_an_unreadable_comment_is_rejected_naming_its_field_and_the_rest_kept(server, facebook):
    server.fb_comments[POST][0]["created_time"] = "yesterday"

    result = facebook.poll(fb_settings(server), {})

    bad = [i for i in result.items if isinstance(i, Rejected)]
    assert len(bad) == 1 and bad[0].field.endswith(".created_time") and "yesterday" in bad[0].reason
    assert C3 in items(result)


def test_an_instagram_account_s_comments_replies_and_tags_become_items(server, instagram):
    result = instagram.poll(ig_settings(server), {})

    found = items(result)
    assert set(found) == {IG1, IG_REPLY, IG2, IG_TAGGED}  # IG_OWN is the account's own reply
    top = found[IG1]
    assert (top.platform, top.kind, top.parent_id, top.thread_id) == ("instagram", "comment", MEDIA, MEDIA)
    assert (top.author, top.likes, top.url) == ("marie.dlt", 4, "https://www.instagram.com/p/DCaFeLuM1eR/")
    assert (found[IG_REPLY].kind, found[IG_REPLY].parent_id, found[IG_REPLY].thread_id) == (
        "reply",
        IG1,
        MEDIA,
    )
    assert (found[IG_TAGGED].kind, found[IG_TAGGED].author) == ("post", "lyon.foodie")
    # the media without comments is not read
    assert f"/{VERSION}/17912345670004551/comments" not in server.paths()


def test_an_instagram_reply_deleted_is_heard_on_the_next_poll(server, instagram):
    settings = ig_settings(server)
    first = instagram.poll(settings, {})
    server.delete_ig(IG_REPLY)

    second = instagram.poll(settings, first.cursor)

    assert (second.items, second.deleted) == ([], [IG_REPLY])


def test_an_instagram_mention_named_by_a_webhook_is_read(server, instagram):
    found = instagram.mentioned(
        ig_settings(server),
        [
            {"media_id": "18023456789099999", "comment_id": "17890000000000777"},
            {"media_id": "1", "comment_id": "404"},
        ],
    )

    assert [i.external_id for i in found] == ["17890000000000777"]  # the second is gone: skipped
    assert (found[0].author, found[0].thread_id) == ("karim.v", "18023456789099999")
    assert found[0].url == "https://www.instagram.com/p/DCkArImV1l/"


def target(platform: str, external_id: str, thread: str) -> ReplyTarget:
    return ReplyTarget(platform=platform, external_id=external_id, thread_id=thread)


def test_a_facebook_reply_is_posted_once_even_when_its_answer_is_lost(server, facebook):
    settings = fb_settings(server)
    server.lose_next_answer = True

    with pytest.raises(SourceError) as lost:
        facebook.send_reply(settings, target("facebook", C1, POST), "Oui, en livraison aussi.", "k1")
    sent = facebook.send_reply(settings, target("facebook", C1, POST), "Oui, en livraison aussi.", "k1")

    assert lost.value.retriable is True
    assert server.posted == [(C1, "Oui, en livraison aussi.")]
    assert sent.platform_reply_id == server.fb_comments[POST][-1]["id"]
    assert sent.url == f"https://www.facebook.com/{sent.platform_reply_id}"


def test_an_instagram_reply_goes_to_replies_and_is_not_posted_twice(server, instagram):
    settings = ig_settings(server)

    first = instagram.send_reply(
        settings, target("instagram", IG2, MEDIA), "Désolés Tom, on vous écrit.", "k2"
    )
    again = instagram.send_reply(
        settings, target("instagram", IG2, MEDIA), "Désolés Tom, on vous écrit.", "k2"
    )

    assert server.posted == [(IG2, "Désolés Tom, on vous écrit.")]
    assert first.platform_reply_id == again.platform_reply_id == server.ig_replies[IG2][0]["id"]
    assert server.calls(f"/{VERSION}/{IG2}/replies")[0]["fields"] == ["id,text,username,from"]


def test_a_reply_to_an_instagram_reply_is_looked_for_under_its_top_level_comment(server, instagram):
    settings = ig_settings(server)
    server.lose_next_answer = True

    with pytest.raises(SourceError):
        instagram.send_reply(settings, target("instagram", IG_REPLY, MEDIA), "Oui Marie, sans sucre.", "k3")
    sent = instagram.send_reply(
        settings, target("instagram", IG_REPLY, MEDIA), "Oui Marie, sans sucre.", "k3"
    )

    assert server.posted == [(IG_REPLY, "Oui Marie, sans sucre.")]  # Meta put it under IG1
    assert sent.platform_reply_id == server.ig_replies[IG1][-1]["id"]


@pytest.mark.parametrize(("platform", "limit"), [("facebook", 8000), ("instagram", 2200)])
def test_a_reply_over_the_platform_s_limit_is_refused_before_sending(server, platform, limit):
    source = FacebookSource(APP) if platform == "facebook" else InstagramSource(APP)
    settings = fb_settings(server) if platform == "facebook" else ig_settings(server)
    thread = POST if platform == "facebook" else MEDIA

    with pytest.raises(SourceError) as refused:
        source.send_reply(
            settings, target(platform, C1 if platform == "facebook" else IG1, thread), "a" * (limit + 1), "k"
        )

    assert f"limit of {limit}" in str(refused.value) and server.requests == []


def test_a_tagged_instagram_post_cannot_be_answered_through_the_api(server, instagram):
    with pytest.raises(SourceError, match="from the app only"):
        instagram.send_reply(ig_settings(server), target("instagram", IG_TAGGED, IG_TAGGED), "Merci !", "k")
    assert server.requests == []


def test_usage_headers_are_read_and_unreadable_ones_ignored():
    shares, regain = usage(
        {
            "x-app-usage": '{"call_count": 12, "total_time": 40, "total_cputime": 7}',
            "x-business-use-case-usage": buc(call_count=91, estimated_time_to_regain_access=5),
        }
    )
    assert (max(shares), regain) == (91, 300.0)
    assert usage({"x-app-usage": "not json", "x-business-use-case-usage": "[1]"}) == ([], None)


@pytest.mark.parametrize(
    ("code", "subcode", "kind"),
    [
        (190, 463, "auth"),
        (102, None, "auth"),
        (10, None, "auth"),
        (17, None, "rate_limit"),
        (613, None, "rate_limit"),
        (80001, None, "rate_limit"),
        (100, 33, "permanent"),
        (1, None, "transient"),
        (100, None, "permanent"),
    ],
)
def test_graph_codes_map_to_the_shared_failure_kinds(code, subcode, kind):
    body = {"error": {"code": code, "message": "x", **({"error_subcode": subcode} if subcode else {})}}
    assert classified(400, body, "GET /x").kind == kind


def test_the_sources_page_test_reads_the_page_or_account_and_says_a_revoked_token(
    server, facebook, instagram
):
    assert facebook.check(fb_settings(server)) == (
        f"Facebook Café Lumière ({PAGE_ID}) is readable with this token"
    )
    assert instagram.check(ig_settings(server)) == (
        f"Instagram cafelumiere ({IG_USER_ID}) is readable with this token"
    )
    server.tokens.clear()
    with pytest.raises(SourceError) as revoked:
        facebook.check(fb_settings(server))
    assert revoked.value.kind == "auth" and "reconnect" in str(revoked.value)
