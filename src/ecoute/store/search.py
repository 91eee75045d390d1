"""Full-text search over mention text: SQLite FTS5 or PostgreSQL tsvector, accents folded."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.orm import Session

from ecoute.store.models import Mention

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
