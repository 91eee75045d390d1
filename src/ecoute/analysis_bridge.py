"""Connects the analysis engine to the ingest path: items in, stored annotations out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecoute.ingest import Annotator
from ecoute.normalise import Item
from ecoute.settings import Settings
from ecoute.store.models import Workspace


@dataclass(slots=True)
class StoredAnnotation:
    """The columns ingest stores, plus the engine's details (probabilities, confidences) as JSON."""

    lang: str | None
    sentiment: str | None
    sentiment_score: float | None
    intent: str | None
    needs_reply: bool | None
    priority: int | None
    reasons: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    def details(self) -> dict[str, Any]:
        return self.extra


def workspace_model_dir(workspace: Workspace, settings: Settings | None = None) -> Path | None:
    """A workspace's own trained heads (``ecoute train --workspace``), when it has some."""
    folder = (settings or Settings()).data_dir / "models" / workspace.slug
    return folder if folder.is_dir() else None


def annotator(workspace: Workspace, settings: Settings | None = None) -> Annotator:
    from ecoute.analysis import AnalysisInput, get_analyzer

    analyzer = get_analyzer(workspace_model_dir(workspace, settings))
    policy = (workspace.settings or {}).get("praise_needs_reply")

    def annotate(items: Sequence[Item]) -> list[StoredAnnotation]:
        inputs = [
            AnalysisInput(
                text=item.text,
                author_followers=item.author_followers,
                author_verified=item.author_verified,
                likes=item.likes,
                shares=item.shares,
                replies=item.replies,
                created_at=item.created_at,
                platform=item.platform,
            )
            for item in items
        ]
        kwargs: dict[str, Any] = {"now": datetime.now(UTC), "locale": workspace.locale}
        if policy is not None:
            kwargs["praise_needs_reply"] = bool(policy)
        return [_stored(a) for a in analyzer.analyze(inputs, **kwargs)]

    return annotate


def _stored(annotation: Any) -> StoredAnnotation:
    extra = {
        key: getattr(annotation, key)
        for key in ("sentiment_probs", "intent_confidence", "intent_probs", "needs_reply_confidence")
        if hasattr(annotation, key)
    }
    return StoredAnnotation(
        lang=annotation.lang,
        sentiment=annotation.sentiment,
        sentiment_score=annotation.sentiment_score,
        intent=annotation.intent,
        needs_reply=annotation.needs_reply,
        priority=annotation.priority,
        reasons=list(annotation.reasons),
        extra=extra,
    )
