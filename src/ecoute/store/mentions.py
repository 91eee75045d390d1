"""Bulk, workspace-scoped writes and look-ups of mentions, authors and conversations.

These run once per ingest batch (not per item), through the driver (``ecoute.store.bulk``):
a handful of set-based statements per batch is what keeps the ingest path near the speed of a
bare insert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ecoute.store.bulk import Bulk
from ecoute.store.types import utcnow

if TYPE_CHECKING:
    from ecoute.ingest import AnnotationLike
    from ecoute.normalise import Item

Key = tuple[str, str]  # (platform, external_id) or (platform, handle)
CHUNK = 500


def _by_platform(keys: Sequence[Key] | set[Key]) -> dict[str, list[str]]:
    """Group keys by platform, so look-ups use the (workspace, platform, value) unique indexes."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for platform, value in keys:
        grouped[platform].add(value)
    return {platform: sorted(values) for platform, values in grouped.items()}


def _lookup(
    bulk: Bulk, statement: str, workspace_id: int, keys: Sequence[Key] | set[Key], *extra: Any
) -> dict[Key, Any]:
    """Run ``statement`` per platform and chunk: it joins ``v(e)`` (the chunk's values) and takes
    the workspace id, the platform and ``extra`` as parameters; it selects (value, result) pairs."""
    found: dict[Key, Any] = {}
    for platform, values in _by_platform(keys).items():
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            params = (*chunk, workspace_id, platform, *extra)
            rows = bulk.query(bulk.values_cte(len(chunk)) + statement, params)
            found.update({(platform, value): result for value, result in rows})
    return found


_MENTION_CONVERSATIONS = (
    "SELECT m.external_id, m.conversation_id FROM v JOIN mentions m "
    "ON m.workspace_id = ? AND m.platform = ? AND m.external_id = v.e"
)


def existing_external_ids(session: Session, workspace_id: int, keys: Sequence[Key]) -> set[Key]:
    return set(_lookup(Bulk(session), _MENTION_CONVERSATIONS, workspace_id, keys))


def upsert_authors(session: Session, workspace_id: int, items: Sequence[Item]) -> dict[Key, int]:
    """Create or refresh the batch's authors; returns (platform, handle) → author id."""
    latest: dict[Key, list[Any]] = {}
    for item in items:  # later items carry fresher values; a missing value never erases a known one
        if item.author:
            row = latest.setdefault((item.platform, item.author), [None, None, False])
            row[0] = item.author_name or row[0]
            row[1] = item.author_followers if item.author_followers is not None else row[1]
            row[2] = row[2] or item.author_verified
    if not latest:
        return {}
    bulk = Bulk(session)
    now = utcnow()
    stamp = bulk.dt(now)
    rows = [
        (workspace_id, p, h, name, followers, bulk.flag(verified), stamp)
        for (p, h), (name, followers, verified) in latest.items()
    ]
    # DO UPDATE makes RETURNING give every row, new or existing: no read-back needed.
    returned = bulk.insert_returning(
        "INSERT INTO authors (workspace_id, platform, handle, display_name, followers, verified, updated_at) "
        "VALUES {values} ON CONFLICT (workspace_id, platform, handle) DO UPDATE SET "
        "display_name = COALESCE(excluded.display_name, authors.display_name), "
        "followers = COALESCE(excluded.followers, authors.followers), "
        "verified = (excluded.verified OR authors.verified), updated_at = excluded.updated_at "
        "RETURNING platform, handle, id",
        rows,
    )
    return {(platform, handle): author_id for platform, handle, author_id in returned}


def _thread_key(platform: str, external_id: str) -> str:
    return f"{platform}:thread:{external_id}"


def _author_key(item: Item) -> str:
    return (
        f"{item.platform}:author:{item.author}" if item.author else f"{item.platform}:item:{item.external_id}"
    )


def resolve_conversations(
    session: Session, workspace_id: int, items: Sequence[Item], author_ids: dict[Key, int]
) -> tuple[list[int], int]:
    """Pick each item's conversation: its thread if it has one, else its author's; create missing ones.

    A reply joins the conversation of the post it answers when that post is known (stored or in
    this batch); a root post joins a thread its replies already opened (items may arrive out of
    order); a loose post by a known author joins that author's conversation on the platform.
    Returns the conversation id of each item and how many conversations were created.
    """
    bulk = Bulk(session)
    referenced = {(i.platform, ref) for i in items for ref in (i.thread_id, i.parent_id) if ref}
    stored_refs: dict[Key, int] = _lookup(bulk, _MENTION_CONVERSATIONS, workspace_id, referenced)
    candidates = {_thread_key(i.platform, i.thread_id or i.parent_id or i.external_id) for i in items}
    candidates |= {_author_key(i) for i in items}
    existing = _conversation_ids(bulk, workspace_id, candidates)

    choice: list[int | str] = []  # a conversation id, or a key still to create
    in_batch: dict[Key, int | str] = {}
    for item in items:
        chosen = _choose(item, stored_refs, in_batch, existing)
        in_batch[(item.platform, item.external_id)] = chosen
        choice.append(chosen)

    created = _create_conversations(bulk, workspace_id, items, choice, author_ids)
    existing.update(created)
    missing = {c for c in choice if isinstance(c, str) and c not in existing}
    if missing:  # created by another writer between our look-up and our insert
        existing.update(_conversation_ids(bulk, workspace_id, missing))
    return [c if isinstance(c, int) else existing[c] for c in choice], len(created)


