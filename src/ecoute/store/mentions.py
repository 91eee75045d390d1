"""Bulk, workspace-scoped writes and look-ups of mentions, authors and conversations.

These run once per ingest batch (not per item), through the driver (``ecoute.store.bulk``):
a handful of set-based statements per batch is what keeps the ingest path near the speed of a
bare insert.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from ecoute.store.bulk import Bulk
from ecoute.store.types import utcnow

if TYPE_CHECKING:
    from ecoute.ingest import AnnotationLike
    from ecoute.normalise import Item

Key = tuple[str, str]  # (platform, external_id) or (platform, handle)
K = TypeVar("K", int, str)  # a conversation: its id, or its key while still to create


def _lookup(bulk: Bulk, statement: str, workspace_id: int, keys: Iterable[Key]) -> dict[Key, Any]:
    """Run ``statement`` once per piece of keys: it joins ``v(p, e)`` (the chunk's (platform,
    value) pairs, sorted so index pages are visited in order), takes the workspace id as its
    parameter and selects (platform, value, result) rows; returns key → result."""
    found: dict[Key, Any] = {}
    for cte, params in bulk.rows_ctes("v", "p, e", ("text", "text"), sorted(set(keys))):
        rows = bulk.query(cte + statement, (*params, workspace_id))
        found.update({(row[0], row[1]): row[2] if len(row) == 3 else tuple(row[2:]) for row in rows})
    return found


_MENTION_CONVERSATIONS = (
    "SELECT m.platform, m.external_id, m.conversation_id FROM v JOIN mentions m "
    "ON m.workspace_id = ? AND m.platform = v.p AND m.external_id = v.e"
)
# The same, with the handle of each mention's author: whether a reply answers one of the brand's own posts.
_MENTION_THREADS = (
    "SELECT m.platform, m.external_id, m.conversation_id, a.handle FROM v JOIN mentions m "
    "ON m.workspace_id = ? AND m.platform = v.p AND m.external_id = v.e "
    "LEFT JOIN authors a ON a.id = m.author_id"
)
_AUTHOR_IDS = (
    "SELECT a.platform, a.handle, a.id FROM v JOIN authors a "
    "ON a.workspace_id = ? AND a.platform = v.p AND a.handle = v.e"
)


def existing_external_ids(session: Session, workspace_id: int, keys: Sequence[Key]) -> set[Key]:
    return set(_lookup(Bulk(session), _MENTION_CONVERSATIONS, workspace_id, keys))


def upsert_authors(session: Session, workspace_id: int, items: Sequence[Item]) -> dict[Key, int]:
    """Create or refresh the batch's authors; returns (platform, handle) → author id.

    A known author's row is rewritten only when the batch tells something new about them (a
    name, a follower count, the verified mark), so ``updated_at`` is when the profile last
    changed: rewriting every known author of every batch dirtied pages all over the table."""
    latest: dict[Key, list[Any]] = {}
    for item in items:  # later items carry fresher values; a missing value never erases a known one
        if item.author:
            key = (item.platform, item.author)
            row = latest.get(key)
            if row is None:
                latest[key] = [item.author_name, item.author_followers, item.author_verified]
                continue
            row[0] = item.author_name or row[0]
            row[1] = item.author_followers if item.author_followers is not None else row[1]
            row[2] = row[2] or item.author_verified
    if not latest:
        return {}
    bulk = Bulk(session)
    stamp = bulk.dt(utcnow())
    rows = [
        (workspace_id, p, h, name, followers, bulk.flag(verified), stamp)
        for (p, h), (name, followers, verified) in latest.items()
    ]
    # RETURNING gives the rows inserted or changed; the others (known, nothing new) are read.
    returned = bulk.insert_returning(
        "INSERT INTO authors (workspace_id, platform, handle, display_name, followers, verified, updated_at) "
        "{rows} ON CONFLICT (workspace_id, platform, handle) DO UPDATE SET "
        "display_name = COALESCE(excluded.display_name, authors.display_name), "
        "followers = COALESCE(excluded.followers, authors.followers), "
        "verified = (excluded.verified OR authors.verified), updated_at = excluded.updated_at "
        "WHERE COALESCE(excluded.display_name <> authors.display_name, excluded.display_name IS NOT NULL) "
        "OR COALESCE(excluded.followers <> authors.followers, excluded.followers IS NOT NULL) "
        "OR (excluded.verified AND NOT authors.verified) "
        "RETURNING platform, handle, id",
        ("int", "text", "text", "text", "int", "boolean", "timestamptz"),
        rows,
    )
    ids = {(platform, handle): author_id for platform, handle, author_id in returned}
    if len(ids) < len(latest):
        ids.update(_lookup(bulk, _AUTHOR_IDS, workspace_id, latest.keys() - ids.keys()))
    return ids


MAX_KEY_CHARS = 400  # conversations.key


def _thread_key(platform: str, external_id: str) -> str:
    return f"{platform}:thread:{external_id}"


def _author_key(item: Item) -> str:
    return (
        f"{item.platform}:author:{item.author}" if item.author else f"{item.platform}:item:{item.external_id}"
    )


@dataclass
class Resolved:
    """Each item's conversation, and the conversations this batch created (id → the totals they
    were created with: every item of the batch that chose them, as if all of them get stored)."""

    ids: list[int]
    created: dict[int, _Totals]
    # PostgreSQL: the ids the items' mentions will have (reserved from the sequence), so a new
    # conversation names its top mention when it is created; SQLite: None.
    mention_ids: list[int] | None = None


def resolve_conversations(
    session: Session,
    workspace_id: int,
    items: Sequence[Item],
    author_ids: dict[Key, int],
    annotations: Sequence[AnnotationLike] | None = None,
    own_handles: Collection[str] = (),
) -> Resolved:
    """Pick each item's conversation: its thread if it has one, else its author's; create missing ones.

    A reply joins the conversation of the post it answers when that post is known (stored or in
    this batch); a root post joins a thread its replies already opened (items may arrive out of
    order); a loose post by a known author joins that author's conversation on the platform.
    Except in threads the brand started (``own_handles``, lowercased: its status update, its page
    post, its video): each customer writing there has a conversation of their own in that thread,
    as each needs their own answer; the brand's reply to them joins it through the post it
    answers. A reply in a thread whose first post is not known yet stays in the thread's
    conversation.
    A conversation is created with its counters, dates and summary already folded from its items
    (``refresh_conversations`` then only names its top mention), so its row and its inbox
    indexes are written once rather than inserted and then updated.
    """
    bulk = Bulk(session)
    referenced = {(i.platform, ref) for i in items for ref in (i.thread_id, i.parent_id) if ref}
    own = frozenset(own_handles)
    stored_refs: dict[Key, int]
    if own:
        stored = _lookup(bulk, _MENTION_THREADS, workspace_id, referenced)
        stored_refs = {key: conversation for key, (conversation, _) in stored.items()}
        writers = {key: handle for key, (_, handle) in stored.items() if handle}
        writers.update({(i.platform, i.external_id): i.author for i in items if i.author})
    else:
        stored_refs, writers = _lookup(bulk, _MENTION_CONVERSATIONS, workspace_id, referenced), {}
    answering = {n: _answer_key(i, own, writers) for n, i in enumerate(items)} if own else {}
    candidates = {_thread_key(i.platform, i.thread_id or i.parent_id or i.external_id) for i in items}
    candidates |= {_author_key(i) for i in items if not (i.thread_id or i.parent_id)}  # see _choose
    candidates |= {key for key in answering.values() if key}
    existing = _conversation_ids(bulk, workspace_id, candidates)

    choice: list[int | str] = []  # a conversation id, or a key still to create
    in_batch: dict[Key, int | str] = {}
    for n, item in enumerate(items):
        answer_key = answering.get(n)
        if answer_key:
            chosen: int | str = existing.get(answer_key, answer_key)
        else:
            chosen = _choose(item, stored_refs, in_batch, existing)
        in_batch[(item.platform, item.external_id)] = chosen
        choice.append(chosen)

    planned = _totals(items, annotations, ((n, c) for n, c in enumerate(choice) if isinstance(c, str)))
    reserved = bulk.reserve_ids("mentions", len(items)) if planned else None
    created = _create_conversations(bulk, workspace_id, items, annotations, planned, author_ids, reserved)
    existing.update(created)
    missing = {c for c in choice if isinstance(c, str) and c not in existing}
    if missing:  # created by another writer between our look-up and our insert
        existing.update(_conversation_ids(bulk, workspace_id, missing))
    return Resolved(
        [c if isinstance(c, int) else existing[c] for c in choice],
        {conversation_id: planned[key] for key, conversation_id in created.items()},
        reserved,
    )


def _answer_key(item: Item, own: frozenset[str], writers: dict[Key, str]) -> str | None:
    """The key of a customer's own conversation in a thread the brand started, when ``item`` is a
    customer's reply there (the thread's first post is by one of the brand's handles); else None."""
    root = item.thread_id or item.parent_id
    if not (root and item.author) or item.author.lower() in own:
        return None
    starter = writers.get((item.platform, root))
    if starter is None or starter.lower() not in own:
        return None
    key = f"{_thread_key(item.platform, root)}:author:{item.author}"
    if len(key) > MAX_KEY_CHARS:  # a thread id and a handle at their longest: keep the key unique
        key = f"{item.platform}:answer:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


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
    statement = "SELECT c.key, c.id FROM v JOIN conversations c ON c.workspace_id = ? AND c.key = v.e"
    for cte, params in bulk.rows_ctes("v", "e", ("text",), [(key,) for key in sorted(keys)]):
        found.update(dict(bulk.query(cte + statement, (*params, workspace_id))))
    return found


