"""Trained heads: small linear softmax classifiers stored as ``.npz`` + ``model.json``, run with numpy.

No pickle anywhere: a model folder holds arrays and a readable JSON (label order, feature spec,
training-data fingerprint, scores), so loading one never executes code and costs milliseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import FeatureSpec

MODEL_FORMAT = 1
HEAD_NAMES: tuple[str, ...] = ("sentiment", "intent", "needs_reply")
WEIGHTS_FILE = "heads.npz"
META_FILE = "model.json"
REPLY_LABELS: tuple[str, ...] = ("no", "yes")


@dataclass(frozen=True)
class LinearHead:
    """softmax(((x - mean) / scale) @ weights + bias) over ``labels``."""

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
class Model:
    """The three heads of one workspace (or the shipped default) and what they were trained on."""

    spec: FeatureSpec
    mean: np.ndarray
    scale: np.ndarray
    heads: dict[str, LinearHead]
    meta: dict[str, object] = field(default_factory=dict)

    def standardise(self, features: np.ndarray) -> np.ndarray:
        return (features - self.mean) / self.scale

    def predict(self, features: np.ndarray) -> dict[str, np.ndarray]:
        standardised = self.standardise(features)
        return {name: head.probabilities(standardised) for name, head in self.heads.items()}

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {"mean": self.mean.astype(np.float32), "scale": self.scale.astype(np.float32)}
        for name, head in self.heads.items():
            arrays[f"{name}.weights"] = head.weights.astype(np.float32)
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
        np.savez_compressed(folder / WEIGHTS_FILE, **arrays)
        meta = {
            **self.meta,
            "format": MODEL_FORMAT,
            "features": self.spec.to_json(),
            "labels": {name: list(head.labels) for name, head in self.heads.items()},
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
            raise ValueError(f"{meta_path}: model format {meta.get('format')!r}, expected {MODEL_FORMAT}")
        spec = FeatureSpec.from_json(meta["features"])
        with np.load(weights_path, allow_pickle=False) as arrays:
            heads = {
                name: LinearHead(tuple(labels), arrays[f"{name}.weights"], arrays[f"{name}.bias"])
                for name, labels in meta["labels"].items()
            }
            model = cls(spec, arrays["mean"], arrays["scale"], heads, meta)
        missing = set(HEAD_NAMES) - set(heads)
        if missing:
            raise ValueError(f"{meta_path}: missing head(s) {', '.join(sorted(missing))}")
        if model.mean.shape[0] != spec.dim:
            raise ValueError(f"{weights_path}: {model.mean.shape[0]} features, the spec says {spec.dim}")
        return model
