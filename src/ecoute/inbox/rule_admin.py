"""Managing a workspace's rules: create, edit, enable, delete, reorder (each audited), and preview
what a rule would have matched among the latest mentions before saving it.

Every function takes the workspace first and refuses ids from elsewhere (NotFound), including the
brands, sources and users a rule names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.inbox.rules import (
    AssignAction,
    RuleSpec,
    compile_rule,
    facts_query,
    matching,
    read_facts,
    spec_of,
)
from ecoute.store.models import Brand, Membership, Mention, Source
from ecoute.store.people import Rule, RuleHit
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
MAX_RULES = 200  # each new mention is tested against every enabled rule
PREVIEW_SAMPLE = 500
PREVIEW_EXAMPLES = 5


def list_rules(session: Session, workspace_id: int) -> list[Rule]:
    """In the order they run."""
    query = select(Rule).where(Rule.workspace_id == workspace_id).order_by(Rule.position, Rule.id)
    return list(session.scalars(query))


def get_rule(session: Session, workspace_id: int, rule_id: int) -> Rule:
    rule = session.scalar(select(Rule).where(Rule.workspace_id == workspace_id, Rule.id == rule_id))
    if rule is None:
        raise NotFound(f"no rule #{rule_id} in this workspace")
    return rule


def snapshot(rule: Rule) -> dict[str, Any]:
    """What the audit log keeps of a rule, before and after a change."""
    return {**spec_of(rule).model_dump(mode="json"), "position": rule.position}


def create_rule(
    session: Session, workspace_id: int, spec: RuleSpec, *, actor: str, user_id: int | None = None
) -> Rule:
    """Add a rule at the end of the list (it runs last)."""
    check_references(session, workspace_id, spec)
    count, last = session.execute(
        select(func.count(), func.max(Rule.position)).where(Rule.workspace_id == workspace_id)
    ).one()
    if count >= MAX_RULES:
        raise Invalid(f"a workspace has at most {MAX_RULES} rules: delete or merge some first")
    now = utcnow()
    rule = Rule(
        workspace_id=workspace_id,
        position=(last if last is not None else -1) + 1,
        created_by_id=user_id,
        hits=0,
        created_at=now,
        updated_at=now,
        **_columns(spec),
    )
    session.add(rule)
    session.flush()
    _audit(session, rule, actor, "rule.create", after=snapshot(rule))
    return rule


def update_rule(session: Session, workspace_id: int, rule_id: int, spec: RuleSpec, *, actor: str) -> Rule:
    rule = get_rule(session, workspace_id, rule_id)
    check_references(session, workspace_id, spec)
    before = snapshot(rule)
    for name, value in _columns(spec).items():
        setattr(rule, name, value)
    rule.updated_at = utcnow()
    session.flush()
    _audit(session, rule, actor, "rule.update", before=before, after=snapshot(rule))
    return rule


def set_enabled(session: Session, workspace_id: int, rule_id: int, enabled: bool, *, actor: str) -> Rule:
    rule = get_rule(session, workspace_id, rule_id)
    if rule.enabled != enabled:
        rule.enabled = enabled
        rule.updated_at = utcnow()
        _audit(
            session, rule, actor, "rule.enable" if enabled else "rule.disable",
            before={"enabled": not enabled}, after={"enabled": enabled},
        )  # fmt: skip
    return rule


def delete_rule(session: Session, workspace_id: int, rule_id: int, *, actor: str) -> None:
    """Delete the rule and its firing records; what it did to conversations stays."""
    rule = get_rule(session, workspace_id, rule_id)
    before = snapshot(rule)
    session.delete(rule)
    session.flush()
    _audit(session, rule, actor, "rule.delete", before=before)


def reorder(session: Session, workspace_id: int, rule_ids: list[int], *, actor: str) -> list[Rule]:
    """Put the rules in this order; ``rule_ids`` must name each of the workspace's rules once."""
    rules = list_rules(session, workspace_id)
    by_id = {rule.id: rule for rule in rules}
    if len(rule_ids) != len(set(rule_ids)) or set(rule_ids) != set(by_id):
        raise Invalid("give every rule of the workspace exactly once, in the new order")
    before = [rule.id for rule in rules]
    if before == rule_ids:
        return rules
    now = utcnow()
    for position, rule_id in enumerate(rule_ids):
        by_id[rule_id].position = position
        by_id[rule_id].updated_at = now
    session.flush()
    record_audit(
        session, workspace_id, actor=actor, action="rule.reorder", target_type="rule",
        before={"order": before}, after={"order": rule_ids},
    )  # fmt: skip
    return [by_id[rule_id] for rule_id in rule_ids]


