"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

JSONType = JSON().with_variant(JSONB(), "postgresql")
# The largest id (and count) a column holds: ids are 32-bit integers, and PostgreSQL refuses larger
# values where SQLite overflows past 64 bits; input is bounded by this before it reaches a query.
MAX_ID = 2**31 - 1


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite stores them as naive UTC text."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Écoute stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


DIALECTS = ("sqlite", "postgresql")


def among_ids(column: Any, name: str, dialect: str, ids: list[int] | None = None) -> Any:
    """``column`` among the ids bound to ``name`` (a list given when the statement runs, for a
    statement built once per dialect, or ``ids`` here).

    PostgreSQL: ``= ANY(:name)`` with one array parameter. An expanding ``IN`` would give each id a
    parameter of its own, rendered into the statement's text on every execution, and psycopg parses
    a statement of more than 50 parameters afresh every time (it keeps only smaller ones): for a
    page of fifty conversations that cost more CPU than the database's own work. SQLite has no
    arrays: an expanding ``IN``."""
    from sqlalchemy import Integer, any_, bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    if dialect == "postgresql":
        return column == any_(bindparam(name, ids, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, ids, expanding=True, type_=Integer))
