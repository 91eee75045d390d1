"""The vectors topics are found in: e5 and the multilingual USE side by side, each unit-length.

The analysis reads every post with USE (its fast stage) and some with e5 (its full stage).
Measured on four labelled sets (docs/benchmarks.md), the two together group posts better than
either alone, and French as well as English, where e5 alone trails by 0.06 in V-measure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ENCODERS = ("e5", "use")
BATCH = 64


def embed(texts: Sequence[str]) -> np.ndarray:
    """The topic vectors of ``texts``, one row each (384 + 512 dimensions)."""
    from ecoute.analysis.encoders import get_encoder

    parts = []
    for name in ENCODERS:
        encoder = get_encoder(name)
        batches = [
            encoder.encode(list(texts[start : start + BATCH])) for start in range(0, len(texts), BATCH)
        ]
        parts.append(np.vstack(batches) if batches else np.zeros((0, encoder.dim), dtype=np.float32))
    return combine(*parts)


def combine(*blocks: np.ndarray) -> np.ndarray:
    """Blocks of vectors for the same posts, each row-normalised, side by side (so each counts alike)."""
    return np.hstack(
        [block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12) for block in blocks]
    )
