"""Turn a RawItem into a validated, normalised item, or say exactly which field is wrong and why."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from operator import attrgetter
from typing import Any

from ecoute.sources.base import RawItem, Rejected
from ecoute.store.models import MENTION_KINDS
from ecoute.urls import external_url

MAX_TEXT_CHARS = 100_000
MAX_ID_CHARS = 256
REVISION_KEY = "_revision"  # where a stored mention keeps its platform revision (see RawItem.revision)
# Counts (likes, followers...) are stored in 32-bit columns: a larger one is clamped to this.
MAX_COUNT = 2**31 - 1
# How deeply the kept raw payload (unmapped columns) may nest: deeper is not an export, it is an attack.
MAX_RAW_DEPTH = 32
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")
_PLATFORM_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
# Items dated more than this in the future are a clock or parsing error, not a real post.
_FUTURE_SLACK = timedelta(days=1)


class FieldError(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(slots=True)
class Item:
    """A validated item, ready for brand matching and storage."""

    platform: str
    external_id: str
    text: str
    created_at: datetime
    url: str | None
    author: str | None
    author_name: str | None
    author_followers: int | None
    author_verified: bool
    kind: str
    rating: float | None
    parent_id: str | None
    thread_id: str | None
    language: str | None
    likes: int
    shares: int
    replies: int
    raw: dict[str, Any] = field(default_factory=dict)
    # (field, message) for values dropped on the way in while the item itself was kept.
    warnings: list[tuple[str, str]] = field(default_factory=list)
    revision: str | None = None  # kept in ``raw`` under REVISION_KEY once stored


def parse_datetime(value: object, *, default_tz: tzinfo = UTC) -> datetime:
    """ISO 8601, RFC 2822 (feeds, e-mail), or epoch seconds/milliseconds; naive means ``default_tz``."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            raise FieldError("created_at", "epoch number is out of range") from None
        parsed = _from_epoch(seconds)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_date_text(value.strip())
    else:
        raise FieldError("created_at", "missing date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e11:  # milliseconds, as JavaScript-based exports write them
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise FieldError("created_at", f"epoch {seconds!r} is out of range") from None


_EPOCH_RE = re.compile(r"\d{9,13}(\.\d+)?")


def _parse_date_text(text: str) -> datetime:
    if _EPOCH_RE.fullmatch(text):
        return _from_epoch(float(text))
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise FieldError("created_at", f"unrecognised date {_short(text)} (expected ISO 8601)") from None


def _clean_str(value: object, field_name: str, *, limit: int = 500) -> str | None:
    if value is None:
        return None
    if type(value) is not str:
        _not_container(value, field_name)
        try:
            value = str(value)
        except ValueError:  # an integer too long to write out
            raise FieldError(field_name, "value is too long") from None
    value = value.strip()
    if len(value) > limit:
        raise FieldError(field_name, f"longer than {limit} characters")
    return value or None


def _not_container(value: object, field_name: str) -> None:
    if isinstance(value, dict | list | tuple):
        kind = "an object" if isinstance(value, dict) else "a list"
        raise FieldError(field_name, f"expected text, got {kind}")


def _count(value: object, field_name: str) -> int:
    if type(value) is int:  # the common case, first (this runs several times per item)
        return (value if value < MAX_COUNT else MAX_COUNT) if value > 0 else 0
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise FieldError(field_name, f"expected a whole number, got {_short(value)}")
    try:
        number = int(float(value)) if isinstance(value, str) else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):  # "abc", "nan", "inf"
        raise FieldError(field_name, f"expected a whole number, got {_short(value)}") from None
    return min(max(number, 0), MAX_COUNT)


def _optional_count(value: object, field_name: str) -> int | None:
    return None if value is None or value == "" else _count(value, field_name)


def _bool(value: object, field_name: str) -> bool:
    if value is True or value is False:
        return value
    if value is None or value == "":
        return False
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "oui", "vrai", "t"}:
        return True
    if text in {"0", "false", "no", "n", "non", "faux", "f"}:
        return False
    raise FieldError(field_name, f"expected true/false, got {_short(value)}")


