"""YouTubeSource against a local YouTube Data API that serves the fixtures with YouTube's paging,
OAuth, quota errors and error bodies."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import entry_points

import pytest

from ecoute.settings import Settings
from ecoute.sources.base import Connector, RawItem, Rejected, ReplySender, ReplyTarget, SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.youtube import ONE_OF_SETTINGS, REQUIRED_SETTINGS, YouTubeSource
from ecoute.sources.youtube.api import seconds_to_quota_reset
from fake_youtube import (
    ACCESS_TOKEN,
    API_KEY,
    CHANNEL,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    FakeYouTube,
    fixture,
    running_youtube,
)

APP = Settings(
    overrides={"secret_key": "k" * 40, "http_retries": "3", "user_agent": "EcouteTest/1.0"}, environ={}
)
T1 = "UgxQ7aLumiereT1AaABAg"
T2 = "UgyR8bLumiereT2AaABAg"
T3 = "UgzS9cRevueT3AaABAg"


@pytest.fixture
def server() -> Iterator[FakeYouTube]:
    with running_youtube() as httpd:
        yield httpd


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def source(sleeps) -> YouTubeSource:
    return YouTubeSource(APP, sleep=sleeps.append)


def settings_for(server: FakeYouTube, **extra) -> dict:
    base = {
        "channel_id": CHANNEL,
        "access_token": ACCESS_TOKEN,
        "api_key": API_KEY,
        "api_base": server.url,
        "token_url": f"{server.url}/token",
    }
    return seal_secrets({**base, **extra}, APP)


def refreshing(server: FakeYouTube) -> dict:
    """Settings with a refresh token (and the OAuth client) instead of an access token."""
    return settings_for(
        server,
        access_token=None,
        refresh_token=REFRESH_TOKEN,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def items(result) -> dict[str, RawItem]:
    return {i.external_id: i for i in result.items if isinstance(i, RawItem)}


def test_youtube_is_a_registered_connector_that_sends_replies():
    assert isinstance(YouTubeSource(), Connector)
    assert isinstance(YouTubeSource(), ReplySender)
    assert entry_points(group="ecoute.sources")["youtube"].load() is YouTubeSource
    assert (REQUIRED_SETTINGS, ONE_OF_SETTINGS) == (
        ("channel_id",),
        ("api_key", "access_token", "refresh_token"),
    )


def test_channel_comments_videos_and_searches_become_items(server, source):
    result = source.poll(settings_for(server, videos="vReview0001", searches="café lumière"), {})

    found = items(result)
    top = found[T1]
    assert top.text == "Support never answered <3 & my order is still missing"
    assert (top.kind, top.author, top.author_name, top.likes, top.replies) == (
        "comment",
        "@jane",
        "@jane",
        4,
        3,
    )
    assert (top.thread_id, top.parent_id, top.created_at) == (T1, None, "2026-11-02T10:00:00Z")
    assert top.url == f"https://www.youtube.com/watch?v=vLumiere001&lc={T1}"
    # YouTube showed one reply of three with the thread: the others were fetched with comments.list
    reply = found[f"{T1}.A1reply000002"]
    assert (reply.kind, reply.parent_id, reply.thread_id) == ("reply", T1, T1)
    assert reply.url == f"https://www.youtube.com/watch?v=vLumiere001&lc={T1}.A1reply000002"
    assert f"{T1}.A1reply000003" in found
    assert f"{T1}.A1reply000001" not in found  # the channel's own answer is not a mention
    # no textOriginal (not the channel's video): the HTML textDisplay read as text
    assert found[T3].text == "Testé : Café Lumière, un peu trop amer pour moi."
    video = found["vReview0001"]
    assert video.text == (
        "Café Lumière : test honnête de leur Brésil\n\nOn a goûté le Brésil de Café Lumière & leur moka."
    )
    assert (video.kind, video.author, video.author_name, video.url) == (
        "post",
        "UCreview000000000000000a",
        "Coffee Reviews FR",
        "https://www.youtube.com/watch?v=vReview0001",
    )
    assert "UCcafeLumiere0000000000a" not in found  # a channel result, not a video
    assert len(found) == 7
    assert server.calls("/commentThreads")[0]["allThreadsRelatedToChannelId"] == [CHANNEL]
    assert server.calls("/search")[0]["key"] == [API_KEY]
    assert (server.calls("/search")[0]["type"], server.calls("/search")[0]["order"]) == (["video"], ["date"])


def test_a_second_poll_returns_only_what_is_new(server, source):
    settings = settings_for(server, searches="café lumière")
    first = source.poll(settings, {})
    again = source.poll(settings, first.cursor)
    newer = copy.deepcopy(fixture("comments__replies.json")["items"][2])
    newer["id"] = f"{T2}.Newreply00001"
    newer["snippet"].update(parentId=T2, publishedAt="2026-11-06T08:00:00Z", updatedAt="2026-11-06T08:00:00Z")
    server.keep_reply(newer)
    video = copy.deepcopy(fixture("search__videos.json")["items"][0])
    video["id"]["videoId"] = "vNewVideo01"
    video["snippet"]["publishedAt"] = "2026-11-07T07:00:00Z"
    server.videos.append(video)
    third = source.poll(settings, again.cursor)

    assert len(items(first)) == 6
    assert items(again) == {}
    assert set(items(third)) == {f"{T2}.Newreply00001", "vNewVideo01"}
    assert server.calls("/search")[-1]["publishedAfter"] == ["2026-11-04T07:00:00Z"]


def test_threads_are_paged_until_nothing_is_newer(server, source):
    settings = settings_for(server)
    first = source.poll(settings, {})
    base = fixture("comment_threads__channel.json")["items"][0]
    for n in range(150):
        thread = copy.deepcopy(base)
        thread["id"] = f"UgNew{n:05d}"
        top = thread["snippet"]["topLevelComment"]
        top["id"] = thread["id"]
        top["snippet"].update(publishedAt=f"2026-11-10T{n // 60:02d}:{n % 60:02d}:00Z")
        top["snippet"]["updatedAt"] = top["snippet"]["publishedAt"]
        server.add_threads({"items": [thread]})

    second = source.poll(settings, first.cursor)
    third = source.poll(settings, second.cursor)

    assert len(items(second)) == 150
    assert items(third) == {}
    assert [c.get("pageToken") for c in server.calls("/commentThreads")[1:3]] == [None, ["p100"]]


def test_edits_update_and_deletions_are_reported(server, source):
    settings = settings_for(server)
    first = source.poll(settings, {})
    server.edit(fixture("comment__edited.json"))
    server.delete(f"{T1}.A1reply000003")

    second = source.poll(settings, first.cursor)

    edited = items(second)[T2]
    assert edited.text.endswith("Édit : un peu chère quand même.")
    assert edited.revision == "2026-11-05T10:00:00Z"
    assert second.deleted == [f"{T1}.A1reply000003"]
    assert set(items(second)) == {T2}


def test_a_comment_missing_a_field_is_rejected_with_its_path(server, source):
    broken = copy.deepcopy(fixture("comment_threads__video.json")["items"][0])
    broken["id"] = broken["snippet"]["topLevelComment"]["id"] = "UgBroken0001"
    del broken["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
    server.threads["UgBroken0001"] = broken

    result = source.poll(settings_for(server, channel_comments=False, videos="vReview0001"), {})

    rejected = [i for i in result.items if isinstance(i, Rejected)]
    assert [r.field for r in rejected] == ["items[1].snippet.topLevelComment.snippet.publishedAt"]
    assert T3 in items(result)


def test_a_video_with_comments_turned_off_is_skipped_not_failed(server, source):
    server.disabled.add("vReview0001")

    result = source.poll(settings_for(server, videos="vReview0001"), {})

    assert T1 in items(result) and T3 not in items(result)
    assert result.cursor.get("video:vReview0001") is None


def test_a_refresh_token_is_exchanged_and_fetched_again_once_when_refused(server, source):
    settings = refreshing(server)
    source.poll(settings, {})
    source.poll(settings, {})
    assert server.paths().count("/token") == 1

    server.tokens.clear()  # the access token was revoked before its hour was up
    result = source.poll(settings, {})

    assert T1 in items(result)
    assert server.paths().count("/token") == 2


@pytest.mark.parametrize(
    ("trouble", "kind", "retriable"),
    [
        ("token_revoked", "auth", False),
        ("refresh_revoked", "auth", False),
        ("quota", "rate_limit", True),
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
    elif trouble == "quota":
        server.fail_with(403, body=fixture("error__quota_exceeded.json"))
    else:
        for _ in range(3):
            server.fail_with(503)

    with pytest.raises(SourceError) as raised:
        source.poll(settings, {})

    assert (raised.value.kind, raised.value.retriable) == (kind, retriable)
    assert ACCESS_TOKEN not in str(raised.value) and API_KEY not in str(raised.value)
    if kind == "rate_limit":
        assert 0 < raised.value.retry_after <= 25 * 3600
        assert "quotaExceeded" in str(raised.value)
    if kind == "transient":
        assert sleeps == [1.0, 2.0]


def test_the_quota_resets_at_midnight_pacific():
    # 07:30 UTC on 6 December is 23:30 the day before in California (PST, UTC-8)
    assert seconds_to_quota_reset(datetime(2026, 12, 6, 7, 30, tzinfo=UTC)) == 30 * 60
    # in summer (PDT, UTC-7) midnight is 07:00 UTC
    assert seconds_to_quota_reset(datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == 3600


def target(comment_id: str = T1) -> ReplyTarget:
    return ReplyTarget(
        platform="youtube",
        external_id=comment_id,
        url=f"https://www.youtube.com/watch?v=vLumiere001&lc={comment_id}",
        author_handle="@jane",
        thread_id=T1,
    )


def test_a_reply_is_posted_once_even_when_retried(server, source):
    settings = settings_for(server)

    first = source.send_reply(settings, target(f"{T1}.A1reply000002"), "Merci Jane, colis renvoyé.", "key-1")
    again = source.send_reply(settings, target(f"{T1}.A1reply000002"), "Merci Jane, colis renvoyé.", "key-1")

    assert len(server.posted) == 1
    assert server.posted[0]["snippet"]["parentId"] == T1  # one level of replies: under the thread
    assert first == again
    assert first.url == f"https://www.youtube.com/watch?v=vLumiere001&lc={first.platform_reply_id}"


def test_a_reply_over_the_limit_is_refused_before_any_call(server, source):
    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target(), "x" * 10_001, "key-2")

    assert "10000" in str(raised.value) and raised.value.retriable is False
    assert server.requests == []


def test_a_refused_reply_is_classified(server, source):
    server.fail_with(403, body=fixture("error__quota_exceeded.json"))

    with pytest.raises(SourceError) as raised:
        source.send_reply(settings_for(server), target(), "Merci !", "key-3")

    assert raised.value.kind == "rate_limit"
    assert server.posted == []


def test_a_reply_that_reached_youtube_before_its_answer_was_lost_is_not_posted_again(server, source):
    settings = settings_for(server)
    server.lose_next_answer = True  # YouTube posts the reply, the answer never arrives

    with pytest.raises(SourceError) as lost:
        source.send_reply(settings, target(), "Merci Jane, on s'en occupe.", "key-4")
    sent = source.send_reply(settings, target(), "Merci Jane, on s'en occupe.", "key-4")

    assert lost.value.retriable is True
    assert len(server.posted) == 1
    assert sent.platform_reply_id == server.posted[0]["id"]
