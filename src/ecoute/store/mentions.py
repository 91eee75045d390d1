"""Bulk, workspace-scoped writes and reads of mentions, authors and conversations.

These run once per ingest batch (not per item): a handful of set-based statements per batch is
what keeps the ingest path close to the speed of a bare insert.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, bindparam, case, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.store.models import Author, Conversation, Mention, MentionBrand
from ecoute.store.types import utcnow

if TYPE_CHECKING:
    from ecoute.ingest import AnnotationLike
    from ecoute.normalise import Item

Key = tuple[str, str]  # (platform, external_id)


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _by_platform(keys: Sequence[Key] | set[Key]) -> dict[str, list[str]]:
    """Group keys by platform, so lookups use the (workspace, platform, value) unique indexes."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for platform, value in keys:
        grouped[platform].add(value)
    return {platform: sorted(values) for platform, values in grouped.items()}


def _mention_conversations(
    session: Session, workspace_id: int, keys: Sequence[Key] | set[Key]
) -> dict[Key, int]:
    """(platform, external_id) → conversation id, for the keys already stored."""
    found: dict[Key, int] = {}
    for platform, ids in _by_platform(keys).items():
        for chunk in _chunks(ids):
            query = select(Mention.external_id, Mention.conversation_id).where(
                Mention.workspace_id == workspace_id,
                Mention.platform == platform,
                Mention.external_id.in_(chunk),
            )
            found.update({(platform, external_id): c for external_id, c in session.execute(query)})
    return found


def existing_external_ids(session: Session, workspace_id: int, keys: Sequence[Key]) -> set[Key]:
    return set(_mention_conversations(session, workspace_id, keys))


