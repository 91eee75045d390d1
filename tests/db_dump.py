"""Every value stored in every table, as one string: to assert a secret is stored nowhere."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.store.db import Database
from ecoute.store.models import Base


def everything(db: Database) -> str:
    parts: list[str] = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            parts.extend(repr(tuple(row)) for row in session.execute(select(table)))
    return "\n".join(parts)
