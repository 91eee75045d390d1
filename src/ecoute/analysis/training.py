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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .feature_cache import FeatureCache
from .features import BLOCK_NAMES, Blocks, FeatureExtractor, FeatureSpec
from .heads import HEAD_NAMES, REPLY_LABELS, Compatibility, LinearHead, Model, Routing, Stage
from .language import get_language_detector
from .types import INTENTS, SENTIMENTS, LabelledExample

# The full stage reads e5; the fast stage reads USE, ten times cheaper (see heads.py for the cascade).
FULL_SPEC = FeatureSpec(("e5", "lexicon", "cues"))
FAST_SPEC = FeatureSpec(("use", "lexicon", "cues"))
# Below this many examples the fast stage is left out: fitted on a few dozen posts it can be
# sure and wrong (it memorises surface details), and a sure fast stage never hands over.
MIN_FAST_EXAMPLES = 1000
# L2 penalty per unit of example weight, so that a workspace's 50 posts and the bundled 4,000
# are regularised alike (scikit-learn's C is 1 / (penalty × total weight)). Sentiment is held
# much tighter: it must carry over to posts about anything, not only to posts like ours.
PENALTY: dict[str, float] = {"sentiment": 0.4, "intent": 0.025, "needs_reply": 0.025}
# Sentiment is learnt with every (sentiment, intent) cell weighing the same, so that "negative"
# means negative whatever the post is (a complaint, bad news, a bad day) rather than "sounds like
# a complaint", the commonest negative post in brand data. Cells smaller than this are not
# inflated beyond it.
STRATIFY: dict[str, str] = {"sentiment": "intent"}
MIN_CELL = 50
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
    examples: Sequence[LabelledExample],
    blocks: Sequence[str],
    progress: Progress | None = None,
    cache: FeatureCache | None = None,
) -> Blocks:
    """Feature blocks for the examples (rows in order), each distinct text computed once."""
    detector = get_language_detector()
    extractor = FeatureExtractor()
    unique = list(dict.fromkeys(ex.text for ex in examples))
    lang_of = {ex.text: ex.lang for ex in examples if ex.lang}
    parts: dict[str, list[np.ndarray]] = {block: [] for block in blocks}
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        langs = [lang_of.get(text) or detector.detect(text).code for text in batch]
        known = cache.lookup(batch, blocks) if cache else {}
        computed = extractor.compute(batch, langs, blocks, known)
        if cache:
            cache.store(batch, {block: computed[block] for block in blocks if block not in known})
        for block in blocks:
            parts[block].append(computed[block])
        if progress:
            progress(min(start + BATCH, len(unique)), len(unique))
    if cache:
        cache.save()
    row_of = {text: i for i, text in enumerate(unique)}
    order = np.array([row_of[ex.text] for ex in examples], dtype=np.int64)
    return {
        block: (np.vstack(rows) if rows else np.zeros((0, len(BLOCK_NAMES[block])), np.float32))[order]
        for block, rows in parts.items()
    }


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
    sample_weight = weights * balanced[y]
    strength = 1.0 / (PENALTY[head] * sample_weight.sum())
    model = LogisticRegression(C=strength, max_iter=3000, random_state=seed)
    model.fit(features, y, sample_weight=sample_weight)
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


def cell_weights(head: str, examples: Sequence[LabelledExample]) -> np.ndarray:
    """Per-example factors (mean 1) that give each (label, stratum) cell the same weight."""
    if head not in STRATIFY or not examples:
        return np.ones(len(examples))
    cells = [(labels_of(head, ex), getattr(ex, STRATIFY[head])) for ex in examples]
    counts = Counter(cells)
    factors = np.array([1.0 / max(counts[cell], MIN_CELL) for cell in cells])
    return factors / factors.mean()


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


def fit_stage(
    spec: FeatureSpec,
    blocks: Blocks,
    examples: Sequence[LabelledExample],
    rows: np.ndarray,
    seed: int,
    head_weights: dict[str, np.ndarray] | None = None,
) -> Stage:
    """Standardise the stage's features on ``rows`` and fit its three heads there.

    ``head_weights`` (one array over all examples per head) overrides the examples' own weights;
    an example of weight 0 does not train that head.
    """
    features = spec.assemble(blocks, rows)
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-6] = 1.0
    standardised = (features - mean) / scale
    own_weights = np.array([ex.weight for ex in examples], dtype=np.float64)
    heads = {}
    for head in HEAD_NAMES:
        weights = (head_weights or {}).get(head, own_weights)[rows]
        labels = [labels_of(head, examples[i]) for i in rows]
        keep = np.array([label is not None for label in labels]) & (weights > 0)
        kept = [label for label, k in zip(labels, keep, strict=True) if k]
        cells = cell_weights(head, [examples[i] for i in rows[keep]])
        heads[head] = fit_head(head, standardised[keep], kept, weights[keep] * cells, seed)
    return Stage(spec, mean.astype(np.float32), scale.astype(np.float32), heads)


def head_weights(
    own: Sequence[LabelledExample], base: Sequence[LabelledExample], base_weight: float
) -> dict[str, np.ndarray]:
    """Per head: the workspace's posts at their weight, bundled ones at ``base_weight``, or at
    full weight for a head the workspace gave no labels for (it is learnt from them alone)."""
    out = {}
    for head in HEAD_NAMES:
        labelled = any(labels_of(head, ex) is not None for ex in own)
        factor = base_weight if labelled else 1.0
        out[head] = np.array(
            [ex.weight for ex in own] + [ex.weight * factor for ex in base], dtype=np.float64
        )
    return out


