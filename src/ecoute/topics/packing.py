"""A post's topic vector in a few hundred bytes: int8 components and one float32 scale.

896 float32 components would take 3,584 bytes a post; int8 takes 900, and the cosine between a
vector and its packed copy stays above 0.999 (the components of a unit vector are small and
evenly spread, so 255 levels over its largest one lose little).
"""

from __future__ import annotations

import numpy as np

_SCALE = np.dtype("<f4")


def pack(vector: np.ndarray) -> bytes:
    """``vector`` as bytes: its scale (largest absolute component / 127) then int8 components."""
    vector = np.asarray(vector, dtype=np.float32)
    scale = float(np.abs(vector).max()) / 127.0 if vector.size else 0.0
    levels = np.round(vector / scale) if scale > 0 else np.zeros_like(vector)
    return np.float32(scale).astype(_SCALE).tobytes() + levels.astype(np.int8).tobytes()


def unpack(data: bytes) -> np.ndarray:
    """The float32 vector that ``pack`` wrote."""
    if len(data) < _SCALE.itemsize:
        raise ValueError(f"a packed vector has at least {_SCALE.itemsize} bytes, not {len(data)}")
    scale = np.frombuffer(data[: _SCALE.itemsize], dtype=_SCALE)[0]
    return np.frombuffer(data[_SCALE.itemsize :], dtype=np.int8).astype(np.float32) * scale


def unpack_many(rows: list[bytes]) -> np.ndarray:
    """Packed vectors of one length as a matrix, one row each."""
    return np.vstack([unpack(row) for row in rows]) if rows else np.zeros((0, 0), dtype=np.float32)
