"""The written threads of tests/data/threads.jsonl, run through the real ingest path and read back
as the inbox sees them: each conversation's needs-reply, priority band, complaint label and the
family of the first draft the composer offers."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ecoute.analysis_bridge import annotator
from ecoute.ingest import IngestOptions, ingest
from ecoute.respond.composer_data import composer_data
from ecoute.sources.base import RawItem
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Conversation, Mention, Workspace

THREADS = Path(__file__).parent / "data" / "threads.jsonl"
# Written after the thread reading was, in other trades, and never tuned against: the honest figure.
UNSEEN = Path(__file__).parent / "data" / "threads_unseen.jsonl"
# Priority bands as the inbox shows them: "low" sits below anything asking for attention, "high"
# is where a complaint needing an answer lands even from an account nobody follows.
LOW_BELOW = 35
HIGH_FROM = 40
THANKS = ("thanks", "welcome")
APOLOGY = ("apology", "call_back", "acknowledge_apology")


@dataclass(frozen=True)
class Outcome:
    thread: dict[str, Any]
    needs_reply: bool
    priority: int
    complaint: bool
    draft: str | None

    def wrong(self) -> list[str]:
        want = self.thread["expect"]
        found = []
        if self.needs_reply != want["needs_reply"]:
            found.append(f"needs_reply={self.needs_reply}")
        band = want["priority"]
        if (band == "low" and self.priority >= LOW_BELOW) or (band == "high" and self.priority < HIGH_FROM):
            found.append(f"priority={self.priority}")
        if self.complaint != want["complaint"]:
            found.append(f"complaint={self.complaint}")
        if want["draft"] is not None and self.draft != want["draft"]:
            found.append(f"draft={self.draft}")
        return found


def load_threads(path: Path = THREADS) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path.name} line {number}: {error.msg}") from None
    return rows


def add_brands(db: Database, workspace: Workspace, threads: list[dict[str, Any]]) -> None:
    with db.session() as session:
        done: set[str] = set()
        for thread in threads:
            brand, rival = thread["brand"], thread["competitor"]
            if brand["name"] in done:
                continue
            done.add(brand["name"])
            repo.add_brand(
                session, workspace.id, brand["name"], query=f"@{brand['handle']}", handles=[brand["handle"]]
            )
            repo.add_brand(
                session,
                workspace.id,
                rival["name"],
                query=f"@{rival['handle']}",
                handles=[rival["handle"]],
                competitor_of=brand["name"],
            )


def raw_items(threads: list[dict[str, Any]], now: datetime) -> list[RawItem]:
    """Every message as a platform would hand it over, oldest first, an hour apart in each thread."""
    items = []
    for thread in threads:
        start = now - timedelta(hours=6)
        root = f"{thread['id']}-0"
        for index, message in enumerate(thread["messages"]):
            reply = message["kind"] == "reply"
            items.append(
                RawItem(
                    platform=message.get("platform", "x"),
                    external_id=f"{thread['id']}-{index}",
                    text=message["text"],
                    created_at=start + timedelta(hours=index),
                    author=message["author"],
                    author_name=message["author_name"],
                    author_followers=message.get("followers", 120),
                    kind=message["kind"],
                    parent_id=f"{thread['id']}-{index - 1}" if reply else None,
                    thread_id=root if reply else None,
                    language=thread["lang"],
                )
            )
    items.sort(key=lambda item: item.created_at)  # type: ignore[arg-type, return-value]
    return items


def run_set(db: Database, workspace: Workspace, threads: list[dict[str, Any]]) -> list[Outcome]:
    add_brands(db, workspace, threads)
    now = datetime.now(UTC)
    ingest(
        db,
        workspace,
        raw_items(threads, now),
        options=IngestOptions(annotate=annotator(workspace), batch_size=50),
    )
    outcomes = []
    with db.session() as session:
        for thread in threads:
            conversation_id = session.scalar(
                select(Mention.conversation_id).where(
                    Mention.workspace_id == workspace.id, Mention.external_id == f"{thread['id']}-0"
                )
            )
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None and conversation.workspace_id == workspace.id
            composed = composer_data(session, workspace, conversation, agent_name=None, now=now)
            strategy = composed.drafts[0].strategy if composed and composed.drafts else ""
            family = (
                "thanks"
                if strategy.startswith(THANKS)
                else "apology"
                if strategy.startswith(APOLOGY)
                else strategy
            )
            outcomes.append(
                Outcome(
                    thread,
                    bool(conversation.needs_reply),
                    int(conversation.priority or 0),
                    conversation.intent == "complaint",
                    family or None,
                )
            )
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    right = sum(1 for o in outcomes if not o.wrong())
    by_pattern: Counter[str] = Counter()
    wrong_by_pattern: Counter[str] = Counter()
    for o in outcomes:
        by_pattern[o.thread["pattern"]] += 1
        wrong_by_pattern[o.thread["pattern"]] += bool(o.wrong())
    lines = [f"right: {right}/{len(outcomes)} ({100 * right / len(outcomes):.1f} %)"]
    lines += [f"  {p}: {by_pattern[p] - wrong_by_pattern[p]}/{by_pattern[p]}" for p in by_pattern]
    lines += [f"  wrong {o.thread['id']}: {', '.join(o.wrong())}" for o in outcomes if o.wrong()]
    return "\n".join(lines)
