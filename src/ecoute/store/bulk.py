"""Set-based statements sent straight to the database driver, inside the session's transaction.

The ingest path writes thousands of rows per batch; SQLAlchemy's per-parameter processing costs
more than the database itself there, so these few statements bypass it. Values are converted
here exactly as the ORM types store them (UTC datetimes, JSON text, booleans), so rows written
either way read back the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


def chunks(values: Sequence[T], most: int) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices whose lengths are powers of two, at most ``most``.

    Multi-row statements then come in a dozen sizes, which the driver has already prepared
    (SQLite keeps the last statements compiled, psycopg prepares those it sees repeated): one of
    a new size costs milliseconds to compile, which was a tenth of a batch's time when every
    statement of every batch had its own number of rows."""
    top = 1 << (max(1, most).bit_length() - 1)
    start = 0
    while start < len(values):
        size = min(top, 1 << ((len(values) - start).bit_length() - 1))
        yield values[start : start + size]
        start += size


class Bulk:
    """Driver-level executemany/query on the session's connection, for one dialect."""

    def __init__(self, session: Session):
        self.connection = session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        # The DB-API connection under the session's, in the same transaction: rows come back as
        # plain tuples, without SQLAlchemy building a Row object per row.
        self._dbapi = self.connection.connection.dbapi_connection

    def for_batches(self) -> None:
        """Settings for a connection that writes ingest batches (SQLite; they stay with the
        pooled connection, which is harmless for other work):

        - a 64 MiB page cache (the default is 2 MiB): each batch touches index pages all over
          the conversation, author and mention indexes, and with the default most of them were
          read again from the file on every batch;
        - a WAL checkpoint every 16,384 pages (64 MiB) rather than every 1,000: one batch dirties
          several thousand pages, so every commit also copied its whole WAL into the database;
          now a page written by several batches in a row is copied once.

        Memory is only taken as pages are read. Durability is unchanged: a commit is in the WAL
        (synchronous=NORMAL) whenever the checkpoint runs."""
        if self.sqlite:
            self.connection.exec_driver_sql("PRAGMA cache_size = -65536")
            self.connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 16384")

    def pieces(self, rows: Sequence[T], width: int) -> Iterator[Sequence[T]]:
        """``rows`` cut for one statement each. SQLite: lengths that are powers of two (see
        ``chunks``), under its limit of 32,766 parameters. PostgreSQL: one array per column
        carries any number of rows; 10,000 at most keeps each statement's memory bounded."""
        if self.sqlite:
            return chunks(rows, max(1, 30_000 // width))
        return (rows[start : start + 10_000] for start in range(0, len(rows), 10_000))

    def rows_ctes(
        self, name: str, columns: str, types: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """``WITH name(columns) AS (…)`` over each piece of ``rows``, with its parameters: a
        statement follows it once per piece. ``types`` are the columns' PostgreSQL types.

        Look-ups join on it rather than ``IN (…)``: PostgreSQL plans a join on a unique index as
        index look-ups even when its statistics are stale (right after a bulk load), where
        ``IN (…)`` can fall back to filtering every row of the workspace."""
        for piece in self.pieces(rows, len(types)):
            source, params = self._rows(types, piece)
            yield f"WITH {name}({columns}) AS ({source}) ", params

    def _rows(self, types: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> tuple[str, tuple[Any, ...]]:
        """A row source for ``rows``: SQLite, ``VALUES (?, …), …``; PostgreSQL, ``SELECT * FROM
        unnest(%s::type[], …)`` with one array per column, so the statement's text is the same
        whatever the number of rows (psycopg prepares it once, and does not parse thousands of
        placeholders on every batch, which cost more than the database's own work)."""
        if self.sqlite:
            row = "(" + ", ".join(["?"] * len(types)) + ")"
            return "VALUES " + ", ".join([row] * len(rows)), tuple(chain.from_iterable(rows))
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        return f"SELECT * FROM unnest({arrays})", tuple(list(column) for column in zip(*rows, strict=True))

    def sql(self, statement: str) -> str:
        """Statements are written with ``?``; PostgreSQL's driver wants ``%s``."""
        return statement if self.sqlite or "?" not in statement else statement.replace("?", "%s")

    def dt(self, value: datetime | None) -> Any:
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # SQLAlchemy's storage format for DateTime on SQLite (always with microseconds), that is
        # the aware ISO form less its "+00:00".
        return value.isoformat(" ", "microseconds")[:-6] if self.sqlite else value

    @staticmethod
    def js(value: Any) -> str:
        if not value and type(value) in (dict, list):  # the usual empty payload, reasons, details
            return "{}" if type(value) is dict else "[]"
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def flag(self, value: bool | None) -> Any:
        return None if value is None else (int(value) if self.sqlite else value)

    def execute(self, statement: str, params: tuple[Any, ...]) -> int:
        result = self.connection.exec_driver_sql(self.sql(statement), params)
        return max(result.rowcount, 0)

    def insert_returning(
        self, statement: str, types: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """One multi-row INSERT per piece of ``rows`` (``statement`` holds ``{rows}`` where the
        rows go, after the column list, and a RETURNING clause); returns what RETURNING gives: on
        ``ON CONFLICT DO NOTHING`` only the rows inserted. ``types`` are the columns' PostgreSQL
        types."""
        returned: list[tuple[Any, ...]] = []
        for piece in self.pieces(rows, len(types)):
            source, params = self._rows(types, piece)
            returned.extend(self.query(statement.replace("{rows}", source), params))
        return returned

    def reserve_ids(self, table: str, count: int) -> list[int] | None:
        """PostgreSQL: ``count`` new ids of ``table`` from its sequence, in increasing order, for
        rows inserted with explicit ids (ids an insert then skips are a gap, as a rollback
        leaves). SQLite: None, its ids are given by the insert."""
        if self.sqlite or not count:
            return None
        rows = self.query(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, ?)", (count,)
        )
        return sorted(row[0] for row in rows)

    def insert(self, statement: str, types: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (``statement`` holds ``{rows}``, as for ``insert_returning``): SQLite
        runs its one-row form for each row, PostgreSQL one statement over arrays."""
        if not rows:
            return
        if self.sqlite:
            source, _ = self._rows(types, rows[:1])
            self.executemany(statement.replace("{rows}", source), rows)
            return
        for piece in self.pieces(rows, len(types)):
            source, params = self._rows(types, piece)
            self.execute(statement.replace("{rows}", source), params)

    def executemany(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> int:
        """Run ``statement`` once per row; returns the number of rows it changed."""
        if not rows:
            return 0
        result = self.connection.exec_driver_sql(self.sql(statement), list(rows))
        return max(result.rowcount, 0)

    def query(self, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(self.sql(statement), params)
            return cursor.fetchall()
        finally:
            cursor.close()
