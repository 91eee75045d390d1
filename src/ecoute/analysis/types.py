"""The analysis engine's inputs and outputs: what it is asked about a post and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
INTENTS: tuple[str, ...] = ("complaint", "question", "praise", "other")


@dataclass(frozen=True, slots=True)
class AnalysisInput:
    """One post to understand, with the context that sets its priority (reach, age)."""

    text: str
    author_followers: int | None = None
    author_verified: bool = False
    likes: int = 0
    shares: int = 0
    replies: int = 0
    created_at: datetime | None = None
    platform: str | None = None
    # True: it @mentions or replies to the brand; False: it only talks about it; None: unknown.
    addressed_to_brand: bool | None = None


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """What the models say about a text alone; cached by text hash, shared by duplicates."""

    lang: str
    lang_confidence: float
    sentiment: str
    sentiment_score: float
    sentiment_probs: dict[str, float]
    intent: str
    intent_confidence: float
    intent_probs: dict[str, float]
    reply_probability: float
    keywords: tuple[str, ...] = ()


@dataclass(slots=True)
class Annotation:
    """Everything Écoute understood about one post, ready to store or show."""

    lang: str
    sentiment: str
    sentiment_score: float
    sentiment_probs: dict[str, float]
    intent: str
    intent_confidence: float
    intent_probs: dict[str, float]
    needs_reply: bool
    needs_reply_confidence: float
    priority: int
    reasons: list[str] = field(default_factory=list)
    # Urgent words found in the text ("refund", "avocat"...), in canonical form; priority uses them.
    keywords: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "lang": self.lang,
            "sentiment": self.sentiment,
            "sentiment_score": round(self.sentiment_score, 4),
            "sentiment_probs": {k: round(v, 4) for k, v in self.sentiment_probs.items()},
            "intent": self.intent,
            "intent_confidence": round(self.intent_confidence, 4),
            "intent_probs": {k: round(v, 4) for k, v in self.intent_probs.items()},
            "needs_reply": self.needs_reply,
            "needs_reply_confidence": round(self.needs_reply_confidence, 4),
            "priority": self.priority,
            "reasons": list(self.reasons),
            "keywords": list(self.keywords),
        }


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A post with the labels a person gave it: bundled training data, a workspace file, a correction.

    Any label may be missing (an agent may correct only the intent); each head trains on the
    examples that carry its label. ``weight`` lets recent corrections count more than old data.
    """

    text: str
    lang: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    needs_reply: bool | None = None
    weight: float = 1.0
