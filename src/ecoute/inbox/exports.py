"""Mentions and conversations as CSV or XLSX, with the inbox's filters, streamed.

Rows are read in batches by keyset (never ``OFFSET``), so memory stays flat however many there are:

- conversations come in the inbox's order, one inbox page (``list_conversations``) at a time;
- mentions come by id (oldest first): the visible mentions of the conversations the filters select,
  where the dates, platform, sentiment, language, brand, topic and source select the mentions
  themselves (as Insights' drill-downs do) and the rest (status, assignee, tag, intent,
  needs-reply, search, deadline) the conversation.

CSV is UTF-8 with a byte-order mark (Excel then reads accents right) and yields bytes batch by
batch. XLSX is written by ``xlsxwriter`` in constant-memory mode to a temporary file, then read back
in chunks. In both, text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ecoute.inbox import queries
from ecoute.inbox.queries import InboxFilters
from ecoute.store.models import Author, Brand, Conversation, Mention, MentionBrand, Source
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow
from ecoute.topics.models import MentionTopic

KINDS: tuple[str, ...] = ("mentions", "conversations")
FORMATS: tuple[str, ...] = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MENTION_BATCH = 2_000
CONVERSATION_BATCH = queries.MAX_LIMIT
XLSX_ROWS = 1_048_576  # a worksheet's rows, header included: more go on the next sheet
XLSX_CELL = 32_767  # characters a cell holds
CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

MENTION_COLUMNS: tuple[str, ...] = (
    "id",
    "conversation_id",
    "created_at",
    "platform",
    "source",
    "kind",
    "author",
    "author_name",
    "author_followers",
    "language",
    "sentiment",
    "sentiment_score",
    "intent",
    "needs_reply",
    "priority",
    "likes",
    "shares",
    "replies",
    "rating",
    "brands",
    "url",
    "text",
)
CONVERSATION_COLUMNS: tuple[str, ...] = (
    "id",
    "platform",
    "status",
    "priority",
    "needs_reply",
    "sentiment",
    "intent",
    "language",
    "assignee",
    "author",
    "author_name",
    "mentions",
    "first_mention_at",
    "last_mention_at",
    "tags",
    "url",
    "text",
)
COLUMNS = {"mentions": MENTION_COLUMNS, "conversations": CONVERSATION_COLUMNS}

SessionFactory = Callable[[], AbstractContextManager[Session]]
Row = Sequence[Any]


def check(kind: str, fmt: str) -> None:
    if kind not in KINDS:
        raise Invalid(f"kind {kind!r}: use {' or '.join(KINDS)}")
    if fmt not in FORMATS:
        raise Invalid(f"format {fmt!r}: use {' or '.join(FORMATS)}")


def file_name(slug: str, kind: str, fmt: str, now: datetime | None = None) -> str:
    return f"ecoute-{slug}-{kind}-{(now or utcnow()).strftime('%Y%m%d-%H%M')}.{fmt}"


def rows(
    sessions: SessionFactory,
    workspace_id: int,
    kind: str,
    filters: InboxFilters,
    *,
    secret: str,
    now: datetime | None = None,
) -> Iterator[list[Row]]:
    """Batches of rows (``COLUMNS[kind]``), each batch read in a short transaction of its own."""
    moment = now or utcnow()
    if kind == "mentions":
        return _mention_batches(sessions, workspace_id, filters, moment)
    return _conversation_batches(sessions, workspace_id, filters, secret, moment)


def neutralise(value: str) -> str:
    """Text a spreadsheet would evaluate (``=HYPERLINK(…)``, ``+1``, ``@SUM``) shown as text instead."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_stream(kind: str, batches: Iterable[list[Row]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, a header, then one chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS[kind])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_cell(v) for v in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def write_xlsx(kind: str, batches: Iterable[list[Row]], path: str) -> int:
    """Write the workbook to ``path`` (constant memory: each row is flushed once written); the
    number of rows written. Past a sheet's million rows, the rest go on the next sheet."""
    import xlsxwriter  # imported here: only exports need it

    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
            "tmpdir": os.path.dirname(path) or None,
        },
    )
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    columns = COLUMNS[kind]
    sheet, row_number, sheets, written = None, XLSX_ROWS, 0, 0
    try:
        for batch in batches:
            for row in batch:
                if row_number >= XLSX_ROWS:
                    sheets += 1
                    sheet = workbook.add_worksheet(kind if sheets == 1 else f"{kind} ({sheets})")
                    sheet.write_row(0, 0, columns, bold)
                    sheet.freeze_panes(1, 0)
                    row_number = 1
                assert sheet is not None
                for column, value in enumerate(row):
                    _xlsx_cell(sheet, row_number, column, value, when)
                row_number += 1
                written += 1
        if sheet is None:
            sheet = workbook.add_worksheet(kind)
            sheet.write_row(0, 0, columns, bold)
    finally:
        workbook.close()
    return written


