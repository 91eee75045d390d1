"""Rules: when a new mention matches a rule's conditions, act on its conversation.

Conditions (all must hold; a list means "any of"): intent, sentiment, language, keywords (a
listening query, the same language as brands' queries: ``remboursement OR "pas reçu" -concours``),
author reach (at least N followers, verified), platform, source, brand or competitor.
Actions: add a tag, assign to a member, set the priority, close as spam (status resolved, tag
``spam``, no reply needed: it leaves the reply queue and the response metrics; spam posted in
someone else's conversation is hidden instead, and their conversation stays as it was).

Rules are stored as JSON in the shape of the pydantic models below, so the API, the rules page and
the ingest path validate with the same models. They run in order: every matching rule fires;
when two set the same single value (assignee, priority), the first in order wins.
This module is the rule language (models, compiling, matching); ``rule_engine`` applies them on
ingest and ``rule_admin`` creates, edits and previews them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ecoute.listening import Document, QuerySyntaxError, parse
from ecoute.store.models import Author, Mention, MentionBrand
from ecoute.store.people import Rule
from ecoute.store.repo import Invalid
from ecoute.store.types import MAX_ID

logger = logging.getLogger(__name__)
SPAM_TAG = "spam"
MAX_PRIORITY = 100
Sentiment = Literal["negative", "neutral", "positive"]
Intent = Literal["complaint", "question", "praise", "other"]
LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}$", to_lower=True, strip_whitespace=True)
]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Platform = Annotated[
    str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True, to_lower=True)
]


class Conditions(BaseModel):
    """When the rule fires. Every condition given must hold; empty ones are ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    intent: list[Intent] = Field(default_factory=list, description="Any of these intents.")
    sentiment: list[Sentiment] = Field(default_factory=list, description="Any of these sentiments.")
    language: list[LanguageCode] = Field(
        default_factory=list, description="Any of these languages (ISO code)."
    )
    keywords: str = Field(
        "",
        max_length=2000,
        description='A listening query, e.g. `remboursement OR "pas reçu" -concours` (brands\' syntax).',
    )
    min_followers: int | None = Field(
        None, ge=0, le=MAX_ID, description="The author has at least this many followers."
    )
    verified: bool | None = Field(
        None, description="The author's account is (true) or is not (false) verified."
    )
    platforms: list[Platform] = Field(
        default_factory=list, description="Any of these platforms (x, reddit, …)."
    )
    source_ids: list[RowId] = Field(default_factory=list, description="Any of these sources (ids).")
    brand_ids: list[RowId] = Field(
        default_factory=list, description="About any of these brands or competitors."
    )

    @field_validator("keywords")
    @classmethod
    def _parses(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                parse(value)
            except QuerySyntaxError as error:
                raise ValueError(f"keywords: {error}") from None
        return value

    def is_empty(self) -> bool:
        return not any(
            (self.intent, self.sentiment, self.language, self.keywords, self.platforms, self.source_ids,
             self.brand_ids, self.min_followers is not None, self.verified is not None)
        )  # fmt: skip


def _type_is_required(schema: dict[str, Any]) -> None:
    """Clients must send ``type`` (it picks the kind of action), though Python code may omit it."""
    schema["required"] = ["type", *(name for name in schema.get("required", []) if name != "type")]


ACTION_CONFIG = ConfigDict(extra="forbid", strict=True, json_schema_extra=_type_is_required)


class TagAction(BaseModel):
    model_config = ACTION_CONFIG
    type: Literal["tag"] = "tag"
    tag: Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]


class AssignAction(BaseModel):
    model_config = ACTION_CONFIG
    type: Literal["assign"] = "assign"
    user_id: int = Field(
        ge=1,
        le=MAX_ID,
        description="A member of the workspace; conversations already assigned are left alone.",
    )


class PriorityAction(BaseModel):
    model_config = ACTION_CONFIG
    type: Literal["set_priority"] = "set_priority"
    priority: int = Field(ge=0, le=MAX_PRIORITY)


class SpamAction(BaseModel):
    """Close as spam: the spammer's conversation is resolved, tagged ``spam`` and needs no reply (a
    later message that asks something opens it again, and rules read it afresh). Spam posted in a
    conversation where others speak (a comment under a customer's video, a reply in their thread)
    is hidden instead, audited, and the conversation is read again without it. Nothing is deleted."""

    model_config = ACTION_CONFIG
    type: Literal["close_spam"] = "close_spam"


RuleAction = Annotated[TagAction | AssignAction | PriorityAction | SpamAction, Field(discriminator="type")]


