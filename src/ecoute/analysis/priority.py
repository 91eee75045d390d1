"""Priority: how urgent a post is times how far it carries, 0–100, with the reasons why.

A pure function of the annotation and the post's context, so the inbox can recompute it at a
new ``now`` (waiting time grows) without running any model:

    urgency = intent base + negativity + urgent keywords + waiting time   (0..1, halved-ish
              when no reply is needed)
    reach   = followers (log scale, 1 M ≈ full) + verified + engagement   (0..1)
    score   = 100 × urgency × (0.6 + 0.4 × reach)

Reach scales urgency rather than adding to it: a famous account's neutral news share is not
urgent, while a complaint from an account nobody follows still deserves an answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .keywords import keyword_category
from .types import AnalysisInput, Annotation
from .wording import format_count, format_duration, phrase

INTENT_URGENCY = {"complaint": 0.55, "question": 0.42, "praise": 0.15, "other": 0.05}
NEGATIVITY = 0.25
KEYWORDS_CAP = 0.4
WAITING = 0.25
WAITING_FULL_HOURS = 48.0
NO_REPLY_FACTOR = 0.4
REACH_FLOOR = 0.6
FOLLOWERS_FULL = 6.0  # log10 of the follower count that gives full reach (1 M)
VERIFIED = 0.15
ENGAGEMENT = 0.3
ENGAGEMENT_FULL = 4.0  # log10 of engagements that give the full engagement bonus (10 k)
# Thresholds for mentioning a number as a reason: below them it does not explain anything.
SHOW_FOLLOWERS, SHOW_SHARES, SHOW_LIKES, SHOW_REPLIES = 1000, 10, 50, 10
SHOW_WAITING_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class Priority:
    score: int
    reasons: tuple[str, ...]


def priority(
    *,
    sentiment: str,
    sentiment_score: float,
    intent: str,
    needs_reply: bool,
    keywords: Sequence[str] = (),
    followers: int | None = None,
    verified: bool = False,
    likes: int = 0,
    shares: int = 0,
    replies: int = 0,
    created_at: datetime | None = None,
    now: datetime | None = None,
    answered: bool = False,
    locale: str = "fr",
) -> Priority:
    """Score and reasons for one post. ``created_at`` without a time zone is taken as UTC."""
    reasons: list[str] = []
    urgency = INTENT_URGENCY.get(intent, 0.05) + NEGATIVITY * max(0.0, -sentiment_score)
    reasons += _intent_reasons(intent, sentiment, sentiment_score, needs_reply, locale)
    urgency += _keywords(keywords, reasons, locale)
    waited = _waited_seconds(created_at, now)
    if needs_reply and not answered and waited is not None:
        urgency += WAITING * min(1.0, math.log1p(waited / 3600) / math.log1p(WAITING_FULL_HOURS))
    if not needs_reply:
        urgency *= NO_REPLY_FACTOR
    reach = _reach(followers, verified, likes, shares, replies, reasons, locale)
    if needs_reply and not answered and waited is not None and waited >= SHOW_WAITING_SECONDS:
        reasons.append(phrase(locale, "waiting", duration=format_duration(waited, locale)))
    if not needs_reply:
        reasons.append(phrase(locale, "no_reply_needed"))
    score = 100.0 * min(urgency, 1.0) * (REACH_FLOOR + (1 - REACH_FLOOR) * reach)
    return Priority(int(round(min(max(score, 0.0), 100.0))), tuple(reasons))


def explain(**signals: object) -> list[str]:
    """Only the reasons of ``priority(**signals)``: what the inbox shows next to the score."""
    return list(priority(**signals).reasons)  # type: ignore[arg-type]


def priority_of(
    annotation: Annotation,
    item: AnalysisInput,
    *,
    now: datetime | None = None,
    answered: bool = False,
    locale: str = "fr",
) -> Priority:
    """``priority`` for an annotation and the input it came from."""
    return priority(
        sentiment=annotation.sentiment,
        sentiment_score=annotation.sentiment_score,
        intent=annotation.intent,
        needs_reply=annotation.needs_reply,
        keywords=annotation.keywords,
        followers=item.author_followers,
        verified=item.author_verified,
        likes=item.likes,
        shares=item.shares,
        replies=item.replies,
        created_at=item.created_at,
        now=now,
        answered=answered,
        locale=locale,
    )


def _intent_reasons(intent: str, sentiment: str, score: float, needs_reply: bool, locale: str) -> list[str]:
    if intent == "complaint":
        return [phrase(locale, "complaint_negative" if sentiment == "negative" else "complaint")]
    if intent == "question":
        return [phrase(locale, "question_negative" if sentiment == "negative" else "question")]
    if intent == "praise" and needs_reply:
        return [phrase(locale, "praise")]
    if score <= -0.6:
        return [phrase(locale, "very_negative")]
    return []


def _keywords(words: Sequence[str], reasons: list[str], locale: str) -> float:
    added, seen = 0.0, set()
    for word in words:
        found = keyword_category(word)
        if found is None or found[0] in seen:
            continue
        seen.add(found[0])
        added += found[1]
        reasons.append(phrase(locale, "keyword", word=word))
    return min(added, KEYWORDS_CAP)


def _reach(
    followers: int | None,
    verified: bool,
    likes: int,
    shares: int,
    replies: int,
    reasons: list[str],
    locale: str,
) -> float:
    followers = max(int(followers or 0), 0)
    likes, shares, replies = max(int(likes or 0), 0), max(int(shares or 0), 0), max(int(replies or 0), 0)
    reach = min(1.0, math.log10(1 + followers) / FOLLOWERS_FULL)
    if followers >= SHOW_FOLLOWERS:
        reasons.append(phrase(locale, "followers", count=format_count(followers, locale)))
    if verified:
        reach += VERIFIED
        reasons.append(phrase(locale, "verified"))
    engagement = likes + 2 * shares + replies
    reach += ENGAGEMENT * min(1.0, math.log10(1 + engagement) / ENGAGEMENT_FULL)
    for count, key, shown in (
        (shares, "shares", SHOW_SHARES),
        (likes, "likes", SHOW_LIKES),
        (replies, "replies", SHOW_REPLIES),
    ):
        if count >= shown:
            reasons.append(phrase(locale, key, count=format_count(count, locale)))
    return min(reach, 1.0)


def _waited_seconds(created_at: datetime | None, now: datetime | None) -> float | None:
    if created_at is None:
        return None
    now = now or datetime.now(UTC)
    created = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    current = now if now.tzinfo else now.replace(tzinfo=UTC)
    return max((current - created).total_seconds(), 0.0)
