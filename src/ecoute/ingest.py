"""The one path by which every item enters Écoute: normalise → dedupe → match brands → annotate → store.

Every source (file import, feeds, platform APIs, webhooks) hands raw items to :func:`ingest`.
Items are stored in batches, one transaction per batch, idempotently: the database's unique key
(workspace, platform, external_id) makes the same item arriving twice a counted duplicate, never a
second row. A crash loses at most the batch in flight, which a re-run then stores.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from itertools import islice
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ecoute.analysis.priority import NO_REPLY_FACTOR
from ecoute.analysis.wording import phrase
from ecoute.brands import BrandMatcher
from ecoute.inbox import thread_state
from ecoute.listening import Document
from ecoute.live.events import MENTIONS
from ecoute.live.signals import announce
from ecoute.normalise import Item, normalise
from ecoute.sources.base import RawItem, Rejected
from ecoute.speakers import HEARD, OWN, speaker_of
from ecoute.store import repo
from ecoute.store.bulk import Bulk
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.store.revisions import apply_revisions

logger = logging.getLogger(__name__)


class AnnotationLike(Protocol):
    lang: str | None
    sentiment: str | None
    sentiment_score: float | None
    intent: str | None
    needs_reply: bool | None
    priority: int | None
    reasons: list[str]

    def details(self) -> dict[str, Any]: ...


Annotator = Callable[[Sequence[Item]], Sequence[AnnotationLike]]


@dataclass(frozen=True, slots=True)
class Reread:
    """An analysis read again in context: who speaks (a repost of the brand's own post, a
    competitor, the press) or how the thread goes (the customer says it is sorted) changes whether
    it needs a reply, how urgent it is and what it is; the model's own labels stay in its details."""

    analysed: AnnotationLike
    needs_reply: bool
    priority: int
    intent: str | None
    reasons: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def lang(self) -> str | None:
        return self.analysed.lang

    @property
    def sentiment(self) -> str | None:
        return self.analysed.sentiment

    @property
    def sentiment_score(self) -> float | None:
        return self.analysed.sentiment_score

    def details(self) -> dict[str, Any]:
        return {**self.analysed.details(), **self.extra}


def own_post(analysed: AnnotationLike) -> Reread:
    """A post by one of the workspace's own accounts: kept for the record, but it needs no reply
    and does not rank in the inbox."""
    return Reread(analysed, False, 0, analysed.intent, [], {"own_account": True})


def heard(analysed: AnnotationLike, speaker: str, locale: str) -> Reread:
    """A post kept for listening, never answered: no reply, the priority of a post needing none,
    and not a complaint or a question (those are customers')."""
    priority = analysed.priority or 0
    if analysed.needs_reply:
        priority = int(round(priority * NO_REPLY_FACTOR))
    intent = "other" if analysed.intent in ("complaint", "question") else analysed.intent
    model = {"intent": analysed.intent, "needs_reply": analysed.needs_reply, "priority": analysed.priority}
    reasons = [phrase(locale, f"speaker_{speaker}"), phrase(locale, "no_reply_needed")]
    return Reread(analysed, False, priority, intent, reasons, {"speaker": speaker, "model": model})


# Called inside a batch's transaction with the workspace id and the ids of the mentions it stored.
AfterStore = Callable[[Session, int, list[int]], None]


@dataclass
class IngestReport:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    edited: int = 0  # already stored, arriving with a new revision (their text was updated)
    unmatched: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    # Values repaired or dropped on items that were kept (a link that is not http(s), a count clamped).
    warnings: list[Rejected] = field(default_factory=list)
    conversations_created: int = 0
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.received / self.elapsed_s if self.elapsed_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "edited": self.edited,
            "unmatched_skipped": self.unmatched,
            "rejected": len(self.rejected),
            "rejects": [
                {"location": r.location, "field": r.field, "reason": r.reason} for r in self.rejected
            ],
            "warnings": [
                {"location": w.location, "field": w.field, "reason": w.reason} for w in self.warnings
            ],
            "conversations_created": self.conversations_created,
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclass(frozen=True)
class IngestOptions:
    batch_size: int = 1000
    keep_unmatched: bool = True
    annotate: Annotator | None = None
    on_batch: Callable[[IngestReport], None] | None = None
    on_reject: Callable[[Rejected], None] | None = None
    # Saved once every batch is committed, so a feed's cursor never runs ahead of its items.
    cursor: dict[str, Any] | None = None
    # Called inside each batch's transaction with the ids of the mentions it stored (e.g. to
    # apply the workspace's rules); what it writes commits or rolls back with the batch.
    after_store: AfterStore | None = None


def compose_hooks(*hooks: AfterStore | None) -> AfterStore | None:
    """One ``after_store`` hook running ``hooks`` in order (empty ones skipped), e.g. the
    workspace's rules first, then what reacts to their outcome (webhooks)."""
    present = [hook for hook in hooks if hook is not None]
    if len(present) <= 1:
        return present[0] if present else None

    def run_all(session: Session, workspace_id: int, mention_ids: list[int]) -> None:
        for hook in present:
            hook(session, workspace_id, mention_ids)

    return run_all


