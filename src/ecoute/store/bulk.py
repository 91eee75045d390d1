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
        self._mark = "?" if self.sqlite else "%s"
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

    def marks(self, count: int) -> str:
        return ", ".join([self._mark] * count)

    def values_cte(self, count: int, columns: str = "e") -> str:
        """``WITH v(e) AS (VALUES (?), …)`` (or ``v(p, e)`` with two columns, …): look-ups join on
        it rather than ``IN (…)``.

        PostgreSQL plans a join on a unique index as index look-ups even when its statistics are
        stale (right after a bulk load), where ``IN (…)`` can fall back to filtering every row of
        the workspace."""
        row = "(" + self.marks(columns.count(",") + 1) + ")"
        return f"WITH v({columns}) AS (VALUES " + ", ".join([row] * count) + ") "

    def sql(self, statement: str) -> str:
        """Statements are written with ``?``; PostgreSQL's driver wants ``%s``."""
        return statement if self.sqlite else statement.replace("?", "%s")

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

    def typed_values_cte(self, name: str, columns: str, types: Sequence[str], count: int) -> str:
        """``WITH name(columns) AS (VALUES (…), …)`` with ``count`` rows of ``len(types)`` values.

        PostgreSQL needs the types spelled out (parameters in VALUES are otherwise text)."""
        if self.sqlite:
            row = "(" + self.marks(len(types)) + ")"
        else:
            row = "(" + ", ".join(f"CAST(%s AS {t})" for t in types) + ")"
        return f"WITH {name}({columns}) AS (VALUES " + ", ".join([row] * count) + ") "

    def execute(self, statement: str, params: tuple[Any, ...]) -> int:
        result = self.connection.exec_driver_sql(self.sql(statement), params)
        return max(result.rowcount, 0)

    def insert_returning(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """One multi-row INSERT per chunk (``statement`` holds ``{values}`` and a RETURNING clause);
        returns what RETURNING gives: on ``ON CONFLICT DO NOTHING`` only the rows inserted."""
        if not rows:
            return []
        width = len(rows[0])
        most = max(1, 30_000 // width)  # under SQLite's 32,766 and PostgreSQL's 65,535 parameters
        returned: list[tuple[Any, ...]] = []
        for chunk in chunks(rows, most):
            values = ", ".join(["(" + self.marks(width) + ")"] * len(chunk))
            params = tuple(chain.from_iterable(chunk))
            returned.extend(self.query(statement.replace("{values}", values), params))
        return returned

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
