"""Bulk loading for benchmarks: rows straight through the driver, indexes built once at the end.

``executemany`` on SQLite and ``COPY`` on PostgreSQL, in one transaction; the indexes that back no
constraint (the full-text ones included) are dropped while loading and rebuilt at the end, since a
sorted build is several times faster than maintaining them row by row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from ecoute.store.db import Database

MENTION_COLUMNS = (
    "id",
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
    "sentiment_score",
    "lang",
    "sentiment",
    "intent",
    "needs_reply",
    "priority",
    "reasons",
    "analysis",
    "hidden",
)
CONVERSATION_COLUMNS = (
    "id",
    "workspace_id",
    "key",
    "platform",
    "author_id",
    "status",
    "assignee_id",
    "priority",
    "needs_reply",
    "mention_count",
    "first_mention_at",
    "last_mention_at",
    "created_at",
    "updated_at",
    "top_mention_id",
    "sentiment",
    "intent",
    "lang",
)
AUTHOR_COLUMNS = (
    "id",
    "workspace_id",
    "platform",
    "handle",
    "display_name",
    "followers",
    "verified",
    "updated_at",
)
COLUMNS = {
    "authors": AUTHOR_COLUMNS,
    "conversations": CONVERSATION_COLUMNS,
    "mentions": MENTION_COLUMNS,
    "mention_brands": ("mention_id", "brand_id", "workspace_id"),
    "conversation_tags": ("conversation_id", "tag_id", "workspace_id"),
}
ORDER = ("conversations", "mentions", "mention_brands", "conversation_tags")


LOADED = tuple(COLUMNS)


class SqliteLoader:
    """executemany in one transaction; secondary indexes and the FTS5 index are dropped while
    loading and built once at the end (a sorted build is several times faster than row by row)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> SqliteLoader:
        self.connection = self.db.engine.raw_connection()
        cursor = self.connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        marks = ", ".join("?" * len(LOADED))
        self.indexes = cursor.execute(
            "SELECT name, sql FROM sqlite_master "
            f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
            LOADED,
        ).fetchall()
        self.trigger = cursor.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'mentions_fts_insert'"
        ).fetchone()[0]
        cursor.execute("DROP TRIGGER mentions_fts_insert")
        for name, _sql in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return self

    def load(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        columns = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        self.connection.cursor().executemany(sql, [tuple(map(_sqlite_value, r)) for r in rows])

    def __exit__(self, *exc: object) -> None:
        cursor = self.connection.cursor()
        for _name, sql in self.indexes:
            cursor.execute(sql)
        cursor.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")
        cursor.execute(self.trigger)
        self.connection.commit()
        cursor.execute("PRAGMA synchronous=NORMAL")
        self.connection.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # what UTCDateTime stores: naive UTC text
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


class PostgresLoader:
    """COPY per table; indexes that back no constraint (the GIN one included) are dropped while
    loading and built once at the end."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __enter__(self) -> PostgresLoader:
        self.connection = self.db.engine.raw_connection()
        cursor = self.connection.cursor()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (list(LOADED),),
        )
        self.indexes = cursor.fetchall()
        for name, _definition in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return self

    def load(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        cursor = self.connection.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)

    def __exit__(self, *exc: object) -> None:
        cursor = self.connection.cursor()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in self.indexes:
            cursor.execute(definition)
        for table in ("authors", "conversations", "mentions"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        self.connection.commit()
        self.connection.close()


def analyze(db: Database) -> None:
    """VACUUM ANALYZE, as PostgreSQL's autovacuum does a while after a load this size: planner
    statistics, and the visibility map that lets index-only scans skip the table."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def postgres_schema_url(url: str, schema: str) -> str:
    """``url`` with its search path set to ``schema`` (created if missing): a benchmark's own schema."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def wipe(url: str, schema: str) -> None:
    """Start again: delete the SQLite file (and its WAL), or drop and recreate the schema."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def loader_for(db: Database) -> SqliteLoader | PostgresLoader:
    return SqliteLoader(db) if db.dialect == "sqlite" else PostgresLoader(db)