def _rating(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        rating = float(str(value).replace(",", ".")) if not isinstance(value, int | float) else float(value)
    except (ValueError, OverflowError):
        raise FieldError("rating", f"expected a number from 0 to 5, got {_short(value)}") from None
    if not 0 <= rating <= 5:
        raise FieldError("rating", f"{rating:g} is outside 0–5")
    return rating


def _handle(value: object) -> str | None:
    handle = _clean_str(value, "author", limit=200)
    return handle.lstrip("@").lower() if handle else None


def _short(value: object, limit: int = 60) -> str:
    """A value for an error message: its repr, cut short (a hostile value may be huge)."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to write out
        return f"a {type(value).__name__} too long to show"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: str, field_name: str) -> str:
    """Text that every database can store: a lone surrogate (not Unicode text) rejects the item;
    a NUL character (which PostgreSQL cannot store in text) becomes U+FFFD, the rest is kept."""
    found = _SURROGATE_RE.search(value)
    if found:
        char = found.group()
        raise FieldError(
            field_name, f"contains a lone surrogate (U+{ord(char):04X}), which is not valid Unicode"
        )
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def _payload(value: Any, field_name: str, depth: int = 0) -> Any:
    """The kept raw payload made storable (see ``_text``); non-finite numbers become text. The
    same object comes back when nothing needed repair."""
    if depth > MAX_RAW_DEPTH:
        raise FieldError(field_name, f"nested more than {MAX_RAW_DEPTH} levels deep")
    if isinstance(value, str):
        return _text(value, field_name)
    if isinstance(value, dict):
        pairs = [
            (_text(str(key), field_name), _payload(item, _child(field_name, key, depth), depth + 1))
            for key, item in value.items()
        ]
        same = all(k is key and v is item for (k, v), (key, item) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    if isinstance(value, list | tuple):
        items = [_payload(item, field_name, depth + 1) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def _child(field_name: str, key: object, depth: int) -> str:
    return f"{field_name}.{key}" if depth else str(key)


_TEXT_FIELDS = (
    ("platform", "platform"),
    ("external_id", "id"),
    ("text", "text"),
    ("url", "url"),
    ("author", "author"),
    ("author_name", "author_name"),
    ("kind", "kind"),
    ("parent_id", "parent_id"),
    ("thread_id", "thread_id"),
    ("language", "lang"),
    ("created_at", "created_at"),
    # Numbers and flags may arrive as text too (CSV, JSON strings).
    ("author_followers", "author_followers"),
    ("author_verified", "author_verified"),
    ("rating", "rating"),
    ("likes", "likes"),
    ("shares", "shares"),
    ("replies", "replies"),
)


_TEXT_VALUES = attrgetter(*(attribute for attribute, _ in _TEXT_FIELDS))


def scrub(raw: RawItem) -> RawItem:
    """The raw item with every string storable in every database (see ``_text``); raises
    FieldError naming the field that cannot be. Run before a raw item is kept anywhere."""
    values = _TEXT_VALUES(raw)
    # One search over all the fields at once: almost every item has nothing to repair.
    if _UNSTORABLE_RE.search("".join([v for v in values if type(v) is str])):
        changes: dict[str, Any] = {}
        for (attribute, field_name), value in zip(_TEXT_FIELDS, values, strict=True):
            if isinstance(value, str):
                clean = _text(value, field_name)
                if clean is not value:
                    changes[attribute] = clean
        raw = replace(raw, **changes)
    if raw.raw:
        payload = _payload(raw.raw, "raw")
        if payload is not raw.raw:
            raw = replace(raw, raw=payload)
    return raw


def screen(raw: RawItem) -> RawItem | Rejected:
    """``scrub`` with its problem as a Rejected naming the field (for items kept before ingest)."""
    try:
        clean = scrub(raw)
    except FieldError as error:
        return Rejected(raw.location or "?", str(error), error.field, _text_safe(raw.original))
    original = _text_safe(clean.original)
    return clean if original == clean.original else replace(clean, original=original)


def _text_safe(value: str) -> str:
    return _SURROGATE_RE.sub("\ufffd", value).replace("\x00", "\ufffd")


def normalise(raw: RawItem, *, default_tz: tzinfo = UTC, now: datetime | None = None) -> Item | Rejected:
    """Validate one raw item; any problem becomes a Rejected naming the field."""
    try:
        return _normalise(scrub(raw), default_tz, now or datetime.now(UTC))
    except FieldError as error:
        ident = raw.external_id
        where = ident if type(ident) is str else "" if ident is None else _short(ident)
        location = _text_safe(raw.location or where[:MAX_ID_CHARS] or "?")
        return Rejected(location, str(error), error.field, _text_safe(raw.original))


def _platform(value: str | None) -> str:
    platform = _PLATFORMS.get(value) if type(value) is str else None
    if platform is None:
        platform = (_clean_str(value, "platform", limit=64) or "").lower()
        if not _PLATFORM_RE.match(platform):
            raise FieldError("platform", f"invalid platform name {_short(value)}")
        if len(_PLATFORMS) < 1000:
            _PLATFORMS[value] = platform  # type: ignore[index]
    return platform


def _kind(value: object) -> str:
    return (_clean_str(value, "kind", limit=64) or "post").lower()


# Platform names as sources write them → validated form (a file holds a handful of them).
_PLATFORMS: dict[str, str] = {}
_KINDS = frozenset(MENTION_KINDS)


def _normalise(raw: RawItem, default_tz: tzinfo, now: datetime) -> Item:
    # Fields that are usually absent are tested for None before any call: this runs per item.
    platform = _platform(raw.platform)
    external_id = _clean_str(raw.external_id, "id", limit=MAX_ID_CHARS)
    if not external_id:
        raise FieldError("id", "missing id")
    kind = raw.kind if type(raw.kind) is str and raw.kind in _KINDS else _kind(raw.kind)
    if kind not in _KINDS:
        known = ", ".join(MENTION_KINDS)
        raise FieldError("kind", f"unknown kind {_short(raw.kind)} (expected one of {known})")
    if isinstance(raw.text, str):
        text = raw.text
    else:
        text = "" if raw.text is None else _clean_str(raw.text, "text", limit=MAX_TEXT_CHARS) or ""
    text = text.strip()
    rating = None if raw.rating is None else _rating(raw.rating)
    if not text and not (kind == "review" and rating is not None):
        raise FieldError("text", "empty text")
    if len(text) > MAX_TEXT_CHARS:
        raise FieldError("text", f"{len(text):,} characters, more than the {MAX_TEXT_CHARS:,} allowed")
    created_at = parse_datetime(raw.created_at, default_tz=default_tz)
    if created_at > now + _FUTURE_SLACK:
        raise FieldError("created_at", f"{created_at.isoformat()} is in the future")
    language = None if raw.language is None else _clean_str(raw.language, "lang", limit=8)
    followers = raw.author_followers
    if type(followers) is not int or not 0 <= followers <= MAX_COUNT:
        followers = _optional_count(followers, "author_followers")
    warnings: list[tuple[str, str]] = []
    likes, shares, replies = (
        _count(raw.likes, "likes"),
        _count(raw.shares, "shares"),
        _count(raw.replies, "replies"),
    )
    if MAX_COUNT in (followers, likes, shares, replies):
        for name, value, count in (
            ("author_followers", raw.author_followers, followers),
            ("likes", raw.likes, likes),
            ("shares", raw.shares, shares),
            ("replies", raw.replies, replies),
        ):
            if count == MAX_COUNT and str(value).strip() != str(MAX_COUNT):
                why = f"{_short(value)} is more than {MAX_COUNT:,}: stored as {MAX_COUNT:,}"
                warnings.append((name, why))
    url = None if raw.url is None else _clean_str(raw.url, "url", limit=2000)
    if url is not None and external_url(url) is None:
        why = f"{_short(url)} is not an absolute http(s) address: link dropped, mention kept"
        warnings.append(("url", why))
        url = None
    return Item(
        platform,
        external_id,
        text,
        created_at,
        url,
        None if raw.author is None else _handle(raw.author),
        None if raw.author_name is None else _clean_str(raw.author_name, "author_name", limit=200),
        followers,
        _bool(raw.author_verified, "author_verified"),
        kind,
        rating,
        None if raw.parent_id is None else _clean_str(raw.parent_id, "parent_id", limit=MAX_ID_CHARS),
        None if raw.thread_id is None else _clean_str(raw.thread_id, "thread_id", limit=MAX_ID_CHARS),
        language.lower() if language else None,
        likes,
        shares,
        replies,
        {**raw.raw, REVISION_KEY: raw.revision} if raw.revision else raw.raw,
        warnings,
        raw.revision,
    )
