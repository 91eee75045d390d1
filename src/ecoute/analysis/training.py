"""Training the heads from labelled posts: the bundled data, a workspace's file, agents' corrections.

Everything enters through ``train(examples)``, an iterable of ``LabelledExample``, so the inbox
can later feed agents' corrections through the same path as ``ecoute train --data``.
Training is deterministic for a given seed: same data, same heads, byte for byte on one machine.
scikit-learn is imported here only; inference never needs it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .features import FeatureExtractor, FeatureSpec
from .heads import HEAD_NAMES, REPLY_LABELS, LinearHead, Model
from .language import get_language_detector
from .types import INTENTS, SENTIMENTS, LabelledExample

DEFAULT_SPEC = FeatureSpec()
# Inverse regularisation per head, chosen by 5-fold cross-validation on the bundled data
# (benchmarks/analysis_tuning.py); the embeddings are standardised, so these are small.
REGULARISATION: dict[str, float] = {"sentiment": 0.02, "intent": 0.02, "needs_reply": 0.02}
BATCH = 256
Progress = Callable[[int, int], None]


@dataclass
class HeadReport:
    examples: int
    held_out: int
    macro_f1: float | None
    per_class_f1: dict[str, float] = field(default_factory=dict)


@dataclass
class TrainingReport:
    heads: dict[str, HeadReport]
    examples: int
    fingerprint: str

    def summary(self) -> dict[str, object]:
        return {
            "examples": self.examples,
            "fingerprint": self.fingerprint,
            "heads": {
                name: {
                    "examples": r.examples,
                    "held_out": r.held_out,
                    "macro_f1": r.macro_f1,
                    "per_class_f1": r.per_class_f1,
                }
                for name, r in self.heads.items()
            },
        }


def fingerprint(examples: Sequence[LabelledExample]) -> str:
    """SHA-256 of the examples in order: recorded in model.json, checked by the tests."""
    digest = hashlib.sha256()
    for ex in examples:
        row = [ex.text, ex.lang, ex.sentiment, ex.intent, ex.needs_reply, ex.weight]
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
    return digest.hexdigest()


def labels_of(head: str, example: LabelledExample) -> str | None:
    if head == "needs_reply":
        return None if example.needs_reply is None else REPLY_LABELS[int(example.needs_reply)]
    return getattr(example, head)


def label_order(head: str) -> tuple[str, ...]:
    return {"sentiment": SENTIMENTS, "intent": INTENTS, "needs_reply": REPLY_LABELS}[head]


def featurise(
    examples: Sequence[LabelledExample], spec: FeatureSpec, progress: Progress | None = None
) -> np.ndarray:
    """Feature rows for the examples, each distinct text computed once."""
    detector = get_language_detector()
    extractor = FeatureExtractor(spec)
    unique = list(dict.fromkeys(ex.text for ex in examples))
    lang_of = {ex.text: ex.lang for ex in examples if ex.lang}
    rows: dict[str, np.ndarray] = {}
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        langs = [lang_of.get(text) or detector.detect(text).code for text in batch]
        rows.update(zip(batch, extractor.extract(batch, langs), strict=True))
        if progress:
            progress(min(start + BATCH, len(unique)), len(unique))
    return np.vstack([rows[ex.text] for ex in examples]) if examples else np.zeros((0, spec.dim), np.float32)


def split(examples: Sequence[LabelledExample], holdout: float, seed: int) -> list[bool]:
    """True for the held-out examples: a seeded, stratified draw (by intent, then sentiment)."""
    if holdout <= 0:
        return [False] * len(examples)
    rng = random.Random(seed)
    groups: dict[object, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault((ex.intent, ex.sentiment), []).append(i)
    held = [False] * len(examples)
    for key in sorted(groups, key=str):
        members = groups[key]
        rng.shuffle(members)
        for i in members[: round(len(members) * holdout)]:
            held[i] = True
    return held


def fit_head(
    head: str, features: np.ndarray, labels: Sequence[str], weights: np.ndarray, seed: int
) -> LinearHead:
    from sklearn.linear_model import LogisticRegression

    order = label_order(head)
    present = [label for label in order if label in set(labels)]
    if len(present) < 2:
        raise ValueError(f"{head}: need examples of at least two classes, got {present or 'none'}")
    y = np.array([order.index(label) for label in labels])
    balanced = _balanced(y, len(order))
    model = LogisticRegression(C=REGULARISATION[head], max_iter=3000, random_state=seed)
    model.fit(features, y, sample_weight=weights * balanced[y])
    full_w = np.full((features.shape[1], len(order)), 0.0, dtype=np.float64)
    full_b = np.full(len(order), -30.0)  # a class never seen in training is never predicted
    classes = list(model.classes_)
    if len(classes) == 2:  # scikit-learn keeps one vector for two classes: make it a softmax pair
        coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        bias = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        coef, bias = model.coef_, model.intercept_
    for row, cls in enumerate(classes):
        full_w[:, cls] = coef[row]
        full_b[cls] = bias[row]
    return LinearHead(order, full_w.astype(np.float32), full_b.astype(np.float32))


def _balanced(y: np.ndarray, n_classes: int) -> np.ndarray:
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(n_classes)
    weights[present] = len(y) / (present.sum() * counts[present])
    return weights


def macro_f1(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> tuple[float, dict[str, float]]:
    per_class = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        if tp + fp + fn:
            per_class[label] = 2 * tp / (2 * tp + fp + fn)
    return (sum(per_class.values()) / len(per_class) if per_class else 0.0), per_class


def train(
    examples: Iterable[LabelledExample],
    *,
    base: Sequence[LabelledExample] = (),
    base_weight: float = 1.0,
    spec: FeatureSpec = DEFAULT_SPEC,
    holdout: float = 0.2,
    seed: int = 0,
    progress: Progress | None = None,
    meta: dict[str, object] | None = None,
) -> tuple[Model, TrainingReport]:
    """Fit the three heads; report macro-F1 on a held-out part of ``examples``, then refit on all.

    ``base`` examples (the bundled data, under a workspace's own) always train and are never
    held out, each counting ``base_weight``; a head the workspace gave no labels for is
    learnt from them alone.
    """
    own = list(examples)
    if not own:
        raise ValueError("no labelled examples to train on")
    weighted_base = [replace(ex, weight=ex.weight * base_weight) for ex in base] if base_weight > 0 else []
    everything = own + weighted_base
    features = featurise(everything, spec, progress)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-6] = 1.0
    standardised = (features - mean) / scale
    held = np.array(split(own, holdout, seed) + [False] * len(weighted_base))
    weights = np.array([ex.weight for ex in everything], dtype=np.float64)
    heads, reports = {}, {}
    for head in HEAD_NAMES:
        labels = [labels_of(head, ex) or "" for ex in everything]
        labelled = np.array([bool(label) for label in labels])
        train_rows, test_rows = np.where(labelled & ~held)[0], np.where(labelled & held)[0]
        score, per_class = None, {}
        if len(test_rows):
            fitted = fit_head(
                head, standardised[train_rows], [labels[i] for i in train_rows], weights[train_rows], seed
            )
            predicted = fitted.probabilities(standardised[test_rows]).argmax(axis=1)
            score, per_class = macro_f1(
                [labels[i] for i in test_rows], [fitted.labels[k] for k in predicted], fitted.labels
            )
        every = np.where(labelled)[0]
        heads[head] = fit_head(head, standardised[every], [labels[i] for i in every], weights[every], seed)
        reports[head] = HeadReport(len(every), len(test_rows), score, per_class)
    report = TrainingReport(reports, len(own), fingerprint(own))
    model_meta = {
        **(meta or {}),
        "training": report.summary(),
        "seed": seed,
        "holdout": holdout,
        "base_examples": len(weighted_base),
        "base_weight": base_weight if weighted_base else None,
    }
    return Model(spec, mean.astype(np.float32), scale.astype(np.float32), heads, model_meta), report
