"""Trained heads: small linear softmax classifiers stored as ``.npz`` + ``model.json``, run with numpy.

No pickle anywhere: a model folder holds arrays and a readable JSON (label order, feature spec,
training-data fingerprint, scores), so loading one never executes code and costs milliseconds.

A model has a *full* stage (e5 embedding + lexicons + cues) and may have a *fast* stage
(USE embedding + lexicons + cues, about ten times cheaper). With both, a post is read by the
fast stage first and goes on to the full stage only when the fast one is unsure (see
``Routing``): the expensive embedding is spent where it changes the answer, which is what
keeps the analyzer above 100 posts/s on two cores (docs/benchmarks.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import FeatureSpec

MODEL_FORMAT = 2
HEAD_NAMES: tuple[str, ...] = ("sentiment", "intent", "needs_reply")
STAGE_NAMES: tuple[str, ...] = ("fast", "full")
WEIGHTS_FILE = "heads.npz"
META_FILE = "model.json"
REPLY_LABELS: tuple[str, ...] = ("no", "yes")


@dataclass(frozen=True)
class LinearHead:
    """softmax(standardised features @ weights + bias) over ``labels``."""

    labels: tuple[str, ...]
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, standardised: np.ndarray) -> np.ndarray:
        logits = standardised @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


@dataclass
class Stage:
    """Heads that read one feature spec, with the standardisation learnt in training."""

    spec: FeatureSpec
    mean: np.ndarray
    scale: np.ndarray
    heads: dict[str, LinearHead]

    def predict(self, features: np.ndarray) -> dict[str, np.ndarray]:
        standardised = (features - self.mean) / self.scale
        return {name: head.probabilities(standardised) for name, head in self.heads.items()}

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {
            f"{prefix}.mean": self.mean.astype(np.float32),
            f"{prefix}.scale": self.scale.astype(np.float32),
        }
        for name, head in self.heads.items():
            out[f"{prefix}.{name}.weights"] = head.weights.astype(np.float32)
            out[f"{prefix}.{name}.bias"] = head.bias.astype(np.float32)
        return out

    @classmethod
    def from_arrays(cls, prefix: str, meta: dict[str, object], arrays: np.lib.npyio.NpzFile) -> Stage:
        spec = FeatureSpec.from_json(meta["features"])  # type: ignore[arg-type]
        labels: dict[str, list[str]] = meta["labels"]  # type: ignore[assignment]
        heads = {
            name: LinearHead(
                tuple(labels[name]), arrays[f"{prefix}.{name}.weights"], arrays[f"{prefix}.{name}.bias"]
            )
            for name in HEAD_NAMES
        }
        stage = cls(spec, arrays[f"{prefix}.mean"], arrays[f"{prefix}.scale"], heads)
        if stage.mean.shape[0] != spec.dim:
            raise ValueError(
                f"{prefix} stage: {stage.mean.shape[0]} features stored, its spec says {spec.dim}"
            )
        return stage


@dataclass(frozen=True)
class Routing:
    """When the fast stage hands a post to the full one.

    Its sentiment is unsure (top probability below ``sentiment_below``), or it cannot tell
    whether the post is a complaint (probability of complaint between the two bounds, read as
    the intent is decided: weighed by how well the sentiment fits, see ``Compatibility``; a
    sure thank-you is not handed over for a complaint it cannot be): that decision sets the
    priority and the kind of answer, so it gets the better model.
    """

    sentiment_below: float = 0.6
    complaint_between: tuple[float, float] = (0.3, 0.7)

    def to_json(self) -> dict[str, object]:
        return {"sentiment_below": self.sentiment_below, "complaint_between": list(self.complaint_between)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Routing:
        low, high = data["complaint_between"]  # type: ignore[misc]
        return cls(float(data["sentiment_below"]), (float(low), float(high)))  # type: ignore[arg-type]

    @classmethod
    def always(cls) -> Routing:
        """Every post goes to the full stage: best quality, about 40 % slower."""
        return cls(2.0, (-1.0, 2.0))

    def needs_full(self, sentiment: np.ndarray, complaint: np.ndarray) -> np.ndarray:
        """Rows to hand over, from the fast stage's sentiment probabilities and its probability
        of a complaint (as the intent is decided: weighed by the sentiment, see Compatibility)."""
        low, high = self.complaint_between
        return (sentiment.max(axis=1) < self.sentiment_below) | ((complaint > low) & (complaint < high))


@dataclass(frozen=True)
class Compatibility:
    """Which intents go with which sentiment, as the training data labels them.

    The heads are separate classifiers and can disagree: "praise" read from a post whose
    sentiment is negative ("Love when you hang up on me!"), "complaint" from a post that
    is all thanks. In the bundled data a complaint is never positive and praise never
    negative (a negative question is a complaint, see dataset.taxonomy). Each intent is
    therefore weighed by the probability that the sentiment goes with it:
    P(intent) × P(a sentiment allowed with that intent). ``allowed`` maps a sentiment to its
    intents; a sentiment missing from it allows any, and an empty map changes nothing.
    """

    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, list[str]]:
        return {sentiment: list(intents) for sentiment, intents in self.allowed.items()}

    @classmethod
    def from_json(cls, data: dict[str, list[str]]) -> Compatibility:
        return cls({sentiment: tuple(intents) for sentiment, intents in data.items()})

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str | None, str | None]]) -> Compatibility:
        """Every (sentiment, intent) pair seen at least once in labelled examples."""
        allowed: dict[str, set[str]] = {}
        for sentiment, intent in pairs:
            if sentiment is not None and intent is not None:
                allowed.setdefault(sentiment, set()).add(intent)
        return cls({sentiment: tuple(sorted(intents)) for sentiment, intents in sorted(allowed.items())})

    def weigh(
        self,
        sentiment_probs: np.ndarray,
        intent_probs: np.ndarray,
        sentiment_labels: tuple[str, ...],
        intent_labels: tuple[str, ...],
    ) -> np.ndarray:
        """Intent probabilities weighed by the fit of the sentiment, normalised per row."""
        fits = np.ones((len(sentiment_labels), len(intent_labels)), dtype=np.float32)
        for row, sentiment in enumerate(sentiment_labels):
            if sentiment in self.allowed:
                fits[row] = [intent in self.allowed[sentiment] for intent in intent_labels]
        fits[:, ~fits.any(axis=0)] = 1.0  # an intent no sentiment allows: not constrained
        weighed = intent_probs * (sentiment_probs @ fits)
        return weighed / np.maximum(weighed.sum(axis=1, keepdims=True), 1e-12)


@dataclass
class Model:
    """The heads of one workspace (or the shipped default) and what they were trained on."""

    full: Stage
    fast: Stage | None = None
    routing: Routing = field(default_factory=Routing)
    meta: dict[str, object] = field(default_factory=dict)
    compatibility: Compatibility = field(default_factory=Compatibility)

    def weighed_intents(self, probabilities: dict[str, np.ndarray]) -> np.ndarray:
        """Intent probabilities as the decision reads them, weighed by the sentiment's fit."""
        heads = self.full.heads
        return self.compatibility.weigh(
            probabilities["sentiment"],
            probabilities["intent"],
            heads["sentiment"].labels,
            heads["intent"].labels,
        )

    def decide_intents(self, probabilities: dict[str, np.ndarray]) -> np.ndarray:
        """The intent index of each row, consistent with its sentiment (see ``Compatibility``)."""
        return self.weighed_intents(probabilities).argmax(axis=1)

    @property
    def stages(self) -> dict[str, Stage]:
        return {
            name: stage for name, stage in (("fast", self.fast), ("full", self.full)) if stage is not None
        }

    def needs_full(
        self, fast_probabilities: dict[str, np.ndarray], routing: Routing | None = None
    ) -> np.ndarray:
        """Rows the fast stage is unsure about (under ``routing``, the model's own by default)."""
        column = self.full.heads["intent"].labels.index("complaint")
        complaint = self.weighed_intents(fast_probabilities)[:, column]
        return (routing or self.routing).needs_full(fast_probabilities["sentiment"], complaint)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        stages_meta = {}
        for name, stage in self.stages.items():
            arrays.update(stage.arrays(name))
            stages_meta[name] = {
                "features": stage.spec.to_json(),
                "labels": {head: list(h.labels) for head, h in stage.heads.items()},
            }
        np.savez_compressed(folder / WEIGHTS_FILE, **arrays)
        meta = {
            **self.meta,
            "format": MODEL_FORMAT,
            "stages": stages_meta,
            "routing": self.routing.to_json(),
            "compatibility": self.compatibility.to_json(),
        }
        (folder / META_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> Model:
        meta_path, weights_path = folder / META_FILE, folder / WEIGHTS_FILE
        if not meta_path.is_file() or not weights_path.is_file():
            raise FileNotFoundError(f"no trained model in {folder} (expected {META_FILE} and {WEIGHTS_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != MODEL_FORMAT:
            raise ValueError(
                f"{meta_path}: model format {meta.get('format')!r}; retrain it with `ecoute train`"
            )
        try:
            with np.load(weights_path, allow_pickle=False) as arrays:
                stages = {
                    name: Stage.from_arrays(name, info, arrays) for name, info in meta["stages"].items()
                }
        except KeyError as exc:
            raise ValueError(f"{folder}: incomplete model, missing {exc}") from None
        if "full" not in stages:
            raise ValueError(f"{meta_path}: no full stage")
        routing = Routing.from_json(meta["routing"]) if "routing" in meta else Routing()
        # Heads saved before compatibility was recorded take their intent as it comes.
        compatibility = Compatibility.from_json(meta.get("compatibility") or {})
        return cls(stages["full"], stages.get("fast"), routing, meta, compatibility)
