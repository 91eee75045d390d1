"""What the review platforms share (Google Business Profile, Trustpilot): a listing read newest
first, page by page, that stops at the stored high-water mark; and, once a day (``relist_hours``),
the whole listing read again, which tells what changed further down: reviews gone from it were
removed (their mentions are hidden, kept in the audit trail) and older reviews edited since
(their new revision updates the stored mention).

The cursor keeps the high-water mark (the latest listing time heard and the ids heard at that
very time), the ids of the last complete listing, and when the last full listing was read. A
listing cut short (``max_pages``) never marks anything deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ecoute.sources.base import PayloadError, PlatformReply, PollResult, RawItem, Rejected, SourceError
from ecoute.sources.payload_fields import rejected, text_field

RELIST_HOURS = 24.0
MAX_KNOWN = 20_000  # ids kept for telling deletions; a larger listing is not compared


@dataclass(frozen=True)
class Heard:
    """One entry of a listing page: the review's item (or why it could not be read), the time
    the listing is ordered by, and the brand's reply to it, if any."""

    item: RawItem | Rejected
    order: str = ""
    answer: PlatformReply | None = None


# Reads one page: the token of the page (None for the first), its entries and the next token
# (None at the end of the listing).
Fetch = Callable[[Any], tuple[list[Heard], Any]]


def instant(value: str) -> datetime:
    """An RFC 3339 time (``2025-11-01T18:02:11.123Z``; fractions and offsets allowed)."""
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def time_field(payload: Mapping[str, Any], name: str, *, where: str, required: bool = True) -> str | None:
    """``payload[name]`` as an RFC 3339 time (kept as written), or None when absent."""
    value = text_field(payload, name, where=where, required=required)
    if value is None:
        return None
    try:
        instant(value)
    except ValueError:
        raise PayloadError(f"{where}.{name}", f"expected an RFC 3339 time, got {value!r:.40}") from None
    return value


def relist_hours(settings: Mapping[str, Any]) -> float:
    """The ``relist_hours`` setting: how often the whole listing is read again."""
    try:
        return float(str(settings.get("relist_hours") or RELIST_HOURS))
    except ValueError:
        raise SourceError("setting 'relist_hours': expected a number of hours", retriable=False) from None


def read_page(body: Any, read: Callable[[Any, str], Heard], *, where: str) -> list[Heard]:
    """The entries of a page's ``reviews`` list, each read by ``read(payload, field path)``; one
    that cannot be read is kept as a ``Rejected`` naming its field, the others are read on."""
    reviews = body.get("reviews") if isinstance(body, dict) else None
    found: list[Heard] = []
    for index, payload in enumerate(reviews if isinstance(reviews, list) else []):
        try:
            found.append(read(payload, f"reviews[{index}]"))
        except PayloadError as error:
            found.append(Heard(rejected(error, location=f"{where} reviews[{index}]", payload=payload)))
    return found


@dataclass
class Mark:
    since: str | None = None
    at: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    listed_at: float | None = None

    @classmethod
    def read(cls, cursor: Mapping[str, Any]) -> Mark:
        since = cursor.get("since")
        try:
            instant(since) if isinstance(since, str) else None
        except ValueError:
            since = None
        listed = cursor.get("listed_at")
        return cls(
            since if isinstance(since, str) else None,
            {str(i) for i in cursor.get("at") or [] if isinstance(i, str)},
            {str(i) for i in cursor.get("known") or [] if isinstance(i, str)},
            float(listed) if isinstance(listed, int | float) and not isinstance(listed, bool) else None,
        )

    def is_new(self, when: str, item_id: str) -> bool:
        if self.since is None:
            return True
        moment, since = instant(when), instant(self.since)
        return moment > since or (moment == since and item_id not in self.at)

    def advance(self, when: str, item_id: str) -> None:
        if self.since is None or instant(when) > instant(self.since):
            self.since, self.at = when, {item_id}
        elif instant(when) == instant(self.since):
            self.at.add(item_id)

    def dump(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "at": sorted(self.at),
            "known": sorted(self.known),
            "listed_at": self.listed_at,
        }


def listen(
    fetch: Fetch,
    cursor: Mapping[str, Any],
    *,
    max_pages: int,
    relist_hours: float = RELIST_HOURS,
    now: Callable[[], float] = time.time,
) -> PollResult:
    """Read the listing through ``fetch`` from the newest entry: to the high-water mark, or to
    its end when a full listing is due (the first poll, then every ``relist_hours``)."""
    mark = Mark.read(cursor)
    before = Mark(mark.since, set(mark.at))
    started = now()
    full = mark.since is None or mark.listed_at is None or started - mark.listed_at >= relist_hours * 3600
    items: list[RawItem | Rejected] = []
    answers: list[PlatformReply] = []
    listed: set[str] = set()
    token: Any = None
    complete = False
    for _ in range(max_pages):
        page, token = fetch(token)
        fresh = False
        for heard in page:
            if isinstance(heard.item, Rejected):
                items.append(heard.item)
                continue
            review_id = heard.item.external_id
            if review_id in listed:  # moved to the next page while we read: heard once
                continue
            listed.add(review_id)
            new = before.is_new(heard.order, review_id)
            if new:
                mark.advance(heard.order, review_id)
                fresh = True
            if new or full:
                items.append(heard.item)
                if heard.answer is not None:
                    answers.append(heard.answer)
        if token is None:
            complete = True
            break
        if not full and not fresh:
            break
    deleted: list[str] = []
    if full and complete:
        if mark.known and len(mark.known) <= MAX_KNOWN:
            deleted = sorted(mark.known - listed)
        mark.known = listed if len(listed) <= MAX_KNOWN else set()
    elif len(mark.known | listed) <= MAX_KNOWN:
        mark.known |= listed
    if full:  # a listing longer than max_pages is read again only at the next due time
        mark.listed_at = started
    return PollResult(items, mark.dump(), deleted=deleted, answered=answers)
