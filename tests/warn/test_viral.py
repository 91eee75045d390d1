from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ecoute.warn.viral import assess_post, engagement_at, sharing_velocity

USUAL = [[(30.0, 4.0), (60.0, 8.0), (240.0, 20.0)] for _ in range(5)]
NOW = datetime(2026, 11, 1, 12, 0)


def test_engagement_is_read_at_the_same_age():
    assert engagement_at(USUAL[0], 45.0) == pytest.approx(6.0)
    assert engagement_at(USUAL[0], 1000.0) == 20.0
    assert engagement_at(USUAL[0], 15.0) == pytest.approx(2.0)


def test_a_post_far_above_its_authors_usual_at_the_same_age_is_viral():
    verdict = assess_post(120, 60, USUAL)
    assert verdict.viral
    assert verdict.expected == pytest.approx(8.0)
    assert verdict.ratio == pytest.approx(121 / 9, rel=1e-3)
    assert "after 60 min" in verdict.reasons[0] and "the author's usual (8)" in verdict.reasons[0]


def test_the_same_engagement_is_ordinary_when_the_post_is_older():
    assert not assess_post(120, 60, [[(60.0, 100.0)]] * 5).viral


def test_small_numbers_never_make_a_post_viral():
    assert not assess_post(20, 60, [[(60.0, 1.0)]] * 5).viral


def test_an_author_without_history_is_compared_with_the_brands_corpus():
    verdict = assess_post(200, 60, [], corpus_history=USUAL)
    assert verdict.viral and "usual for posts about the brand" in verdict.reasons[0]
    assert assess_post(200, 60, []).ratio is None


def test_a_rising_sharing_velocity_is_viral():
    shares = [NOW - timedelta(minutes=m) for m in range(0, 30)] * 3 + [NOW - timedelta(minutes=45)] * 10
    assert sharing_velocity(shares, NOW, timedelta(minutes=30)) == (180.0, 20.0)
    verdict = assess_post(0, 60, [], share_times=shares, now=NOW)
    assert verdict.viral and verdict.reasons == ["shared 180 times an hour, up from 20"]


def test_a_steady_sharing_velocity_is_not():
    shares = [NOW - timedelta(minutes=m) for m in range(0, 60)] * 2
    assert not assess_post(0, 60, [], share_times=shares, now=NOW).viral
