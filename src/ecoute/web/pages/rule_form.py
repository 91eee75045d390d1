"""The rule form of the rules page: form fields to a rule (validated by the rules' own models) and
a rule back to the values the form shows, plus what the form offers to choose from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.inbox.rules import AssignAction, PriorityAction, RuleSpec, SpamAction, TagAction, validate_spec
from ecoute.store import repo
from ecoute.store.models import Brand, Membership, Source, Tag, User
from ecoute.store.repo import Invalid
from ecoute.web.pages.inbox_support import PLATFORMS

INTENTS = ("complaint", "question", "praise", "other")
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass
class RuleForm:
    """What the form shows; every value as typed, so a refused form comes back as it was sent."""

    name: str = ""
    enabled: bool = True
    intent: list[str] = field(default_factory=list)
    sentiment: list[str] = field(default_factory=list)
    language: str = ""
    keywords: str = ""
    min_followers: str = ""
    verified: str = ""  # "", "yes" or "no"
    platforms: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    brand_ids: list[str] = field(default_factory=list)
    tags: str = ""
    assignee: str = ""
    priority: str = ""
    spam: bool = False

    def to_spec(self) -> RuleSpec:
        """The rule this form describes, or Invalid saying what to fix."""
        actions: list[dict[str, Any]] = [{"type": "tag", "tag": tag} for tag in _split(self.tags)]
        if self.assignee:
            actions.append({"type": "assign", "user_id": _number("assignee", self.assignee)})
        if self.priority.strip():
            actions.append({"type": "set_priority", "priority": _number("priority", self.priority)})
        if self.spam:
            actions.append({"type": "close_spam"})
        conditions = {
            "intent": self.intent,
            "sentiment": self.sentiment,
            "language": _split(self.language),
            "keywords": self.keywords,
            "min_followers": _number("min_followers", self.min_followers)
            if self.min_followers.strip()
            else None,
            "verified": {"yes": True, "no": False}.get(self.verified),
            "platforms": self.platforms,
            "source_ids": [_number("source", v) for v in self.source_ids],
            "brand_ids": [_number("brand", v) for v in self.brand_ids],
        }
        return validate_spec(
            {"name": self.name, "enabled": self.enabled, "conditions": conditions, "actions": actions}
        )

    @classmethod
    def of(cls, spec: RuleSpec) -> RuleForm:
        c = spec.conditions
        form = cls(
            name=spec.name,
            enabled=spec.enabled,
            intent=list(c.intent),
            sentiment=list(c.sentiment),
            language=", ".join(c.language),
            keywords=c.keywords,
            min_followers="" if c.min_followers is None else str(c.min_followers),
            verified={True: "yes", False: "no"}.get(c.verified, ""),
            platforms=list(c.platforms),
            source_ids=[str(i) for i in c.source_ids],
            brand_ids=[str(i) for i in c.brand_ids],
        )
        for action in spec.actions:
            if isinstance(action, TagAction):
                form.tags = ", ".join(filter(None, (form.tags, action.tag)))
            elif isinstance(action, AssignAction):
                form.assignee = str(action.user_id)
            elif isinstance(action, PriorityAction):
                form.priority = str(action.priority)
            elif isinstance(action, SpamAction):
                form.spam = True
        return form


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _number(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise Invalid(f"{name}: {value!r} is not a whole number") from None


@dataclass(frozen=True)
class Choices:
    """What the form lets an admin pick from: this workspace's own brands, sources, members, tags."""

    intents: tuple[str, ...]
    sentiments: tuple[str, ...]
    platforms: tuple[str, ...]
    brands: list[tuple[int, str, bool]]  # id, name, is a competitor
    sources: list[tuple[int, str]]
    members: list[tuple[int, str]]
    tags: list[str]


def choices(session: Session, workspace_id: int) -> Choices:
    brands = [(b.id, b.name, b.is_competitor) for b in repo.list_brands(session, workspace_id)]
    sources = list(
        session.execute(
            select(Source.id, Source.name).where(Source.workspace_id == workspace_id).order_by(Source.name)
        )
    )
    members = list(
        session.execute(
            select(User.id, User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id)
            .order_by(User.name)
        )
    )
    tags = list(session.scalars(select(Tag.name).where(Tag.workspace_id == workspace_id).order_by(Tag.name)))
    platforms = tuple(dict.fromkeys((*PLATFORMS, *(p for p in _source_platforms(session, workspace_id)))))
    return Choices(
        INTENTS, SENTIMENTS, platforms, brands, [tuple(s) for s in sources], [tuple(m) for m in members], tags
    )  # type: ignore[misc]


def _source_platforms(session: Session, workspace_id: int) -> list[str]:
    query = select(Source.platform).where(Source.workspace_id == workspace_id).distinct()
    return sorted(p for p in session.scalars(query) if p and p != "file")


def brand_names(session: Session, workspace_id: int) -> dict[int, str]:
    return dict(session.execute(select(Brand.id, Brand.name).where(Brand.workspace_id == workspace_id)).all())