def ingest(
    db: Database,
    workspace: Workspace,
    stream: Iterable[RawItem | Rejected],
    *,
    source: Source | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    options = options or IngestOptions()
    report = IngestReport()
    started = time.perf_counter()
    with db.session() as session:
        matcher = BrandMatcher(repo.list_brands(session, workspace.id))
    bound_brand = (source.settings or {}).get("brand_id") if source else None
    default_tz = _zone(workspace.timezone)
    iterator = iter(stream)
    while batch := list(islice(iterator, options.batch_size)):
        items = _validate(batch, report, options, default_tz)
        with db.session() as session:
            _store_batch(session, workspace, source, items, matcher, bound_brand, options, report)
            report.elapsed_s = time.perf_counter() - started
        if options.on_batch:
            options.on_batch(report)
    if source is not None and options.cursor is not None:
        with db.session() as session:
            repo.save_source_cursor(session, workspace.id, source.id, options.cursor)
    report.elapsed_s = time.perf_counter() - started
    logger.info("ingest.done", extra={"workspace": workspace.slug, **report.as_dict()})
    return report


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return UTC


def _validate(
    batch: list[RawItem | Rejected], report: IngestReport, options: IngestOptions, default_tz: tzinfo
) -> list[Item]:
    now = datetime.now(UTC)
    items: list[Item] = []
    for raw in batch:
        report.received += 1
        result = raw if isinstance(raw, Rejected) else normalise(raw, default_tz=default_tz, now=now)
        if isinstance(result, Rejected):
            report.rejected.append(result)
            if options.on_reject:
                options.on_reject(result)
        else:
            if result.warnings:
                location = raw.location or result.external_id
                report.warnings.extend(Rejected(location, why, name) for name, why in result.warnings)
            items.append(result)
    return items


def _store_batch(
    session: Session,
    workspace: Workspace,
    source: Source | None,
    items: list[Item],
    matcher: BrandMatcher,
    bound_brand: int | None,
    options: IngestOptions,
    report: IngestReport,
) -> None:
    workspace_id = workspace.id
    Bulk(session).for_batches()
    report.edited += apply_revisions(session, workspace_id, items)
    fresh = _drop_known(session, workspace_id, items, report)
    brand_links: list[list[int]] = []
    kept: list[Item] = []
    for item in fresh:
        brands = matcher.match(Document.of(item.text, lang=item.language, author=item.author))
        if bound_brand is not None and bound_brand not in brands:
            brands.append(bound_brand)
        if not brands and not options.keep_unmatched:
            report.unmatched += 1
            continue
        kept.append(item)
        brand_links.append(brands)
    if not kept:
        return
    annotations = options.annotate(kept) if options.annotate else None
    if annotations is not None:
        annotations = _by_speaker(kept, annotations, matcher, workspace.locale)
    author_ids = repo.upsert_authors(session, workspace_id, kept)
    conversations = repo.resolve_conversations(
        session, workspace_id, kept, author_ids, annotations, own_handles=matcher.own_handles
    )
    report.conversations_created += len(conversations.created)
    inserted = repo.insert_mentions(
        session,
        workspace_id,
        source.id if source else None,
        kept,
        author_ids=author_ids,
        conversation_ids=conversations.ids,
        annotations=annotations,
        mention_ids=conversations.mention_ids,
    )
    report.stored += len(inserted)
    if inserted:
        announce(session, workspace_id, MENTIONS, count=len(inserted))
    # Rows another writer stored between our check and our insert are duplicates too.
    report.duplicates += len(kept) - len(inserted)
    repo.link_brands(session, workspace_id, kept, brand_links, inserted)
    states: dict[int, thread_state.ThreadState] = {}
    if annotations is not None and inserted:
        touched = {
            conversation_id
            for item, conversation_id in zip(kept, conversations.ids, strict=True)
            if (item.platform, item.external_id) in inserted
        }
        states = thread_state.read_states(session, workspace_id, touched)
        annotations = _closing(kept, annotations, inserted, states)
        thread_state.mark_closures(session, workspace_id, states, locale=workspace.locale)
    repo.refresh_conversations(session, workspace_id, kept, conversations, annotations, inserted)
    thread_state.apply_states(session, workspace_id, states, arrived=inserted.values())
    if options.after_store and inserted:
        options.after_store(session, workspace_id, sorted(inserted.values()))


def _by_speaker(
    items: Sequence[Item], annotations: Sequence[AnnotationLike], matcher: BrandMatcher, locale: str
) -> list[AnnotationLike]:
    """The brand's own posts and the posts only heard (``ecoute.speakers``) read as such."""
    found: list[AnnotationLike] = []
    for item, annotation in zip(items, annotations, strict=True):
        speaker = speaker_of(item, matcher)
        if speaker == OWN:
            found.append(own_post(annotation))
        elif speaker in HEARD:
            found.append(heard(annotation, speaker, locale))
        else:
            found.append(annotation)
    return found


def _closing(
    items: Sequence[Item],
    annotations: Sequence[AnnotationLike],
    inserted: dict[tuple[str, str], int],
    states: dict[int, thread_state.ThreadState],
) -> list[AnnotationLike]:
    """The batch's messages that close their thread, read so before the conversations are folded
    (a "thanks, all sorted" neither reopens a resolved conversation nor asks for a reply)."""
    closing = {s.closing for s in states.values() if s.closing is not None}
    found: list[AnnotationLike] = []
    for item, annotation in zip(items, annotations, strict=True):
        if inserted.get((item.platform, item.external_id)) in closing and annotation.needs_reply is not None:
            priority = thread_state.closing_priority(annotation.priority or 0, bool(annotation.needs_reply))
            found.append(Reread(annotation, False, priority, "praise", list(annotation.reasons)))
        else:
            found.append(annotation)
    return found


def _drop_known(session: Session, workspace_id: int, items: list[Item], report: IngestReport) -> list[Item]:
    """Skip items already stored (or repeated within the batch) before any further work."""
    known = repo.existing_external_ids(session, workspace_id, [(i.platform, i.external_id) for i in items])
    fresh: list[Item] = []
    for item in items:
        key = (item.platform, item.external_id)
        if key in known:
            report.duplicates += 1
            continue
        known.add(key)
        fresh.append(item)
    return fresh