def move(session: Session, workspace_id: int, rule_id: int, offset: int, *, actor: str) -> list[Rule]:
    """Move one rule up (negative offset) or down the list."""
    ids = [rule.id for rule in list_rules(session, workspace_id)]
    if rule_id not in ids:
        raise NotFound(f"no rule #{rule_id} in this workspace")
    index = ids.index(rule_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return reorder(session, workspace_id, ids, actor=actor)


def check_references(session: Session, workspace_id: int, spec: RuleSpec) -> None:
    """Brands, sources and assignees named by the rule must belong to this workspace."""
    c = spec.conditions
    _all_found(session, Brand.id, Brand.workspace_id, workspace_id, c.brand_ids, "brand")
    _all_found(session, Source.id, Source.workspace_id, workspace_id, c.source_ids, "source")
    users = [a.user_id for a in spec.actions if isinstance(a, AssignAction)]
    _all_found(session, Membership.user_id, Membership.workspace_id, workspace_id, users, "member")


def _all_found(
    session: Session, column: Any, scope: Any, workspace_id: int, ids: list[int], what: str
) -> None:
    if not ids:
        return
    found = set(session.scalars(select(column).where(scope == workspace_id, column.in_(ids))))
    missing = sorted(set(ids) - found)
    if missing:
        raise Invalid(f"no {what} #{missing[0]} in this workspace")


def _columns(spec: RuleSpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    return {
        "name": spec.name,
        "enabled": spec.enabled,
        "conditions": data["conditions"],
        "actions": data["actions"],
    }


def _audit(
    session: Session,
    rule: Rule,
    actor: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    record_audit(
        session, rule.workspace_id, actor=actor, action=action, target_type="rule", target_id=rule.id,
        before=before, after=after,
    )  # fmt: skip
    logger.info(
        "rule.changed", extra={"workspace_id": rule.workspace_id, "rule_id": rule.id, "action": action}
    )


# --- preview and history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    mention_id: int
    conversation_id: int
    text: str


@dataclass(frozen=True)
class Preview:
    """ "Would have matched ``matched`` of the last ``sampled`` mentions", with a few of them."""

    matched: int
    sampled: int
    examples: list[Example]


def preview(session: Session, workspace_id: int, spec: RuleSpec, *, sample: int = PREVIEW_SAMPLE) -> Preview:
    """Test the rule (enabled or not) against the workspace's latest mentions; nothing is written."""
    check_references(session, workspace_id, spec)
    rule = compile_rule(0, spec)
    query = facts_query(workspace_id).order_by(Mention.created_at.desc(), Mention.id.desc()).limit(sample)
    facts = read_facts(session, workspace_id, query, with_brands=bool(spec.conditions.brand_ids))
    hits = [f for f in facts if matching([rule], f)]
    examples = [Example(f.mention_id, f.conversation_id, f.text) for f in hits[:PREVIEW_EXAMPLES]]
    return Preview(matched=len(hits), sampled=len(facts), examples=examples)


def recent_hits(session: Session, workspace_id: int, rule_id: int, *, limit: int = 10) -> list[RuleHit]:
    """The rule's latest firings (which mention, which conversation, when)."""
    query = (
        select(RuleHit)
        .where(RuleHit.workspace_id == workspace_id, RuleHit.rule_id == rule_id)
        .order_by(RuleHit.created_at.desc(), RuleHit.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def hit_texts(session: Session, workspace_id: int, hits: list[RuleHit]) -> dict[int, str]:
    """The text of the mentions these firings were on (mention id → text)."""
    ids = [hit.mention_id for hit in hits]
    if not ids:
        return {}
    query = select(Mention.id, Mention.text).where(Mention.workspace_id == workspace_id, Mention.id.in_(ids))
    return dict(session.execute(query).all())
