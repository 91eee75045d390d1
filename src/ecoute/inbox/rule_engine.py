"""Applying rules on ingest: read the batch's mentions once, match every rule in Python, then write
each kind of action with a handful of set-based statements for the whole batch.

``rules_hook()`` is the ingest path's ``after_store`` hook. It compiles the workspace's rules on
its first batch and again only when they change (a cheap count + last-edit probe per batch), so a
long-running poller picks up an edited rule without paying to re-parse queries on every batch.
Each firing is recorded once in ``rule_hits`` (unique per rule and mention) and counted on the rule.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.inbox.moderation import set_hidden
from ecoute.inbox.rules import (
    SPAM_TAG,
    AssignAction,
    CompiledRule,
    Facts,
    PriorityAction,
    SpamAction,
    TagAction,
    facts_query,
    load_compiled,
    matching,
    needs_brands,
    read_facts,
)
from ecoute.store.models import Author, Conversation, ConversationTag, Membership, Mention, Tag
from ecoute.store.people import Rule, RuleHit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
CHUNK = 500


@dataclass
class Plan:
    """What a batch's firings amount to, per conversation, before anything is written."""

    tags: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    assignee: dict[int, int] = field(default_factory=dict)
    priority: dict[int, tuple[int, Facts]] = field(default_factory=dict)  # first rule in order wins
    spam: dict[int, list[tuple[CompiledRule, Facts]]] = field(default_factory=lambda: defaultdict(list))
    hits: list[tuple[CompiledRule, Facts]] = field(default_factory=list)

    def add(self, rule: CompiledRule, facts: Facts, members: frozenset[int]) -> None:
        conversation = facts.conversation_id
        self.hits.append((rule, facts))
        for action in rule.spec.actions:
            if isinstance(action, TagAction):
                self.tags[conversation].add(action.tag)
            elif isinstance(action, AssignAction) and action.user_id in members:
                self.assignee.setdefault(conversation, action.user_id)
            elif isinstance(action, PriorityAction):
                self.priority.setdefault(conversation, (action.priority, facts))
            elif isinstance(action, SpamAction):
                self.spam[conversation].append((rule, facts))


def apply_rules(
    session: Session, workspace_id: int, mention_ids: Sequence[int], rules: Sequence[CompiledRule]
) -> int:
    """Run ``rules`` on these stored mentions; returns how many (rule, mention) firings were new."""
    if not rules or not mention_ids:
        return 0
    members = frozenset(
        session.scalars(select(Membership.user_id).where(Membership.workspace_id == workspace_id))
    )
    plan = Plan()
    with_brands = needs_brands(rules)
    for start in range(0, len(mention_ids), CHUNK):
        chunk = list(mention_ids[start : start + CHUNK])
        query = facts_query(workspace_id).where(Mention.id.in_(chunk)).order_by(Mention.id)
        for facts in read_facts(session, workspace_id, query, with_brands=with_brands):
            for rule in matching(rules, facts):
                plan.add(rule, facts, members)
    fired = _record_hits(session, workspace_id, plan)
    if fired:
        _write(session, workspace_id, plan)
    return fired


def _record_hits(session: Session, workspace_id: int, plan: Plan) -> int:
    """Insert the firings not seen before; the rules' counters grow by what was really inserted."""
    if not plan.hits:
        return 0
    now = utcnow()
    rows = [
        {"workspace_id": workspace_id, "rule_id": rule.id, "mention_id": facts.mention_id,
         "conversation_id": facts.conversation_id, "actions": [a.model_dump() for a in rule.spec.actions],
         "created_at": now}
        for rule, facts in plan.hits
    ]  # fmt: skip
    table = RuleHit.__table__
    stmt = _insert(session, table).on_conflict_do_nothing(index_elements=["rule_id", "mention_id"])
    inserted = session.execute(stmt.returning(table.c.rule_id), rows).scalars().all()
    if not inserted:
        return 0
    counts: dict[int, int] = defaultdict(int)
    for rule_id in inserted:
        counts[rule_id] += 1
    r = Rule.__table__.c
    session.connection().execute(
        update(Rule.__table__)
        .where(r.workspace_id == bindparam("b_ws"), r.id == bindparam("b_id"))
        .values(hits=r.hits + bindparam("b_n"), last_hit_at=bindparam("b_now")),
        [{"b_ws": workspace_id, "b_id": rule_id, "b_n": n, "b_now": now} for rule_id, n in counts.items()],
    )
    return len(inserted)


def _write(session: Session, workspace_id: int, plan: Plan) -> None:
    now = utcnow()
    c = Conversation.__table__.c
    scoped = update(Conversation.__table__).where(c.workspace_id == workspace_id)
    shared = _shared(session, workspace_id, plan.spam)
    for conversation_id in plan.spam.keys() - shared:
        plan.tags[conversation_id].add(SPAM_TAG)
    if plan.tags:
        _tag(session, workspace_id, plan.tags)
    by_user: dict[int, list[int]] = defaultdict(list)
    for conversation_id, user_id in plan.assignee.items():
        by_user[user_id].append(conversation_id)
    for user_id, ids in by_user.items():  # a rule never takes a conversation away from someone
        for chunk in _chunks(ids):
            session.execute(
                scoped.where(c.id.in_(chunk), c.assignee_id.is_(None)).values(
                    assignee_id=user_id, updated_at=now
                )
            )
    if plan.priority:
        _set_priority(session, workspace_id, plan.priority, now)
    # The spammer's own conversations: spam asks nothing, so out of the reply queue and the metrics.
    for chunk in _chunks(sorted(plan.spam.keys() - shared)):
        session.execute(
            scoped.where(c.id.in_(chunk)).values(status="resolved", needs_reply=False, updated_at=now)
        )
    if shared:
        _hide_spam(session, workspace_id, {cid: plan.spam[cid] for cid in shared})