def _xlsx_cell(sheet: Any, row: int, column: int, value: Any, when: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, neutralise(value)[:XLSX_CELL])
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value.astimezone(UTC), when)
    else:
        sheet.write_number(row, column, value)


def xlsx_stream(kind: str, batches: Iterable[list[Row]]) -> Iterator[bytes]:
    """The workbook, built in a temporary folder and read back in chunks (removed at the end)."""
    with tempfile.TemporaryDirectory(prefix="ecoute-export-") as folder:
        path = os.path.join(folder, f"{kind}.xlsx")
        write_xlsx(kind, batches, path)
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk


def stream(kind: str, fmt: str, batches: Iterable[list[Row]]) -> Iterator[bytes]:
    return csv_stream(kind, batches) if fmt == "csv" else xlsx_stream(kind, batches)


def write_file(kind: str, fmt: str, batches: Iterable[list[Row]], path: str) -> None:
    """The export written to ``path`` (``ecoute export``)."""
    if fmt == "xlsx":
        write_xlsx(kind, batches, path)
        return
    with open(path, "wb") as handle:
        for chunk in csv_stream(kind, batches):
            handle.write(chunk)


# -- conversations ---------------------------------------------------------------------------


def _conversation_batches(
    sessions: SessionFactory, workspace_id: int, filters: InboxFilters, secret: str, now: datetime
) -> Iterator[list[Row]]:
    cursor: str | None = None
    while True:
        with sessions() as session:
            page = queries.list_conversations(
                session,
                workspace_id,
                filters,
                cursor=cursor,
                limit=CONVERSATION_BATCH,
                secret=secret,
                now=now,
            )
            batch = [_conversation_row(row) for row in page.rows]
        if batch:
            yield batch
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _conversation_row(row: queries.InboxRow) -> Row:
    c, top, author = row.conversation, row.top_mention, row.author
    return (
        c.id,
        c.platform,
        c.status,
        c.priority,
        c.needs_reply,
        c.sentiment,
        c.intent,
        c.lang,
        row.assignee.email if row.assignee else None,
        author.handle if author else None,
        author.display_name if author else None,
        c.mention_count,
        c.first_mention_at,
        c.last_mention_at,
        ", ".join(t.name for t in row.tags) or None,
        top.url if top else None,
        top.text if top else None,
    )


# -- mentions --------------------------------------------------------------------------------

# The filters that select mentions rather than conversations in a mentions export.
MENTION_LEVEL = dict(
    by_mention=False,
    since=None,
    until=None,
    platform=None,
    sentiment=None,
    lang=None,
    brand_id=None,
    topic_id=None,
    source_id=None,
)


def _mention_batches(
    sessions: SessionFactory, workspace_id: int, filters: InboxFilters, now: datetime
) -> Iterator[list[Row]]:
    after = 0
    while True:
        with sessions() as session:
            found = _mention_page(session, workspace_id, filters, now, after)
            if not found:
                return
            batch = _mention_rows(session, workspace_id, found)
        after = found[-1].id
        yield batch
        if len(found) < MENTION_BATCH:
            return


