"""Trustpilot service reviews read through typed accessors and turned into the RawItems the
ingest path takes.

Shapes follow the Business Units API's review listing (``GET /v1/business-units/{id}/reviews``):
``id``, ``consumer{id, displayName, displayLocation, numberOfReviews}``, ``stars``, ``title``,
``text``, ``language``, ``location``, ``createdAt``, ``updatedAt`` and ``companyReply{text,
authorBusinessUserId, createdAt, updatedAt}``. A review's ``external_id`` is its ``id``, its
revision its ``updatedAt`` (its ``createdAt`` until edited), its author the consumer's id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecoute.sources.base import PayloadError, PlatformReply, RawItem
from ecoute.sources.payload_fields import text_field as _text
from ecoute.sources.review_listing import time_field as _time

PLATFORM = "trustpilot"
REVIEW_URL = "https://www.trustpilot.com/reviews/"


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


@dataclass(frozen=True, slots=True)
class Review:
    id: str
    stars: int
    title: str
    text: str
    language: str | None
    consumer_id: str | None
    consumer_name: str | None
    consumer_reviews: int | None
    consumer_location: str | None
    location: str | None  # the business's location the review is about, when it has several
    created_at: str
    updated_at: str
    reply: str | None
    replied_at: str | None
    raw: Mapping[str, Any]

    @classmethod
    def read(cls, payload: Any, *, where: str = "review") -> Review:
        if not isinstance(payload, Mapping):
            raise PayloadError(where, "expected an object")
        stars = payload.get("stars")
        if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
            raise PayloadError(f"{where}.stars", f"expected 1 to 5, got {stars!r:.40}")
        consumer = payload.get("consumer")
        consumer = consumer if isinstance(consumer, Mapping) else {}
        at = f"{where}.consumer"
        location = payload.get("location")
        reply = payload.get("companyReply")
        reply = reply if isinstance(reply, Mapping) else None
        created = str(_time(payload, "createdAt", where=where))
        replied = None
        if reply:
            replied = _time(reply, "updatedAt", where=f"{where}.companyReply", required=False) or _time(
                reply, "createdAt", where=f"{where}.companyReply", required=False
            )
        return cls(
            id=str(_text(payload, "id", where=where)),
            stars=stars,
            title=(_text(payload, "title", where=where, required=False) or "").strip(),
            text=(_text(payload, "text", where=where, required=False) or "").strip(),
            language=_text(payload, "language", where=where, required=False),
            consumer_id=_text(consumer, "id", where=at, required=False),
            consumer_name=_text(consumer, "displayName", where=at, required=False),
            consumer_reviews=_count(consumer.get("numberOfReviews")),
            consumer_location=_text(consumer, "displayLocation", where=at, required=False),
            location=_text(location, "name", where=f"{where}.location", required=False)
            if isinstance(location, Mapping)
            else None,
            created_at=created,
            updated_at=_time(payload, "updatedAt", where=where, required=False) or created,
            reply=(_text(reply, "text", where=f"{where}.companyReply", required=False) or None)
            if reply
            else None,
            replied_at=replied,
            raw=payload,
        )

    @property
    def body(self) -> str:
        """The title, then the text (Trustpilot shows both; either may carry the complaint)."""
        if self.title and self.text and not self.text.startswith(self.title):
            return f"{self.title}\n\n{self.text}"
        return self.text or self.title


def review_item(review: Review, *, location: str) -> RawItem:
    return RawItem(
        platform=PLATFORM,
        external_id=review.id,
        text=review.body,
        created_at=review.created_at,
        url=REVIEW_URL + review.id,
        author=review.consumer_id or review.consumer_name,
        author_name=review.consumer_name,
        kind="review",
        rating=float(review.stars),
        thread_id=review.id,
        language=review.language,
        raw={**review.raw},
        location=location,
        original=json.dumps(review.raw, ensure_ascii=False)[:10_000],
        revision=review.updated_at,
    )


def review_answer(review: Review) -> PlatformReply | None:
    """The company's reply to the review (one per review)."""
    if not review.reply:
        return None
    return PlatformReply(
        in_reply_to=review.id, text=review.reply, platform_reply_id=f"{review.id}/reply", at=review.replied_at
    )