def upsert_authors(session: Session, workspace_id: int, items: Sequence[Item]) -> dict[Key, int]:
    """Create or refresh the batch's authors; returns (platform, handle) → author id."""
    now = utcnow()
    latest: dict[Key, dict[str, Any]] = {}
    for item in items:  # later items carry fresher values; a missing value never erases a known one
        if not item.author:
            continue
        row = latest.setdefault(
            (item.platform, item.author),
            {
                "workspace_id": workspace_id,
                "platform": item.platform,
                "handle": item.author,
                "display_name": None,
                "followers": None,
                "verified": False,
                "updated_at": now,
            },
        )
        row["display_name"] = item.author_name or row["display_name"]
        row["followers"] = item.author_followers if item.author_followers is not None else row["followers"]
        row["verified"] = row["verified"] or item.author_verified
    if not latest:
        return {}
    table = Author.__table__
    rows = list(latest.values())
    stmt = _insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["workspace_id", "platform", "handle"],
        set_={
            "display_name": _coalesce(stmt.excluded.display_name, table.c.display_name),
            "followers": _coalesce(stmt.excluded.followers, table.c.followers),
            "verified": stmt.excluded.verified,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    session.execute(stmt, rows)
    ids: dict[Key, int] = {}
    for platform, handles in _by_platform(set(latest)).items():
        for chunk in _chunks(handles):
            query = select(Author.id, Author.handle).where(
                Author.workspace_id == workspace_id, Author.platform == platform, Author.handle.in_(chunk)
            )
            ids.update({(platform, handle): author_id for author_id, handle in session.execute(query)})
    return ids


def _coalesce(new: Any, old: Any) -> Any:
    return case((new.is_(None), old), else_=new)


def _thread_key(platform: str, external_id: str) -> str:
    return f"{platform}:thread:{external_id}"


def resolve_conversations(
    session: Session, workspace_id: int, items: Sequence[Item], author_ids: dict[Key, int]
) -> tuple[list[int], int]:
    """Pick each item's conversation: its thread if it has one, else its author's; create missing ones.

    A reply joins the conversation of the post it answers when that post is known (stored or in
    this batch); a root post joins a thread its replies already opened (items may arrive out of
    order); a loose post by a known author joins that author's conversation on the platform.
    """
    referenced = {(i.platform, ref) for i in items for ref in (i.thread_id, i.parent_id) if ref}
    stored_refs = _mention_conversations(session, workspace_id, referenced)
    candidate_keys = {_thread_key(i.platform, i.thread_id or i.parent_id or i.external_id) for i in items}
    candidate_keys |= {f"{i.platform}:author:{i.author}" for i in items if i.author}
    existing = _conversation_ids(session, workspace_id, candidate_keys)

    choice: list[int | str] = []  # a conversation id, or a key still to create
    in_batch: dict[Key, int | str] = {}
    for item in items:
        chosen = _choose(item, stored_refs, in_batch, existing)
        in_batch[(item.platform, item.external_id)] = chosen
        choice.append(chosen)

    to_create = {c for c in choice if isinstance(c, str) and c not in existing}
    created = _create_conversations(session, workspace_id, items, choice, to_create, author_ids)
    existing.update(_conversation_ids(session, workspace_id, {c for c in choice if isinstance(c, str)}))
    return [c if isinstance(c, int) else existing[c] for c in choice], created


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
    key = (
        f"{item.platform}:author:{item.author}" if item.author else f"{item.platform}:item:{item.external_id}"
    )
    return existing.get(key, key)


def _conversation_ids(session: Session, workspace_id: int, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(keys)):
        query = select(Conversation.key, Conversation.id).where(
            Conversation.workspace_id == workspace_id, Conversation.key.in_(chunk)
        )
        found.update({key: conversation_id for key, conversation_id in session.execute(query)})
    return found


def _create_conversations(
    session: Session,
    workspace_id: int,
    items: Sequence[Item],
    choice: list[int | str],
    keys: set[str],
    author_ids: dict[Key, int],
) -> int:
    if not keys:
        return 0
    now = utcnow()
    rows: dict[str, dict[str, Any]] = {}
    for item, chosen in zip(items, choice, strict=True):
        if chosen in keys and chosen not in rows:
            rows[chosen] = {
                "workspace_id": workspace_id,
                "key": chosen,
                "platform": item.platform,
                "author_id": author_ids.get((item.platform, item.author or "")),
                "status": "new",
                "priority": 0,
                "needs_reply": False,
                "mention_count": 0,
                "first_mention_at": item.created_at,
                "last_mention_at": item.created_at,
                "created_at": now,
                "updated_at": now,
            }
    stmt = _insert(session, Conversation.__table__).on_conflict_do_nothing(
        index_elements=["workspace_id", "key"]
    )
    result = session.execute(stmt.returning(Conversation.__table__.c.id), list(rows.values()))
    return len(result.all())


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
    """Insert the batch; rows whose key already exists are skipped. Returns the new rows' ids."""
    now = utcnow()
    rows = []
    for index, item in enumerate(items):
        row = {
            "workspace_id": workspace_id,
            "source_id": source_id,
            "conversation_id": conversation_ids[index],
            "author_id": author_ids.get((item.platform, item.author or "")),
            "platform": item.platform,
            "external_id": item.external_id,
            "url": item.url,
            "text": item.text,
            "language": item.language,
            "kind": item.kind,
            "rating": item.rating,
            "parent_external_id": item.parent_id,
            "thread_external_id": item.thread_id,
            "likes": item.likes,
            "shares": item.shares,
            "replies_count": item.replies,
            "created_at": item.created_at,
            "collected_at": now,
            "raw": item.raw,
            "hidden": False,
            **_annotation_columns(annotations[index] if annotations else None),
        }
        rows.append(row)
    table = Mention.__table__
    stmt = _insert(session, table).on_conflict_do_nothing(
        index_elements=["workspace_id", "platform", "external_id"]
    )
    result = session.execute(stmt.returning(table.c.id, table.c.platform, table.c.external_id), rows)
    return {(platform, external_id): mention_id for mention_id, platform, external_id in result}


def _annotation_columns(annotation: AnnotationLike | None) -> dict[str, Any]:
    if annotation is None:
        empty = dict.fromkeys(("lang", "sentiment", "sentiment_score", "intent", "needs_reply", "priority"))
        return {**empty, "reasons": [], "analysis": {}}
    return {
        "lang": annotation.lang,
        "sentiment": annotation.sentiment,
        "sentiment_score": annotation.sentiment_score,
        "intent": annotation.intent,
        "needs_reply": annotation.needs_reply,
        "priority": annotation.priority,
        "reasons": list(annotation.reasons),
        "analysis": annotation.details(),
    }


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
            rows.extend(
                {"mention_id": mention_id, "brand_id": b, "workspace_id": workspace_id} for b in brands
            )
    if rows:
        session.execute(MentionBrand.__table__.insert(), rows)


def refresh_conversations(
    session: Session,
    workspace_id: int,
    items: Sequence[Item],
    conversation_ids: list[int],
    annotations: Sequence[AnnotationLike] | None,
    inserted: dict[Key, int],
) -> None:
    """Fold the newly stored mentions into their conversations' counters, dates and priority.

    A resolved conversation that receives a new mention needing a reply is opened again.
    """
    totals: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"n": 0, "first": None, "last": None, "priority": 0, "needs_reply": False}
    )
    for index, item in enumerate(items):
        if (item.platform, item.external_id) not in inserted:
            continue
        total = totals[conversation_ids[index]]
        total["n"] += 1
        total["first"] = min(filter(None, (total["first"], item.created_at)))
        total["last"] = max(filter(None, (total["last"], item.created_at)))
        annotation = annotations[index] if annotations else None
        if annotation is not None:
            total["priority"] = max(total["priority"], annotation.priority or 0)
            total["needs_reply"] = total["needs_reply"] or bool(annotation.needs_reply)
    if not totals:
        return
    table = Conversation.__table__
    c = table.c
    stmt = (
        update(table)
        .where(c.workspace_id == bindparam("b_ws"), c.id == bindparam("b_id"))
        .values(
            mention_count=c.mention_count + bindparam("b_n"),
            first_mention_at=case(
                (c.first_mention_at > bindparam("b_first"), bindparam("b_first")), else_=c.first_mention_at
            ),
            last_mention_at=case(
                (c.last_mention_at < bindparam("b_last"), bindparam("b_last")), else_=c.last_mention_at
            ),
            priority=case((c.priority < bindparam("b_priority"), bindparam("b_priority")), else_=c.priority),
            needs_reply=case((bindparam("b_needs_reply"), True), else_=c.needs_reply),
            status=case(
                (bindparam("b_needs_reply") & (c.status == "resolved"), "open"),
                else_=c.status,
            ),
            updated_at=bindparam("b_now"),
        )
    )
    now = utcnow()
    params = [
        {
            "b_ws": workspace_id,
            "b_id": conversation_id,
            "b_n": t["n"],
            "b_first": t["first"],
            "b_last": t["last"],
            "b_priority": t["priority"],
            "b_needs_reply": t["needs_reply"],
            "b_now": now,
        }
        for conversation_id, t in totals.items()
    ]
    session.connection().execute(stmt, params)


