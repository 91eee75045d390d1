"""``/api/v1/rules``: the workspace's rules, in the order they run, with how often each fired.

Reading needs ``view``; creating, editing, reordering, deleting and previewing need
``manage_rules``. Every change is audited (``rule.create``, ``rule.update``, ``rule.enable``,
``rule.disable``, ``rule.reorder``, ``rule.delete``). The body of a rule is the same model the
rules page and the ingest path validate with (``ecoute.inbox.rules.RuleSpec``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from ecoute.auth.permissions import Action
from ecoute.inbox import rule_admin
from ecoute.inbox.rules import Conditions, RuleAction, RuleSpec, spec_of, validate_spec
from ecoute.store.people import Rule
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.schemas import MAX_ID, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require

router = APIRouter(prefix="/api/v1/rules", tags=["rules"], dependencies=BEARER)
Reader = Annotated[WorkspaceContext, api_require(Action.VIEW)]
Manager = Annotated[WorkspaceContext, api_require(Action.MANAGE_RULES)]


class RuleOut(BaseModel):
    id: int
    name: str
    enabled: bool
    position: int = Field(description="Rules run in this order, lowest first.")
    conditions: Conditions
    actions: list[RuleAction]
    hits: int = Field(description="How many mentions the rule fired on.")
    last_hit_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, rule: Rule) -> RuleOut:
        spec = spec_of(rule)
        return cls(
            id=rule.id,
            name=spec.name,
            enabled=spec.enabled,
            position=rule.position,
            conditions=spec.conditions,
            actions=spec.actions,
            hits=rule.hits,
            last_hit_at=rule.last_hit_at,
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )


class RuleList(BaseModel):
    items: list[RuleOut] = Field(description=f"Every rule, in order (at most {rule_admin.MAX_RULES}).")


class RulePatch(BaseModel):
    """Only the fields given change; the result must still be a valid rule."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = None
    enabled: bool | None = None
    conditions: Conditions | None = None
    actions: list[RuleAction] | None = None


class RuleOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        max_length=rule_admin.MAX_RULES, description="Every rule's id, once each, in the new order."
    )


class ExampleOut(BaseModel):
    mention_id: int
    conversation_id: int
    text: str


class PreviewOut(BaseModel):
    matched: int = Field(description="How many of the sampled mentions the rule matches.")
    sampled: int = Field(description="How many of the latest mentions were tested.")
    examples: list[ExampleOut]


class HitOut(BaseModel):
    mention_id: int
    conversation_id: int | None
    created_at: datetime


class HitList(BaseModel):
    items: list[HitOut]


@router.get("", response_model=RuleList, responses=errors(403))
def list_rules(session: DbSession, ctx: Reader) -> RuleList:
    """The rules in the order they run, with how often each fired."""
    return RuleList(items=[RuleOut.of(r) for r in rule_admin.list_rules(session, ctx.workspace.id)])


@router.post("", status_code=201, response_model=RuleOut, responses=errors(403))
def create_rule(session: DbSession, body: RuleSpec, ctx: Manager) -> RuleOut:
    """Add a rule; it runs after the existing ones. 422 names the field at fault."""
    user_id = ctx.user.id if ctx.user else None
    return RuleOut.of(
        rule_admin.create_rule(session, ctx.workspace.id, body, actor=ctx.actor, user_id=user_id)
    )


@router.post("/preview", response_model=PreviewOut, responses=errors(403))
def preview_rule(session: DbSession, body: RuleSpec, ctx: Manager) -> PreviewOut:
    """What the rule would have matched among the workspace's latest 500 mentions; nothing changes."""
    found = rule_admin.preview(session, ctx.workspace.id, body)
    examples = [
        ExampleOut(mention_id=e.mention_id, conversation_id=e.conversation_id, text=e.text)
        for e in found.examples
    ]
    return PreviewOut(matched=found.matched, sampled=found.sampled, examples=examples)


@router.put("/order", response_model=RuleList, responses=errors(403))
def reorder_rules(session: DbSession, body: RuleOrder, ctx: Manager) -> RuleList:
    """Set the order the rules run in (every rule's id, once)."""
    rules = rule_admin.reorder(session, ctx.workspace.id, body.ids, actor=ctx.actor)
    return RuleList(items=[RuleOut.of(r) for r in rules])


@router.get("/{rule_id}", response_model=RuleOut, responses=errors(403, 404))
def get_rule(session: DbSession, rule_id: Id, ctx: Reader) -> RuleOut:
    return RuleOut.of(rule_admin.get_rule(session, ctx.workspace.id, rule_id))


@router.patch("/{rule_id}", response_model=RuleOut, responses=errors(403, 404))
def update_rule(session: DbSession, rule_id: Id, body: RulePatch, ctx: Manager) -> RuleOut:
    """Change a rule (e.g. ``{"enabled": false}``); hits already counted stay."""
    rule = rule_admin.get_rule(session, ctx.workspace.id, rule_id)
    merged = {**spec_of(rule).model_dump(), **body.model_dump(exclude_unset=True)}
    if body.model_fields_set == {"enabled"} and body.enabled is not None:
        rule = rule_admin.set_enabled(session, ctx.workspace.id, rule_id, body.enabled, actor=ctx.actor)
    else:
        rule = rule_admin.update_rule(
            session, ctx.workspace.id, rule_id, validate_spec(merged), actor=ctx.actor
        )
    return RuleOut.of(rule)


@router.delete("/{rule_id}", status_code=204, response_class=Response, responses=errors(403, 404))
def delete_rule(session: DbSession, rule_id: Id, ctx: Manager) -> Response:
    """Delete a rule; what it already did to conversations stays."""
    rule_admin.delete_rule(session, ctx.workspace.id, rule_id, actor=ctx.actor)
    return Response(status_code=204)


@router.get("/{rule_id}/hits", response_model=HitList, responses=errors(403, 404))
def rule_hits(
    session: DbSession,
    rule_id: Id,
    ctx: Reader,
    limit: Annotated[int, Query(ge=1, le=200, description="How many, newest first.")] = 20,
) -> HitList:
    """The rule's latest firings: on which mention, in which conversation, when."""
    rule = rule_admin.get_rule(session, ctx.workspace.id, rule_id)
    hits = rule_admin.recent_hits(session, ctx.workspace.id, rule.id, limit=limit)
    return HitList(
        items=[
            HitOut(mention_id=h.mention_id, conversation_id=h.conversation_id, created_at=h.created_at)
            for h in hits
        ]
    )
