"""The feature vectors the heads read: sentence embeddings, lexicon scores and rule cues, in blocks.

A ``FeatureSpec`` names the blocks a stage reads, in order; it is saved with every trained
model, so a model is always fed the features it was trained on. Blocks are computed once per
batch and shared: the fast stage and the full stage both read the lexicon and cue blocks.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import cues, lexicon
from .encoders import ENCODER_DIMS, get_encoder
from .lexicon import get_lexicons
from .text import for_model, truncate

FEATURES_VERSION = 3
BLOCK_NAMES: dict[str, tuple[str, ...]] = {
    "e5": tuple(f"e5_{i}" for i in range(ENCODER_DIMS["e5"])),
    "use": tuple(f"use_{i}" for i in range(ENCODER_DIMS["use"])),
    "lexicon": lexicon.FEATURE_NAMES,
    "cues": cues.FEATURE_NAMES,
}
Blocks = dict[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    blocks: tuple[str, ...] = ("e5", "lexicon", "cues")
    version: int = FEATURES_VERSION

    def __post_init__(self) -> None:
        unknown = set(self.blocks) - set(BLOCK_NAMES)
        if unknown:
            raise ValueError(f"unknown feature block(s): {', '.join(sorted(unknown))}")

    @property
    def dim(self) -> int:
        return sum(len(BLOCK_NAMES[block]) for block in self.blocks)

    def names(self) -> list[str]:
        return [name for block in self.blocks for name in BLOCK_NAMES[block]]

    def assemble(self, blocks: Blocks, rows: np.ndarray | None = None) -> np.ndarray:
        """The stage's matrix from computed blocks (optionally only some rows of each)."""
        parts = [blocks[name] if rows is None else blocks[name][rows] for name in self.blocks]
        return np.hstack(parts).astype(np.float32, copy=False)

    def to_json(self) -> dict[str, object]:
        return {"blocks": list(self.blocks), "version": self.version}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FeatureSpec:
        version = data.get("version")
        if version != FEATURES_VERSION:
            raise ValueError(
                f"model features are version {version}; this Écoute reads version {FEATURES_VERSION}"
            )
        return cls(blocks=tuple(data["blocks"]))  # type: ignore[arg-type]


@dataclass
class Timings:
    """Seconds spent per step (wall clock, and this process's CPU), summed: the speed breakdown.

    Safe to share between threads (each has its own start). The CPU time is the whole
    process's, so it is exact per step only when the steps do not overlap: the analyzer's
    breakdown is measured with its pipeline off (see ``Analyzer``).
    """

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _started: threading.local = field(default_factory=threading.local, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> float:
        self._started.cpu = time.process_time()
        return time.perf_counter()

    def add(self, step: str, started: float) -> None:
        wall = time.perf_counter() - started
        cpu_started = getattr(self._started, "cpu", None)
        self._started.cpu = None
        with self._lock:
            self.seconds[step] += wall
            if cpu_started is not None:
                self.cpu_seconds[step] += time.process_time() - cpu_started


class FeatureExtractor:
    """Computes named blocks for a batch of raw texts; encoders load on first use."""

    def __init__(self, timings: Timings | None = None):
        self.timings = timings or Timings()

    def compute(
        self, texts: Sequence[str], langs: Sequence[str], blocks: Iterable[str], known: Blocks | None = None
    ) -> Blocks:
        """The requested blocks for these texts; those already in ``known`` are not recomputed."""
        out: Blocks = dict(known or {})
        wanted = [block for block in blocks if block not in out]
        if not wanted:
            return out
        started = self.timings.start()
        model_texts = [truncate(for_model(text)) for text in texts]
        self.timings.add("normalise", started)
        for block in wanted:
            started = self.timings.start()
            out[block] = self._block(block, texts, model_texts, langs)
            self.timings.add(f"embedding ({block})" if block in ENCODER_DIMS else block, started)
        return out

    def extract(self, spec: FeatureSpec, texts: Sequence[str], langs: Sequence[str]) -> np.ndarray:
        return spec.assemble(self.compute(texts, langs, spec.blocks))

    @staticmethod
    def _block(block: str, texts: Sequence[str], model_texts: list[str], langs: Sequence[str]) -> np.ndarray:
        if block in ENCODER_DIMS:
            return get_encoder(block).encode(model_texts)
        if block == "lexicon":
            lexicons = get_lexicons()
            rows = [lexicons.features(text, lang) for text, lang in zip(model_texts, langs, strict=True)]
        else:
            rows = [cues.cue_features(text) for text in texts]
        width = len(BLOCK_NAMES[block])
        return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, width), dtype=np.float32)