class RuleSpec(BaseModel):
    """What a rule says: its name, whether it runs, when it fires and what it does."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    enabled: bool = True
    conditions: Conditions
    actions: list[RuleAction] = Field(min_length=1, max_length=10)

    @field_validator("conditions")
    @classmethod
    def _not_empty(cls, value: Conditions) -> Conditions:
        if value.is_empty():
            raise ValueError("give at least one condition (a rule on every mention is too easy to regret)")
        return value


def spec_of(rule: Rule) -> RuleSpec:
    return RuleSpec(name=rule.name, enabled=rule.enabled, conditions=rule.conditions, actions=rule.actions)


def validate_spec(data: object) -> RuleSpec:
    """A RuleSpec from untrusted data, or Invalid with one readable line per problem."""
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as error:
        raise Invalid(describe(error)) from None


def describe(error: ValidationError) -> str:
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


# --- matching ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules look at in one stored mention (one row read per mention, whatever the rules)."""

    mention_id: int
    conversation_id: int
    text: str
    lang: str | None
    sentiment: str | None
    intent: str | None
    platform: str
    source_id: int | None
    author: str | None
    followers: int | None
    verified: bool
    brand_ids: frozenset[int]

    def document(self) -> Document:
        return Document.of(self.text, lang=self.lang, author=self.author)


Check = Callable[[Facts, Callable[[], Document]], bool]


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    spec: RuleSpec
    checks: tuple[Check, ...]

    def matches(self, facts: Facts, document: Callable[[], Document]) -> bool:
        return all(check(facts, document) for check in self.checks)


def compile_rule(rule_id: int, spec: RuleSpec) -> CompiledRule:
    """The rule's conditions as a tuple of small checks, cheapest first; the listening query last."""
    c = spec.conditions
    checks: list[Check] = []

    def any_of(values: Sequence[object], get: Callable[[Facts], object]) -> None:
        if values:
            wanted = frozenset(values)
            checks.append(lambda f, _d: get(f) in wanted)

    any_of(c.intent, lambda f: f.intent)
    any_of(c.sentiment, lambda f: f.sentiment)
    any_of(c.language, lambda f: (f.lang or "").split("-")[0].lower())
    any_of(c.platforms, lambda f: f.platform)
    any_of(c.source_ids, lambda f: f.source_id)
    if c.min_followers is not None:
        least = c.min_followers
        checks.append(lambda f, _d: (f.followers or 0) >= least)
    if c.verified is not None:
        verified = c.verified
        checks.append(lambda f, _d: f.verified is verified)
    if c.brand_ids:
        brands = frozenset(c.brand_ids)
        checks.append(lambda f, _d: not brands.isdisjoint(f.brand_ids))
    if c.keywords:
        query = parse(c.keywords)
        checks.append(lambda _f, document: query.matches(document()))
    return CompiledRule(rule_id, spec.name, spec, tuple(checks))


def needs_brands(rules: Sequence[CompiledRule]) -> bool:
    return any(rule.spec.conditions.brand_ids for rule in rules)


def matching(rules: Sequence[CompiledRule], facts: Facts) -> list[CompiledRule]:
    """The rules (in order) that fire on this mention; its document is built at most once."""
    built: list[Document] = []

    def document() -> Document:
        if not built:
            built.append(facts.document())
        return built[0]

    return [rule for rule in rules if rule.matches(facts, document)]


# --- reading the facts ------------------------------------------------------------------------------


def facts_query(workspace_id: int) -> Select[tuple[object, ...]]:
    m = Mention
    return (
        select(m.id, m.conversation_id, m.text, m.lang, m.language, m.sentiment, m.intent, m.platform,
               m.source_id, Author.handle, Author.followers, Author.verified)
        .outerjoin(Author, Author.id == m.author_id)
        .where(m.workspace_id == workspace_id)
    )  # fmt: skip


def read_facts(
    session: Session, workspace_id: int, query: Select[tuple[object, ...]], *, with_brands: bool
) -> list[Facts]:
    rows = session.execute(query).all()
    brands: dict[int, set[int]] = {}
    if with_brands and rows:
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 500):
            links = session.execute(
                select(MentionBrand.mention_id, MentionBrand.brand_id).where(
                    MentionBrand.workspace_id == workspace_id,
                    MentionBrand.mention_id.in_(ids[start : start + 500]),
                )
            )
            for mention_id, brand_id in links:
                brands.setdefault(mention_id, set()).add(brand_id)
    return [
        Facts(
            mention_id=mid, conversation_id=cid, text=body, lang=lang or language, sentiment=sentiment,
            intent=intent, platform=platform, source_id=source_id, author=handle, followers=followers,
            verified=bool(verified), brand_ids=frozenset(brands.get(mid, ())),
        )
        for (mid, cid, body, lang, language, sentiment, intent, platform, source_id, handle, followers,
             verified) in rows
    ]  # fmt: skip


def load_compiled(session: Session, workspace_id: int, *, enabled_only: bool = True) -> list[CompiledRule]:
    """The workspace's rules, in order, compiled; a stored rule that no longer validates is skipped."""
    query = select(Rule).where(Rule.workspace_id == workspace_id)
    if enabled_only:
        query = query.where(Rule.enabled.is_(True))
    compiled = []
    for rule in session.scalars(query.order_by(Rule.position, Rule.id)):
        try:
            compiled.append(compile_rule(rule.id, spec_of(rule)))
        except (ValidationError, QuerySyntaxError):
            # Saved through validate_spec, so only a row edited by hand can get here.
            logger.warning("rules.invalid_rule_skipped", extra={"rule_id": rule.id})
    return compiled
