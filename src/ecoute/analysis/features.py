"""The feature vector the heads read: sentence embeddings + lexicon scores + rule cues.

A ``FeatureSpec`` is saved with every trained model, so a model is always fed the features it
was trained on, whatever the defaults of the day.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import cues, lexicon
from .encoders import ENCODER_DIMS, get_encoder
from .lexicon import get_lexicons
from .text import for_model, truncate

FEATURES_VERSION = 1


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    encoders: tuple[str, ...] = ("e5",)
    lexicon: bool = True
    cues: bool = True
    version: int = FEATURES_VERSION

    @property
    def dim(self) -> int:
        return len(self.names())

    def names(self) -> list[str]:
        names = [f"{name}_{i}" for name in self.encoders for i in range(ENCODER_DIMS[name])]
        names += list(lexicon.FEATURE_NAMES) if self.lexicon else []
        names += list(cues.FEATURE_NAMES) if self.cues else []
        return names

    def to_json(self) -> dict[str, object]:
        return {
            "encoders": list(self.encoders),
            "lexicon": self.lexicon,
            "cues": self.cues,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FeatureSpec:
        version = int(data.get("version", FEATURES_VERSION))  # type: ignore[call-overload]
        if version != FEATURES_VERSION:
            raise ValueError(
                f"model features are version {version}; this Écoute reads version {FEATURES_VERSION}"
            )
        return cls(
            encoders=tuple(data.get("encoders", ())),  # type: ignore[arg-type]
            lexicon=bool(data.get("lexicon", True)),
            cues=bool(data.get("cues", True)),
        )


@dataclass
class Timings:
    """Seconds spent per stage, summed over calls: the speed benchmark's breakdown."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, stage: str, started: float) -> None:
        self.seconds[stage] += time.perf_counter() - started


class FeatureExtractor:
    def __init__(self, spec: FeatureSpec, timings: Timings | None = None):
        self.spec = spec
        self.timings = timings or Timings()
        self._encoders = [get_encoder(name) for name in spec.encoders]
        self._lexicons = get_lexicons() if spec.lexicon else None

    def extract(self, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        """One row per text; ``langs`` picks the lexicon that applies (VADER or textblob-fr)."""
        started = time.perf_counter()
        model_texts = [truncate(for_model(text)) for text in texts]
        self.timings.add("normalise", started)
        blocks = []
        for encoder in self._encoders:
            started = time.perf_counter()
            blocks.append(encoder.encode(model_texts))
            self.timings.add(f"embedding ({encoder.name})", started)
        if self._lexicons is not None:
            started = time.perf_counter()
            blocks.append(
                self._stack(
                    [self._lexicons.features(t, lang) for t, lang in zip(model_texts, langs, strict=True)],
                    len(lexicon.FEATURE_NAMES),
                )
            )
            self.timings.add("lexicons", started)
        if self.spec.cues:
            started = time.perf_counter()
            blocks.append(self._stack([cues.cue_features(text) for text in texts], len(cues.FEATURE_NAMES)))
            self.timings.add("cues", started)
        return np.hstack(blocks).astype(np.float32) if blocks else np.zeros((len(texts), 0), np.float32)

    @staticmethod
    def _stack(rows: list[np.ndarray], width: int) -> np.ndarray:
        return np.vstack(rows) if rows else np.zeros((0, width), dtype=np.float32)