def _choose(
    item: Item, stored_refs: dict[Key, int], in_batch: dict[Key, int | str], existing: dict[str, int]
) -> int | str:
    for ref in (item.parent_id, item.thread_id):
        if ref:
            known = in_batch.get((item.platform, ref)) or stored_refs.get((item.platform, ref))
            if known is not None:
                return known
    if item.thread_id or item.parent_id:
        key = _thread_key(item.platform, item.thread_id or item.parent_id or "")
        return existing.get(key, key)
    own_thread = _thread_key(item.platform, item.external_id)
    if own_thread in existing:
        return existing[own_thread]
    key = _author_key(item)
    return existing.get(key, key)


def _conversation_ids(bulk: Bulk, workspace_id: int, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        statement = "SELECT c.key, c.id FROM v JOIN conversations c ON c.workspace_id = ? AND c.key = v.e"
        found.update(dict(bulk.query(bulk.values_cte(len(chunk)) + statement, (*chunk, workspace_id))))
    return found


def _create_conversations(
    bulk: Bulk, workspace_id: int, items: Sequence[Item], choice: list[int | str], author_ids: dict[Key, int]
) -> dict[str, int]:
    """Insert the conversations chosen by key; returns key → id of those this call created."""
    now, false = bulk.dt(utcnow()), bulk.flag(False)
    rows: dict[str, tuple[Any, ...]] = {}
    for item, chosen in zip(items, choice, strict=True):
        if isinstance(chosen, str) and chosen not in rows:
            author = author_ids.get((item.platform, item.author or ""))
            at = bulk.dt(item.created_at)
            rows[chosen] = (workspace_id, chosen, item.platform, author, "new", 0, false, 0, at, at, now, now)
    returned = bulk.insert_returning(
        "INSERT INTO conversations (workspace_id, key, platform, author_id, status, priority, needs_reply, "
        "mention_count, first_mention_at, last_mention_at, created_at, updated_at) "
        "VALUES {values} ON CONFLICT (workspace_id, key) DO NOTHING RETURNING key, id",
        list(rows.values()),
    )
    return dict(returned)


MENTION_COLUMNS = (
    "workspace_id",
    "source_id",
    "conversation_id",
    "author_id",
    "platform",
    "external_id",
    "url",
    "text",
    "language",
    "kind",
    "rating",
    "parent_external_id",
    "thread_external_id",
    "likes",
    "shares",
    "replies_count",
    "created_at",
    "collected_at",
    "raw",
    "hidden",
    "lang",
    "sentiment",
    "sentiment_score",
    "intent",
    "needs_reply",
    "priority",
    "reasons",
    "analysis",
)
_NO_ANNOTATION = (None, None, None, None, None, None, [], {})


def insert_mentions(
    session: Session,
    workspace_id: int,
    source_id: int | None,
    items: Sequence[Item],
    *,
    author_ids: dict[Key, int],
    conversation_ids: list[int],
    annotations: Sequence[AnnotationLike] | None,
) -> dict[Key, int]:
    """Insert the batch; rows whose key already exists are skipped. Returns the new rows' ids
    (RETURNING with ON CONFLICT DO NOTHING gives exactly the rows this statement inserted)."""
    bulk = Bulk(session)
    stamp = utcnow()
    marker, false, dt, js = bulk.dt(stamp), bulk.flag(False), bulk.dt, bulk.js
    rows = []
    for index, item in enumerate(items):
        annotation = annotations[index] if annotations else None
        lang, sentiment, score, intent, needs_reply, priority, reasons, details = _annotation_values(
            annotation
        )
        rows.append(
            (
                workspace_id,
                source_id,
                conversation_ids[index],
                author_ids.get((item.platform, item.author or "")),
                item.platform,
                item.external_id,
                item.url,
                item.text,
                item.language,
                item.kind,
                item.rating,
                item.parent_id,
                item.thread_id,
                item.likes,
                item.shares,
                item.replies,
                dt(item.created_at),
                marker,
                js(item.raw),
                false,
                lang,
                sentiment,
                score,
                intent,
                bulk.flag(needs_reply),
                priority,
                js(reasons),
                js(details),
            )
        )
    returned = bulk.insert_returning(
        f"INSERT INTO mentions ({', '.join(MENTION_COLUMNS)}) VALUES {{values}} "
        "ON CONFLICT (workspace_id, platform, external_id) DO NOTHING RETURNING platform, external_id, id",
        rows,
    )
    return {(platform, external_id): mention_id for platform, external_id, mention_id in returned}


def _annotation_values(annotation: AnnotationLike | None) -> tuple[Any, ...]:
    if annotation is None:
        return _NO_ANNOTATION
    return (
        annotation.lang,
        annotation.sentiment,
        annotation.sentiment_score,
        annotation.intent,
        annotation.needs_reply,
        annotation.priority,
        list(annotation.reasons),
        annotation.details(),
    )


def link_brands(
    session: Session,
    workspace_id: int,
    items: Sequence[Item],
    brand_links: Sequence[Sequence[int]],
    inserted: dict[Key, int],
) -> None:
    rows = []
    for item, brands in zip(items, brand_links, strict=True):
        mention_id = inserted.get((item.platform, item.external_id))
        if mention_id is not None:
            rows.extend((mention_id, brand, workspace_id) for brand in brands)
    Bulk(session).executemany(
        "INSERT INTO mention_brands (mention_id, brand_id, workspace_id) VALUES (?, ?, ?)", rows
    )


@dataclass
class _Totals:
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    priority: int = -1
    needs_reply: bool = False
    top: tuple[int, str | None, str | None, str | None] | None = None  # mention id, sentiment, intent, lang
    top_at: datetime | None = None


def refresh_conversations(
    session: Session,
    workspace_id: int,
    items: Sequence[Item],
    conversation_ids: list[int],
    annotations: Sequence[AnnotationLike] | None,
    inserted: dict[Key, int],
) -> None:
    """Fold the newly stored mentions into their conversations' counters, dates and priority.

    The conversation keeps a summary of its top mention (highest priority, then newest) for the
    inbox list. A resolved conversation that receives a mention needing a reply is opened again.
    """
    totals: dict[int, _Totals] = defaultdict(_Totals)
    for index, item in enumerate(items):
        mention_id = inserted.get((item.platform, item.external_id))
        if mention_id is None:
            continue
        total = totals[conversation_ids[index]]
        annotation = annotations[index] if annotations else None
        priority = (annotation.priority or 0) if annotation else 0
        total.count += 1
        total.first = item.created_at if total.first is None else min(total.first, item.created_at)
        total.last = item.created_at if total.last is None else max(total.last, item.created_at)
        total.needs_reply = total.needs_reply or bool(annotation and annotation.needs_reply)
        if priority > total.priority or (
            priority == total.priority and item.created_at >= (total.top_at or item.created_at)
        ):
            summary = (
                (annotation.sentiment, annotation.intent, annotation.lang)
                if annotation
                else (None, None, None)
            )
            total.priority, total.top, total.top_at = priority, (mention_id, *summary), item.created_at
    if not totals:
        return
    bulk = Bulk(session)
    rows = []
    for conversation_id, t in totals.items():
        assert t.top is not None
        rows.append(
            (
                conversation_id,
                t.count,
                bulk.dt(t.first),
                bulk.dt(t.last),
                t.priority,
                *t.top,
                bulk.flag(t.needs_reply),
            )
        )
    types = ("int", "int", "timestamptz", "timestamptz", "int", "int", "text", "text", "text", "boolean")
    columns = "b_id, b_count, b_first, b_last, b_priority, b_top, b_sentiment, b_intent, b_lang, b_needs"
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        # One statement per chunk. Right-hand sides read the row's old values, so every CASE
        # compares against the priority the conversation had before this batch.
        bulk.execute(
            f"{bulk.typed_values_cte('b', columns, types, len(chunk))}"
            "UPDATE conversations SET mention_count = mention_count + b_count, "
            "first_mention_at = CASE WHEN first_mention_at > b_first THEN b_first ELSE first_mention_at END, "
            "last_mention_at = CASE WHEN last_mention_at < b_last THEN b_last ELSE last_mention_at END, "
            "top_mention_id = CASE WHEN priority <= b_priority THEN b_top ELSE top_mention_id END, "
            "sentiment = CASE WHEN priority <= b_priority THEN b_sentiment ELSE sentiment END, "
            "intent = CASE WHEN priority <= b_priority THEN b_intent ELSE intent END, "
            "lang = CASE WHEN priority <= b_priority THEN b_lang ELSE lang END, "
            "priority = CASE WHEN priority < b_priority THEN b_priority ELSE priority END, "
            "needs_reply = (needs_reply OR b_needs), "
            "status = CASE WHEN b_needs AND status = 'resolved' THEN 'open' ELSE status END, "
            "updated_at = ? FROM b WHERE workspace_id = ? AND id = b_id",
            tuple(value for row in chunk for value in row) + (bulk.dt(utcnow()), workspace_id),
        )
