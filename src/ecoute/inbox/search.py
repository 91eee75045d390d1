"""Full-text search as an inbox filter: the conversations holding a mention whose text matches.

Two plans, chosen per search by how many mentions match (SQLite counts them in its FTS index up to
``FEW``; PostgreSQL asks its planner's estimate, reading no row), in a few milliseconds:

- few matches: read the matching conversations' ids first, then order just those (cost grows
  with the matches);
- many matches: walk the inbox order and probe each conversation for a matching mention (cost
  grows with how far the walk goes, which is short when matches are common).

Each plan alone takes hundreds of milliseconds on a million mentions at the other end (a rare
word walks every conversation; a common one reads tens of thousands of rows), and neither
database's planner picks between them reliably: SQLite keeps no statistics unless asked, and both
like walking the inbox order index to avoid a sort even when only a handful of rows will match.
Reading the matches stops at ``FEW`` rows, so an estimate that was too low costs little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, select, text
from sqlalchemy.orm import Session

from ecoute.store.models import Conversation, Mention

# Private to the search module but exactly what is needed: user words quoted for FTS5.
from ecoute.store.search import _WORD_RE, _fts5_query

# Below this many matching mentions, reading the matches first is the faster plan. Measured where
# the two plans cost the same on a million mentions (benchmarks/inbox_speed.py, default view):
# PostgreSQL's probe reads each mention row for its tsvector, SQLite's only checks an id set.
FEW: dict[str, int] = {"sqlite": 2_500, "postgresql": 8_000}
_PG_QUERY = "(websearch_to_tsquery('ecoute_fr', :q) || websearch_to_tsquery('ecoute_en', :q))"


@dataclass(frozen=True)
class SearchPlan:
    """Either the ids of the (few) matching conversations, or a condition to probe each one with."""

    conversation_ids: list[int] | None = None
    probe: ColumnElement[bool] | None = None


def plan_search(session: Session, workspace_id: int, query: str) -> SearchPlan:
    """How to filter the inbox on ``query``; nothing searchable (only punctuation) matches nothing."""
    dialect = session.get_bind().dialect.name
    postgres = dialect == "postgresql"
    if postgres and not _WORD_RE.search(query):
        return SearchPlan(conversation_ids=[])
    words = query if postgres else _fts5_query(query)
    if not words:
        return SearchPlan(conversation_ids=[])
    few = FEW[dialect]
    many = (
        _estimate(session, workspace_id, words) >= 2 * few if postgres else _count(session, words, few) >= few
    )
    ids = None if many else _conversation_ids(session, workspace_id, words, postgres, limit=few)
    return SearchPlan(probe=_probe(workspace_id, words, postgres)) if ids is None else SearchPlan(ids)


def _count(session: Session, words: str, cap: int) -> int:
    """SQLite: count in the FTS index alone, up to ``cap`` (every workspace's matches: at worst the
    probe is picked for a workspace with few)."""
    sql = "SELECT count(*) FROM (SELECT 1 FROM mentions_fts WHERE mentions_fts MATCH :q LIMIT :cap)"
    return int(session.scalar(text(sql), {"q": words, "cap": cap}) or 0)


def _estimate(session: Session, workspace_id: int, words: str) -> float:
    """PostgreSQL: the planner's estimate of the matches, from its statistics (no row is read).
    A word is counted once per language configuration, so about twice; rare words are floored."""
    sql = (
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM mentions "
        f"WHERE workspace_id = :ws AND search_vector @@ {_PG_QUERY}"
    )
    plan = session.scalar(text(sql), {"ws": workspace_id, "q": words})
    return float(plan[0]["Plan"]["Plan Rows"])


def _conversation_ids(
    session: Session, workspace_id: int, words: str, postgres: bool, *, limit: int
) -> list[int] | None:
    """The matching conversations, or None when ``limit`` mentions match (then probing is faster)."""
    if postgres:
        sql = (
            f"SELECT conversation_id FROM mentions WHERE workspace_id = :ws AND search_vector @@ {_PG_QUERY}"
        )
    else:
        # CROSS JOIN fixes the order: the index's matches first, then each mention by its id.
        sql = (
            "SELECT mentions.conversation_id FROM mentions_fts CROSS JOIN mentions "
            "ON mentions.id = mentions_fts.rowid "
            "WHERE mentions_fts MATCH :q AND mentions.workspace_id = :ws"
        )
    found = list(
        session.scalars(text(f"{sql} LIMIT :limit"), {"ws": workspace_id, "q": words, "limit": limit})
    )
    return None if len(found) >= limit else sorted(set(found))


def _probe(workspace_id: int, words: str, postgres: bool) -> ColumnElement[bool]:
    m = Mention
    if postgres:
        matches: Any = text(f"mentions.search_vector @@ {_PG_QUERY}").bindparams(q=words)
    else:
        # "+ 0": look the conversation's few mentions up by conversation, then test each against
        # the index's matches, rather than look each match up for every conversation walked.
        found = text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :q").bindparams(q=words)
        matches = (m.id + 0).in_(found)
    return exists(
        select(m.id).where(m.workspace_id == workspace_id, m.conversation_id == Conversation.id, matches)
    )