# --- full-text search -----------------------------------------------------------------------

_WORD_RE = re.compile(r"[\w'’-]+\*?", re.UNICODE)


def _fts5_query(query: str) -> str:
    """Quote every word so user input can never be read as FTS5 syntax; keep a trailing * prefix."""
    terms = []
    for word in _WORD_RE.findall(query):
        prefix = word.endswith("*")
        word = word.rstrip("*").replace('"', "")
        if word:
            terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms)


def text_matches(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``mentions`` true when the text holds all the words of ``query`` (accents
    folded); None when the query has no word to look for."""
    if session.get_bind().dialect.name == "postgresql":
        if not _WORD_RE.search(query):
            return None
        return text(
            "mentions.search_vector @@ "
            "(websearch_to_tsquery('ecoute_fr', :q) || websearch_to_tsquery('ecoute_en', :q))"
        ).bindparams(q=query)
    fts = _fts5_query(query)
    if not fts:
        return None
    matching = text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :q").bindparams(q=fts)
    return Mention.id.in_(matching)


def search_mentions(session: Session, workspace_id: int, query: str, *, limit: int = 50) -> list[Mention]:
    """Mentions of this workspace whose text matches all the words of ``query`` (accents folded)."""
    condition = text_matches(session, query)
    if condition is None:
        return []
    stmt = select(Mention).where(Mention.workspace_id == workspace_id, condition)
    return list(session.scalars(stmt.order_by(Mention.created_at.desc()).limit(limit)))
