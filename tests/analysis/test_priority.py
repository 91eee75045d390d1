"""Priority: urgency × reach, 0–100, explained in the workspace's language; a pure function of its inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ecoute.analysis import explain, priority
from ecoute.analysis.wording import NBSP

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
COMPLAINT = {"sentiment": "negative", "sentiment_score": -0.8, "intent": "complaint", "needs_reply": True}
QUESTION = {"sentiment": "neutral", "sentiment_score": 0.0, "intent": "question", "needs_reply": True}
PRAISE = {"sentiment": "positive", "sentiment_score": 0.9, "intent": "praise", "needs_reply": True}
NEWS = {"sentiment": "neutral", "sentiment_score": 0.05, "intent": "other", "needs_reply": False}


def test_reasons_in_french() -> None:
    result = priority(
        **COMPLAINT,
        keywords=["remboursement"],
        followers=48_000,
        created_at=NOW - timedelta(hours=3, minutes=10),
        now=NOW,
        locale="fr",
    )
    assert result.reasons == (
        "plainte négative",
        f"mot-clé{NBSP}: remboursement",
        f"48{NBSP}k abonnés",
        f"sans réponse depuis 3{NBSP}h",
    )


def test_reasons_in_english() -> None:
    result = priority(
        **COMPLAINT,
        keywords=["refund"],
        followers=48_000,
        verified=True,
        shares=1200,
        created_at=NOW - timedelta(hours=3),
        now=NOW,
        locale="en",
    )
    assert result.reasons == (
        "negative complaint",
        "keyword: refund",
        "48k followers",
        "verified account",
        "1.2k shares",
        f"unanswered for 3{NBSP}h",
    )


def test_score_is_bounded() -> None:
    loud = priority(
        **COMPLAINT,
        keywords=["avocat", "remboursement", "danger", "urgent"],
        followers=10**9,
        verified=True,
        likes=10**7,
        shares=10**7,
        replies=10**7,
        created_at=NOW - timedelta(days=30),
        now=NOW,
    )
    quiet = priority(**NEWS)
    assert loud.score == 100
    assert 0 <= quiet.score <= 5


def test_intent_orders_urgency() -> None:
    scores = [priority(**signals).score for signals in (COMPLAINT, QUESTION, PRAISE, NEWS)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 4


def test_reach_raises_priority() -> None:
    assert priority(**QUESTION, followers=100_000).score > priority(**QUESTION, followers=10).score
    assert priority(**QUESTION, verified=True).score > priority(**QUESTION).score
    assert priority(**QUESTION, shares=500).score > priority(**QUESTION).score


def test_urgent_words_raise_priority_and_are_named() -> None:
    plain = priority(**QUESTION, locale="en")
    legal = priority(**QUESTION, keywords=["lawyer"], locale="en")
    assert legal.score > plain.score
    assert "keyword: lawyer" in legal.reasons


def test_waiting_time_grows_priority_at_a_later_now() -> None:
    posted = NOW - timedelta(minutes=5)
    early = priority(**COMPLAINT, created_at=posted, now=NOW)
    later = priority(**COMPLAINT, created_at=posted, now=NOW + timedelta(hours=6))
    assert later.score > early.score
    assert later.reasons[-1] == f"sans réponse depuis 6{NBSP}h"
    assert all("sans réponse" not in reason for reason in early.reasons)


def test_answered_posts_do_not_wait() -> None:
    answered = priority(**COMPLAINT, created_at=NOW - timedelta(hours=5), now=NOW, answered=True, locale="en")
    assert all("unanswered" not in reason for reason in answered.reasons)


def test_no_reply_needed_is_said_and_lowers_priority() -> None:
    result = priority(**{**COMPLAINT, "needs_reply": False}, locale="en")
    assert result.score < priority(**COMPLAINT).score
    assert result.reasons[-1] == "no reply expected"


def test_naive_dates_are_utc() -> None:
    naive = priority(**COMPLAINT, created_at=datetime(2026, 11, 22, 12, 0), now=NOW)
    aware = priority(**COMPLAINT, created_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC), now=NOW)
    assert naive == aware


def test_explain_returns_the_reasons() -> None:
    assert explain(**PRAISE, locale="en") == ["praise"]