def predict(model: Model, blocks: Blocks, rows: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """What the analyzer would answer for these rows: the fast stage, then the full one where unsure."""
    full = model.full.predict(model.full.spec.assemble(blocks, rows))
    if model.fast is None:
        return full, np.ones(len(rows), dtype=bool)
    fast = model.fast.predict(model.fast.spec.assemble(blocks, rows))
    routed = model.needs_full(fast)
    return {head: np.where(routed[:, None], full[head], fast[head]) for head in HEAD_NAMES}, routed


def train(
    examples: Iterable[LabelledExample],
    *,
    base: Sequence[LabelledExample] = (),
    base_weight: float = 1.0,
    full_spec: FeatureSpec = FULL_SPEC,
    fast_spec: FeatureSpec | None = FAST_SPEC,
    routing: Routing | None = None,
    holdout: float = 0.2,
    seed: int = 0,
    progress: Progress | None = None,
    cache: FeatureCache | None = None,
    meta: dict[str, object] | None = None,
) -> tuple[Model, TrainingReport]:
    """Fit the heads; report macro-F1 on a held-out part of ``examples``, then refit on all of them.

    ``base`` examples (the bundled data, under a workspace's own) always train and are never
    held out, each counting ``base_weight``; a head the workspace gave no labels for is
    learnt from them alone. Scores are those of the whole cascade, as the analyzer runs it.
    """
    own = list(examples)
    if not own:
        raise ValueError("no labelled examples to train on")
    weights = head_weights(own, base, base_weight)
    used = [ex for i, ex in enumerate(base, start=len(own)) if any(w[i] > 0 for w in weights.values())]
    everything = own + used
    weights = head_weights(own, used, base_weight)
    with_fast = fast_spec is not None and len(everything) >= MIN_FAST_EXAMPLES
    specs = {"full": full_spec, **({"fast": fast_spec} if with_fast else {})}
    needed = list(dict.fromkeys(block for spec in specs.values() for block in spec.blocks))
    blocks = featurise(everything, needed, progress, cache)
    held = np.array(split(own, holdout, seed) + [False] * len(used))
    routing = routing or Routing()
    compatibility = Compatibility.from_pairs((ex.sentiment, ex.intent) for ex in everything)
    reports = {}
    if held.any():
        reports = _evaluate(specs, routing, compatibility, blocks, everything, weights, held, seed)
    every = np.arange(len(everything))
    stages = {name: fit_stage(spec, blocks, everything, every, seed, weights) for name, spec in specs.items()}
    for head in HEAD_NAMES:
        count = int(
            sum(
                labels_of(head, ex) is not None and w > 0
                for ex, w in zip(everything, weights[head], strict=True)
            )
        )
        reports.setdefault(head, HeadReport(count, 0, None))
        reports[head].examples = count
    report = TrainingReport(reports, len(own), fingerprint(own))
    model_meta = {
        **(meta or {}),
        "training": report.summary(),
        "seed": seed,
        "holdout": holdout,
        "base_examples": len(used),
        "base_weight": base_weight if used else None,
    }
    return Model(stages["full"], stages.get("fast"), routing, model_meta, compatibility), report


def _evaluate(
    specs: dict[str, FeatureSpec],
    routing: Routing,
    compatibility: Compatibility,
    blocks: Blocks,
    examples: Sequence[LabelledExample],
    weights: dict[str, np.ndarray],
    held: np.ndarray,
    seed: int,
) -> dict[str, HeadReport]:
    train_rows = np.where(~held)[0]
    trained = {
        name: fit_stage(spec, blocks, examples, train_rows, seed, weights) for name, spec in specs.items()
    }
    model = Model(trained["full"], trained.get("fast"), routing, compatibility=compatibility)
    return _score(model, blocks, examples, np.where(held)[0])


def evaluate(
    model: Model, examples: Sequence[LabelledExample], cache: FeatureCache | None = None
) -> dict[str, HeadReport]:
    """Macro-F1 of an already trained model on labelled examples, scored exactly as ``train``
    scores its held-out part: to compare heads in use with new ones on the same posts."""
    stages = [model.full, *([model.fast] if model.fast is not None else [])]
    needed = list(dict.fromkeys(block for stage in stages for block in stage.spec.blocks))
    blocks = featurise(examples, needed, cache=cache)
    return _score(model, blocks, examples, np.arange(len(examples)))


def _score(
    model: Model, blocks: Blocks, examples: Sequence[LabelledExample], rows: np.ndarray
) -> dict[str, HeadReport]:
    probabilities, _ = predict(model, blocks, rows)
    chosen = {head: probabilities[head].argmax(axis=1) for head in HEAD_NAMES}
    chosen["intent"] = model.decide_intents(probabilities)  # as the analyzer decides it
    reports = {}
    for head in HEAD_NAMES:
        labels = [labels_of(head, examples[i]) for i in rows]
        order = label_order(head)
        pairs = [
            (label, order[k]) for label, k in zip(labels, chosen[head], strict=True) if label is not None
        ]
        score, per_class = (
            macro_f1([t for t, _ in pairs], [p for _, p in pairs], order) if pairs else (None, {})
        )
        reports[head] = HeadReport(0, len(pairs), score, per_class)
    return reports