def _create_conversations(
    bulk: Bulk,
    workspace_id: int,
    items: Sequence[Item],
    annotations: Sequence[AnnotationLike] | None,
    planned: dict[str, _Totals],
    author_ids: dict[Key, int],
    mention_ids: list[int] | None,
) -> dict[str, int]:
    """Insert the conversations chosen by key; returns key → id of those this call created."""
    now = bulk.dt(utcnow())
    rows = []
    for key, t in planned.items():
        first = items[t.first_index]  # the conversation's platform and author are its first item's
        author = author_ids.get((first.platform, first.author or ""))
        sentiment, intent, lang = _summary(annotations, t.top)
        first_at = bulk.dt(t.first)
        last_at = first_at if t.last is t.first else bulk.dt(t.last)  # often a single mention
        rows.append(
            (workspace_id, key, first.platform, author, "new", t.priority, bulk.flag(t.needs_reply))
            + (t.count, first_at, last_at, now, now, sentiment, intent, lang)
            + (mention_ids[t.top] if mention_ids else None,)
        )
    returned = bulk.insert_returning(
        "INSERT INTO conversations (workspace_id, key, platform, author_id, status, priority, needs_reply, "
        "mention_count, first_mention_at, last_mention_at, created_at, updated_at, sentiment, intent, lang, "
        "top_mention_id) {rows} ON CONFLICT (workspace_id, key) DO NOTHING RETURNING key, id",
        ("int", "text", "text", "int", "text", "int", "boolean", "int")
        + ("timestamptz",) * 4
        + ("text", "text", "text", "int"),
        rows,
    )
    return dict(returned)