# The columns a row needs, read as plain rows: no ORM objects to build for a million mentions.
MENTION_FIELDS = (
    "id",
    "conversation_id",
    "created_at",
    "platform",
    "source_id",
    "kind",
    "author_id",
    "lang",
    "language",
    "sentiment",
    "sentiment_score",
    "intent",
    "needs_reply",
    "priority",
    "likes",
    "shares",
    "replies_count",
    "rating",
    "url",
    "text",
)


def _mention_page(
    session: Session, workspace_id: int, f: InboxFilters, now: datetime, after: int
) -> list[Any]:
    m = aliased(Mention)  # the probes of the conversation filters read ``mentions`` themselves
    rest = replace(f, **MENTION_LEVEL)  # type: ignore[arg-type]
    stmt = (
        select(*(getattr(m, name) for name in MENTION_FIELDS))
        .join(Conversation, Conversation.id == m.conversation_id)
        .where(*queries._scope(session, workspace_id, rest, now))
        # ``+ 0``: walk the primary key from ``after`` (rows come in id order, a batch costs its
        # own rows) rather than a workspace index whose rows would all be sorted for every batch.
        .where((m.workspace_id + 0) == workspace_id, m.hidden.is_(False), m.id > after)
    )
    stmt = queries._filtered(stmt, workspace_id, rest)
    if f.since:
        stmt = stmt.where(m.created_at >= f.since)
    if f.until:
        stmt = stmt.where(m.created_at < f.until)
    for value, column in ((f.platform, m.platform), (f.sentiment, m.sentiment), (f.lang, m.lang)):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.source_id is not None:
        stmt = stmt.where(m.source_id == f.source_id)
    if f.brand_id is not None:
        stmt = stmt.where(
            select(MentionBrand.mention_id)
            .where(MentionBrand.mention_id == m.id, MentionBrand.brand_id == f.brand_id)
            .exists()
        )
    if f.topic_id is not None:
        stmt = stmt.where(
            select(MentionTopic.mention_id)
            .where(MentionTopic.mention_id == m.id, MentionTopic.topic_id == f.topic_id)
            .exists()
        )
    stmt = stmt.order_by(m.id).limit(MENTION_BATCH)
    return list(session.execute(stmt))


def _mention_rows(session: Session, workspace_id: int, mentions: list[Any]) -> list[Row]:
    ids = [m.id for m in mentions]
    author_ids = {m.author_id for m in mentions if m.author_id}
    authors = {
        row.id: row
        for row in session.execute(
            select(Author.id, Author.handle, Author.display_name, Author.followers).where(
                Author.workspace_id == workspace_id, Author.id.in_(author_ids)
            )
        )
    }
    sources = {
        source_id: name
        for source_id, name in session.execute(
            select(Source.id, Source.name).where(Source.workspace_id == workspace_id)
        )
    }
    brands: dict[int, list[str]] = {}
    for mention_id, name in session.execute(
        select(MentionBrand.mention_id, Brand.name)
        .join(Brand, Brand.id == MentionBrand.brand_id)
        .where(MentionBrand.workspace_id == workspace_id, MentionBrand.mention_id.in_(ids))
        .order_by(Brand.name)
    ):
        brands.setdefault(mention_id, []).append(name)
    out: list[Row] = []
    for m in mentions:
        author = authors.get(m.author_id) if m.author_id else None
        out.append(
            (
                m.id,
                m.conversation_id,
                m.created_at,
                m.platform,
                sources.get(m.source_id) if m.source_id else None,
                m.kind,
                author.handle if author else None,
                author.display_name if author else None,
                author.followers if author else None,
                m.lang or m.language,
                m.sentiment,
                m.sentiment_score,
                m.intent,
                m.needs_reply,
                m.priority,
                m.likes,
                m.shares,
                m.replies_count,
                m.rating,
                ", ".join(brands.get(m.id, [])) or None,
                m.url,
                m.text,
            )
        )
    return out