def _shared(
    session: Session, workspace_id: int, spam: dict[int, list[tuple[CompiledRule, Facts]]]
) -> set[int]:
    """The conversations where someone other than the spam's authors speaks (a comment under a
    customer's video, a reply in a customer's thread): closing them would close their matter too."""
    m = Mention.__table__.c
    spammers = {cid: {facts.author for _, facts in firings} for cid, firings in spam.items()}
    shared: set[int] = set()
    for chunk in _chunks(sorted(spam)):
        rows = session.execute(
            select(m.conversation_id, Author.handle)
            .distinct()
            .outerjoin(Author, Author.id == m.author_id)
            .where(m.workspace_id == workspace_id, m.conversation_id.in_(chunk), m.hidden.is_(False))
        )
        for conversation_id, handle in rows:
            if handle not in spammers[conversation_id]:
                shared.add(conversation_id)
    return shared


def _hide_spam(
    session: Session, workspace_id: int, spam: dict[int, list[tuple[CompiledRule, Facts]]]
) -> None:
    """Spam inside someone else's conversation: only the spam is hidden (audited, nothing deleted;
    shown again from its page), and the conversation is read again without it (``set_hidden``)."""
    for firings in spam.values():
        for rule, facts in firings:
            set_hidden(session, workspace_id, facts.mention_id, True, actor=f"rule:{rule.id}:{rule.name}")


def _tag(session: Session, workspace_id: int, wanted: dict[int, set[str]]) -> None:
    names = sorted({name for names in wanted.values() for name in names})
    stmt = _insert(session, Tag.__table__).on_conflict_do_nothing(index_elements=["workspace_id", "name"])
    session.execute(stmt, [{"workspace_id": workspace_id, "name": name} for name in names])
    ids = dict(
        session.execute(
            select(Tag.name, Tag.id).where(Tag.workspace_id == workspace_id, Tag.name.in_(names))
        ).all()
    )
    rows = [
        {"conversation_id": conversation_id, "tag_id": ids[name], "workspace_id": workspace_id}
        for conversation_id, tag_names in wanted.items()
        for name in sorted(tag_names)
    ]
    link = _insert(session, ConversationTag.__table__).on_conflict_do_nothing(
        index_elements=["conversation_id", "tag_id"]
    )
    session.execute(link, rows)


def _set_priority(
    session: Session, workspace_id: int, wanted: dict[int, tuple[int, Facts]], now: Any
) -> None:
    """The mention that fired takes the priority and becomes what the inbox row shows."""
    c = Conversation.__table__.c
    m = Mention.__table__.c
    session.connection().execute(
        update(Mention.__table__)
        .where(m.workspace_id == bindparam("b_ws"), m.id == bindparam("b_mention"))
        .values(priority=bindparam("b_priority")),
        [{"b_ws": workspace_id, "b_mention": f.mention_id, "b_priority": p} for p, f in wanted.values()],
    )
    session.connection().execute(
        update(Conversation.__table__)
        .where(c.workspace_id == bindparam("b_ws"), c.id == bindparam("b_id"))
        .values(
            priority=bindparam("b_priority"),
            top_mention_id=bindparam("b_mention"),
            sentiment=bindparam("b_sentiment"),
            intent=bindparam("b_intent"),
            lang=bindparam("b_lang"),
            updated_at=now,
        ),
        [
            {"b_ws": workspace_id, "b_id": conversation_id, "b_priority": p, "b_mention": f.mention_id,
             "b_sentiment": f.sentiment, "b_intent": f.intent, "b_lang": f.lang}
            for conversation_id, (p, f) in wanted.items()
        ],
    )  # fmt: skip


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _chunks(values: Sequence[int]) -> list[Sequence[int]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


# --- the ingest hook ---------------------------------------------------------------------------------


class RulesHook:
    """``IngestOptions.after_store``: apply the workspace's enabled rules to each stored batch."""

    def __init__(self) -> None:
        self._compiled: dict[int, tuple[tuple[Any, ...], list[CompiledRule]]] = {}

    def __call__(self, session: Session, workspace_id: int, mention_ids: list[int]) -> None:
        rules = self.rules(session, workspace_id)
        if rules:
            fired = apply_rules(session, workspace_id, mention_ids, rules)
            logger.debug("rules.applied", extra={"workspace_id": workspace_id, "fired": fired})

    def rules(self, session: Session, workspace_id: int) -> list[CompiledRule]:
        """Compiled once, and again only when a rule was added, edited, moved or deleted."""
        version = tuple(
            session.execute(
                select(func.count(), func.max(Rule.updated_at)).where(Rule.workspace_id == workspace_id)
            ).one()
        )
        cached = self._compiled.get(workspace_id)
        if cached is None or cached[0] != version:
            cached = (version, load_compiled(session, workspace_id) if version[0] else [])
            self._compiled[workspace_id] = cached
        return cached[1]


def rules_hook() -> RulesHook:
    """A fresh hook for one ingest run (or one long-running poller)."""
    return RulesHook()