# The mention columns the ingest path writes, with their PostgreSQL types.
MENTION_COLUMNS = {
    "workspace_id": "int",
    "source_id": "int",
    "conversation_id": "int",
    "author_id": "int",
    "platform": "text",
    "external_id": "text",
    "url": "text",
    "text": "text",
    "language": "text",
    "kind": "text",
    "rating": "float8",
    "parent_external_id": "text",
    "thread_external_id": "text",
    "likes": "int",
    "shares": "int",
    "replies_count": "int",
    "created_at": "timestamptz",
    "collected_at": "timestamptz",
    "raw": "jsonb",
    "hidden": "boolean",
    "lang": "text",
    "sentiment": "text",
    "sentiment_score": "float8",
    "intent": "text",
    "needs_reply": "boolean",
    "priority": "int",
    "reasons": "jsonb",
    "analysis": "jsonb",
}


def insert_mentions(
    session: Session,
    workspace_id: int,
    source_id: int | None,
    items: Sequence[Item],
    *,
    author_ids: dict[Key, int],
    conversation_ids: list[int],
    annotations: Sequence[AnnotationLike] | None,
    mention_ids: list[int] | None = None,
) -> dict[Key, int]:
    """Insert the batch (with the ids reserved for it, when given); rows whose key already
    exists are skipped. Returns the new rows' ids (RETURNING with ON CONFLICT DO NOTHING gives
    exactly the rows this statement inserted)."""
    bulk = Bulk(session)
    marker, false, dt, js = bulk.dt(utcnow()), bulk.flag(False), bulk.dt, bulk.js
    analysis = (
        [_annotation_values(a, bulk) for a in annotations]
        if annotations
        else [_annotation_values(None, bulk)] * len(items)
    )
    rows = [
        (
            workspace_id,
            source_id,
            conversation_id,
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
            *values,
        )
        for item, conversation_id, values in zip(items, conversation_ids, analysis, strict=True)
    ]
    columns = MENTION_COLUMNS
    if mention_ids:
        columns = {"id": "int", **MENTION_COLUMNS}
        rows = [(mention_id, *row) for mention_id, row in zip(mention_ids, rows, strict=True)]
    returned = bulk.insert_returning(
        f"INSERT INTO mentions ({', '.join(columns)}) {{rows}} "
        "ON CONFLICT (workspace_id, platform, external_id) DO NOTHING RETURNING platform, external_id, id",
        tuple(columns.values()),
        rows,
    )
    return {(platform, external_id): mention_id for platform, external_id, mention_id in returned}


