"""Embeddings of training texts kept between runs of ``ecoute train``, keyed by text hash.

Retraining a workspace after a few agent corrections should not re-embed thousands of posts
it has already seen. One ``.npz`` per embedding block (no pickle), named after the encoder
package's version and the text normal form, so an upgrade never mixes old and new vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .encoders import ENCODER_DIMS, versions
from .features import Blocks
from .text import NORMAL_FORM_VERSION, text_hash

CACHED_BLOCKS = tuple(ENCODER_DIMS)


class FeatureCache:
    def __init__(self, folder: Path):
        self.folder = folder
        self._versions = versions()
        self._rows: dict[str, dict[str, np.ndarray]] = {}
        self._dirty: set[str] = set()

    def _path(self, block: str) -> Path:
        return self.folder / f"{block}-{self._versions[block]}-n{NORMAL_FORM_VERSION}.npz"

    def _table(self, block: str) -> dict[str, np.ndarray]:
        if block not in self._rows:
            table: dict[str, np.ndarray] = {}
            path = self._path(block)
            if path.is_file():
                with np.load(path, allow_pickle=False) as stored:
                    table = dict(zip(stored["keys"].tolist(), stored["rows"], strict=True))
            self._rows[block] = table
        return self._rows[block]

    def lookup(self, texts: Sequence[str], blocks: Sequence[str]) -> Blocks:
        """Blocks whose every row is cached for these texts."""
        keys = [text_hash(text) for text in texts]
        found: Blocks = {}
        for block in blocks:
            if block not in CACHED_BLOCKS:
                continue
            table = self._table(block)
            if all(key in table for key in keys):
                found[block] = (
                    np.vstack([table[key] for key in keys]) if keys else np.zeros((0, ENCODER_DIMS[block]))
                )
        return found

    def store(self, texts: Sequence[str], blocks: Blocks) -> None:
        keys = [text_hash(text) for text in texts]
        for block, rows in blocks.items():
            if block in CACHED_BLOCKS:
                self._table(block).update(zip(keys, rows, strict=True))
                self._dirty.add(block)

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for block in sorted(self._dirty):
            table = self._rows[block]
            keys = np.array(list(table), dtype="U32")
            rows = (
                np.vstack(list(table.values())).astype(np.float32)
                if table
                else np.zeros((0, ENCODER_DIMS[block]))
            )
            path = self._path(block)
            partial = path.with_name(path.name + ".partial")
            with partial.open("wb") as handle:  # then rename: a crash never leaves half a cache
                np.savez(handle, keys=keys, rows=rows)
            partial.replace(path)
        self._dirty.clear()
