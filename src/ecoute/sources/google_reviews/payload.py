"""Google Business Profile reviews read through typed accessors and turned into the RawItems the
ingest path takes.

Shapes follow the v4 ``Review`` resource (``accounts.locations.reviews``): ``reviewId``,
``reviewer{displayName, profilePhotoUrl, isAnonymous}``, ``starRating`` (``ONE`` … ``FIVE``),
``comment``, ``createTime``, ``updateTime`` and ``reviewReply{comment, updateTime}``. A review's
``external_id`` is its ``reviewId``; its revision is its ``updateTime``.

A review Google translated for the business reads "(Translated by Google) <translation>
(Original) <original>" or "<original> (Translated by Google) <translation>": the original is kept
as the mention's text, the translation in its raw payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecoute.sources.base import PayloadError, PlatformReply, RawItem
from ecoute.sources.payload_fields import text_field as _text
from ecoute.sources.review_listing import time_field as _time

PLATFORM = "google_reviews"
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
_TRANSLATED = re.compile(r"\(Translated by Google\)", re.IGNORECASE)
_ORIGINAL = re.compile(r"\(Original\)", re.IGNORECASE)


def split_translation(comment: str) -> tuple[str, str | None]:
    """The text the reviewer wrote and Google's translation of it (None when not translated)."""
    translated = _TRANSLATED.search(comment)
    if translated is None:
        return comment.strip(), None
    original = _ORIGINAL.search(comment, translated.end())
    if original is not None:  # "(Translated by Google) …\n\n(Original)\n…"
        return comment[original.end() :].strip(), comment[translated.end() : original.start()].strip()
    # "…original…\n\n(Translated by Google)\n…translation…"
    return comment[: translated.start()].strip(), comment[translated.end() :].strip()


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    name: str
    reviewer: str | None  # None for an anonymous reviewer
    stars: int | None  # None for STAR_RATING_UNSPECIFIED
    text: str
    translation: str | None
    created_at: str
    updated_at: str
    reply: str | None
    replied_at: str | None
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "review") -> Review:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        review_id = str(_text(payload, "reviewId", where=where))
        rating = payload.get("starRating")
        if rating is not None and rating not in STARS and rating != "STAR_RATING_UNSPECIFIED":
            raise PayloadError(f"{where}.starRating", f"expected ONE to FIVE, got {rating!r:.40}")
        reviewer = payload.get("reviewer")
        reviewer = reviewer if isinstance(reviewer, Mapping) else {}
        anonymous = reviewer.get("isAnonymous") is True
        name = (
            None if anonymous else _text(reviewer, "displayName", where=f"{where}.reviewer", required=False)
        )
        comment = _text(payload, "comment", where=where, required=False) or ""
        text, translation = split_translation(comment)
        reply = payload.get("reviewReply")
        reply = reply if isinstance(reply, Mapping) else None
        created = str(_time(payload, "createTime", where=where))
        return cls(
            id=review_id,
            name=_text(payload, "name", where=where, required=False) or "",
            reviewer=name or None,
            stars=STARS.get(str(rating)) if rating else None,
            text=text,
            translation=translation,
            created_at=created,
            updated_at=_time(payload, "updateTime", where=where, required=False) or created,
            reply=(_text(reply, "comment", where=f"{where}.reviewReply", required=False) or None)
            if reply
            else None,
            replied_at=_time(reply, "updateTime", where=f"{where}.reviewReply", required=False)
            if reply
            else None,
            raw=payload,
        )


def review_item(review: Review, *, location: str) -> RawItem:
    raw: dict[str, Any] = {**review.raw}
    if review.translation:
        raw["translation"] = review.translation
    return RawItem(
        platform=PLATFORM,
        external_id=review.id,
        text=review.text,
        created_at=review.created_at,
        url=None,  # the API gives no link to one review
        # Google gives reviewers no handle: their display name stands for one (None: anonymous)
        author=review.reviewer,
        author_name=review.reviewer,
        kind="review",
        rating=float(review.stars) if review.stars is not None else None,
        thread_id=review.id,
        raw=raw,
        location=location,
        original=json.dumps(review.raw, ensure_ascii=False)[:10_000],
        revision=review.updated_at,
    )


def review_answer(review: Review) -> PlatformReply | None:
    """The business's reply to the review, as Google holds it (one per review)."""
    if not review.reply:
        return None
    return PlatformReply(
        in_reply_to=review.id,
        text=review.reply,
        platform_reply_id=f"{review.name or review.id}/reply",
        at=review.replied_at,
    )