def _annotation_values(annotation: AnnotationLike | None, bulk: Bulk) -> tuple[Any, ...]:
    """The mention's analysis columns, from ``lang`` to ``analysis``, as stored."""
    if annotation is None:
        return (None, None, None, None, None, None, "[]", "{}")
    return (
        annotation.lang,
        annotation.sentiment,
        annotation.sentiment_score,
        annotation.intent,
        bulk.flag(annotation.needs_reply),
        annotation.priority,
        bulk.js(list(annotation.reasons)),
        bulk.js(annotation.details()),
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
    Bulk(session).insert(
        "INSERT INTO mention_brands (mention_id, brand_id, workspace_id) {rows}", ("int", "int", "int"), rows
    )


@dataclass
class _Totals:
    """What a batch adds to one conversation: counters, dates, and its top item (highest
    priority, then newest) by index in the batch."""

    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    priority: int = -1
    needs_reply: bool = False
    top: int = -1
    top_at: datetime | None = None
    first_index: int = -1


def _totals(
    items: Sequence[Item], annotations: Sequence[AnnotationLike] | None, targets: Iterable[tuple[int, K]]
) -> dict[K, _Totals]:
    """Fold the items at the given batch indexes into per-conversation totals."""
    totals: dict[K, _Totals] = {}
    for index, conversation in targets:
        t = totals.get(conversation)
        if t is None:
            t = totals[conversation] = _Totals(first_index=index)
        item = items[index]
        at = item.created_at
        annotation = annotations[index] if annotations else None
        priority = (annotation.priority or 0) if annotation else 0
        t.count += 1
        if t.first is None or at < t.first:
            t.first = at
        if t.last is None or at > t.last:
            t.last = at
        if annotation is not None and annotation.needs_reply:
            t.needs_reply = True
        if priority > t.priority or (priority == t.priority and at >= (t.top_at or at)):
            t.priority, t.top, t.top_at = priority, index, at
    return totals


def _summary(annotations: Sequence[AnnotationLike] | None, top: int) -> tuple[str | None, ...]:
    """The labels a conversation shows for its top mention (sentiment, intent, language)."""
    annotation = annotations[top] if annotations and top >= 0 else None
    return (annotation.sentiment, annotation.intent, annotation.lang) if annotation else (None, None, None)


def refresh_conversations(
    session: Session,
    workspace_id: int,
    items: Sequence[Item],
    resolved: Resolved,
    annotations: Sequence[AnnotationLike] | None,
    inserted: dict[Key, int],
) -> None:
    """Fold the newly stored mentions into their conversations' counters, dates and priority.

    The conversation keeps a summary of its top mention (highest priority, then newest) for the
    inbox list. A resolved conversation that receives a mention needing a reply is opened again.
    Conversations this batch created already hold their totals: they only get their top
    mention's id, unless some of their items turned out to be duplicates stored meanwhile by
    another writer, in which case their totals are written again from the stored ones.
    """
    ids, created = resolved.ids, resolved.created
    if len(inserted) == len(items):  # the usual case: every item was stored, as planned
        totals = _totals(items, annotations, ((n, c) for n, c in enumerate(ids) if c not in created))
        totals.update(created)
    else:
        stored = (
            (index, ids[index])
            for index, item in enumerate(items)
            if (item.platform, item.external_id) in inserted
        )
        totals = _totals(items, annotations, stored)
    bulk = Bulk(session)

    def mention_id(index: int) -> int:
        return inserted[(items[index].platform, items[index].external_id)]

    tops: list[tuple[Any, ...]] = []
    rewrite: list[tuple[Any, ...]] = []
    grown: list[tuple[Any, ...]] = []
    for conversation_id, t in totals.items():
        planned = created.get(conversation_id)
        if planned is not None and planned.count == t.count:
            if resolved.mention_ids is None:  # else it was created naming its top mention
                tops.append((conversation_id, mention_id(t.top)))
            continue
        summary = (t.priority, mention_id(t.top), *_summary(annotations, t.top), bulk.flag(t.needs_reply))
        row = (conversation_id, t.count, bulk.dt(t.first), bulk.dt(t.last), *summary)
        (rewrite if planned is not None else grown).append(row)
    for conversation_id in created.keys() - totals.keys():  # none of its items was stored
        rewrite.append((conversation_id, 0, None, None, 0, None, None, None, None, bulk.flag(False)))
    now = bulk.dt(utcnow())
    for cte, params in bulk.rows_ctes("b", "b_id, b_top", ("int", "int"), tops):
        bulk.execute(
            cte + "UPDATE conversations SET top_mention_id = b_top "
            "FROM b WHERE workspace_id = ? AND id = b_id",
            (*params, workspace_id),
        )
    if rewrite:
        bulk.executemany(
            "UPDATE conversations SET mention_count = ?, "
            "first_mention_at = COALESCE(?, first_mention_at), "
            "last_mention_at = COALESCE(?, last_mention_at), "
            "priority = ?, top_mention_id = ?, sentiment = ?, intent = ?, lang = ?, needs_reply = ?, "
            "updated_at = ? WHERE workspace_id = ? AND id = ?",
            [(*row[1:], now, workspace_id, row[0]) for row in rewrite],
        )
    types = ("int", "int", "timestamptz", "timestamptz", "int", "int", "text", "text", "text", "boolean")
    columns = "b_id, b_count, b_first, b_last, b_priority, b_top, b_sentiment, b_intent, b_lang, b_needs"
    for cte, params in bulk.rows_ctes("b", columns, types, grown):
        # One statement per piece. Right-hand sides read the row's old values, so every CASE
        # compares against the priority the conversation had before this batch.
        bulk.execute(
            cte + "UPDATE conversations SET mention_count = mention_count + b_count, "
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
            (*params, now, workspace_id),
        )
