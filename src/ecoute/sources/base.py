"""What every source hands to the ingest path: raw items, rejected inputs, and a small Protocol."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable


@dataclass(slots=True)
class RawItem:
    """One post, comment, reply or review as a source saw it, before normalisation.

    Only ``external_id``, ``text`` and ``created_at`` are required; ``ecoute.ingest`` validates
    and normalises the rest (handles lower-cased, counts clamped at zero, kind checked...).
    ``created_at`` may be an aware datetime or an ISO 8601 / RFC 2822 string or epoch seconds.
    """

    platform: str
    external_id: str
    text: str
    created_at: datetime | str | int | float | None
    url: str | None = None
    author: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    author_verified: bool = False
    kind: str = "post"
    rating: float | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    language: str | None = None
    likes: int = 0
    shares: int = 0
    replies: int = 0
    raw: dict[str, Any] = field(default_factory=dict)
    location: str = ""  # where it came from, for error messages: "file.csv line 12", a feed URL...
    original: str = ""  # the input as read (a JSONL line, a CSV row), kept for the rejects file
    # The item's version on its platform (Mastodon's ``edited_at``): an item already stored with
    # another revision is an edit, and the stored mention takes the new text (audited).
    revision: str | None = None


@dataclass(slots=True, frozen=True)
class Rejected:
    """An input that could not become an item: where it was, which field, and why."""

    location: str
    reason: str
    field: str | None = None
    content: str = ""

    def describe(self) -> str:
        where = f"{self.location} [{self.field}]" if self.field else self.location
        return f"{where}: {self.reason}"


class PayloadError(ValueError):
    """A platform's payload lacks a field Écoute needs, or has it in the wrong shape; ``field``
    is its path in the payload (``[0].status.uri``)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(slots=True, frozen=True)
class PlatformReply:
    """A reply the brand already posted on the platform itself (a review's answer seen while
    listening): recorded on the conversation of ``in_reply_to`` (an external id), which is then
    answered."""

    in_reply_to: str
    text: str
    platform_reply_id: str
    at: str | None = None


@dataclass(slots=True)
class PollResult:
    """What one poll of a source returned: items (and rejects) and the cursor to save after them."""

    items: list[RawItem | Rejected]
    cursor: dict[str, Any]
    not_modified: bool = False
    # External ids the platform says are gone (deleted by their author): their mentions are
    # marked deleted — hidden from the inbox, kept with an audit event.
    deleted: list[str] = field(default_factory=list)
    # Replies the brand posted on the platform, outside Écoute (see ``PlatformReply``).
    answered: list[PlatformReply] = field(default_factory=list)


@runtime_checkable
class Connector(Protocol):
    """A source of mentions that Écoute polls (RSS, Mastodon, Bluesky, ...).

    ``poll`` must not store anything: it returns items and the next cursor, and the caller saves
    the cursor only once the items are committed, so a crash re-polls instead of losing items.
    """

    platform: ClassVar[str]
    description: ClassVar[str]

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult: ...


@dataclass(slots=True, frozen=True)
class ReplyTarget:
    """The mention a reply answers, as a platform needs it: its id, thread, author and link."""

    platform: str
    external_id: str
    url: str | None = None
    author_handle: str | None = None
    thread_id: str | None = None


@dataclass(slots=True, frozen=True)
class SentReply:
    """What the platform answered when a reply was posted: its id there and its link."""

    platform_reply_id: str
    url: str | None = None


@runtime_checkable
class ReplySender(Protocol):
    """A source whose platform lets Écoute post replies (optional, next to ``Connector``).

    ``idempotency_key`` is the same on every retry of one reply: an implementation passes it to
    the platform when the API accepts one, else looks for a reply it already posted with it
    before posting, so that a retry after a crash never posts twice. Raise ``SourceError``
    (``retriable`` or not) when the platform refuses.
    """

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply: ...


FAILURE_KINDS = ("auth", "rate_limit", "transient", "permanent")


class SourceError(Exception):
    """A source could not be read (or written to). ``retriable`` tells whether trying again later
    may help; ``kind`` says what the scheduler and the Sources page make of it:

    - ``auth``: the authorisation expired or was revoked — the source needs reconnecting;
    - ``rate_limit``: a rate limit or quota — wait ``retry_after`` seconds (or the reset);
    - ``transient``: a 5xx, a timeout, a refused connection — back off and try again;
    - ``permanent``: anything trying again will not fix (a bad setting, a deleted account).
    """

    def __init__(
        self,
        message: str,
        *,
        retriable: bool,
        kind: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.retriable = retriable
        self.kind = kind or ("transient" if retriable else "permanent")
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"SourceError kind {self.kind!r}: use {', '.join(FAILURE_KINDS)}")
        self.retry_after = retry_after


ItemStream = Iterator[RawItem | Rejected]
