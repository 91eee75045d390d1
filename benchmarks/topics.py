"""Quality and speed of topic discovery, against e5 + k-means given the true number of topics.

    python benchmarks/topics.py [--data ../shared/data/topics] [--seeds 3] [--json results.json]

Sets (read at run time, never copied into the repository): Banking77 train (77 intents), SLURP
devel (18 scenarios), SIB-200 train+dev in French and in English (the same 800 sentences, 7
topics). Vectors are embedded once and cached under benchmarks/out/topics/ (git-ignored): e5
for 14,000 texts takes minutes on two cores.

For each set, V-measure (the harmonic mean of homogeneity and completeness, as MTEB scores
clustering), averaged over seeds, all from the same vectors in the same run:

- reference: k-means on the raw e5 vectors, given the true number of topics;
- topics: ``ecoute.topics.clustering.cluster`` choosing the number itself, on the vectors
  ``ecoute topics`` uses (e5 and USE side by side), then on e5 alone and on USE alone;
- topics at the true number (``--k``), to separate the method from the choice of the number;
- the reference and the chosen number again on random samples the size of the sets' test
  splits (Banking77 3,080, SLURP 1,000, SIB-200 204), one sample per seed: fewer posts per topic.

Speed: ``cluster`` on Banking77's 10,003 vectors (given), median over the seeds.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import v_measure_score

from ecoute.topics.clustering import cluster
from ecoute.topics.vectors import ENCODERS, combine

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "benchmarks" / "out" / "topics"


@dataclass(frozen=True)
class TopicSet:
    name: str
    texts: list[str]
    labels: list[str]

    @property
    def topics(self) -> int:
        return len(set(self.labels))


def load_sets(data: Path) -> list[TopicSet]:
    return [_banking77(data), _slurp(data), _sib200(data, "fra_Latn"), _sib200(data, "eng_Latn")]


def _banking77(data: Path) -> TopicSet:
    with open(data / "banking77" / "train.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return TopicSet("Banking77", [r["text"] for r in rows], [r["category"] for r in rows])


def _slurp(data: Path) -> TopicSet:
    with open(data / "slurp" / "devel.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return TopicSet("SLURP scenarios", [r["text"] for r in rows], [r["scenario"] for r in rows])


def _sib200(data: Path, lang: str) -> TopicSet:
    rows: list[dict[str, str]] = []
    for split in ("train", "dev"):
        path = data / "sib200" / f"sib200-{lang}-{split}.tsv"
        with open(path, newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    name = "SIB-200 " + ("French" if lang.startswith("fra") else "English")
    return TopicSet(name, [r["text"] for r in rows], [r["category"] for r in rows])


def vectors(topic_set: TopicSet, encoder: str) -> np.ndarray:
    """The set's vectors from one encoder, embedded once and then read from the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = topic_set.name.replace(" ", "_").lower()
    path = CACHE / (f"{stem}.npy" if encoder == "e5" else f"{stem}.{encoder}.npy")
    if path.exists():
        cached = np.load(path)
        if len(cached) == len(topic_set.texts):
            return cached
    from ecoute.analysis.encoders import get_encoder

    model = get_encoder(encoder)
    texts = topic_set.texts
    result = np.vstack([model.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)]).astype(np.float32)
    np.save(path, result)
    return result


def v_measure(labels: list[str], assign, seeds: int) -> tuple[float, float, list[int]]:
    """Mean and spread of the V-measure over seeds, and the numbers of topics found."""
    scores, counts = [], []
    for seed in range(seeds):
        topics = assign(seed)
        scores.append(v_measure_score(labels, topics))
        counts.append(len(np.unique(topics)))
    return statistics.mean(scores), statistics.pstdev(scores), counts


def measure(topic_set: TopicSet, seeds: int) -> dict[str, object]:
    e5 = vectors(topic_set, "e5")
    blocks = {name: vectors(topic_set, name) for name in ENCODERS}
    both = combine(*blocks.values())
    k = topic_set.topics
    rows: dict[str, object] = {"set": topic_set.name, "posts": len(e5), "true_topics": k}
    runs = {
        "reference": lambda s: KMeans(k, n_init=3, random_state=s).fit_predict(e5),
        "topics": lambda s: cluster(both, seed=s),
        "topics_e5": lambda s: cluster(blocks["e5"], seed=s),
        "topics_use": lambda s: cluster(blocks["use"], seed=s),
        "topics_true_k": lambda s: cluster(both, k=k, seed=s),
    }
    for name, assign in runs.items():
        mean, spread, counts = v_measure(topic_set.labels, assign, seeds)
        rows[name] = {"v": round(mean, 3), "sd": round(spread, 3), "k": counts}
        print(f"  {name:14} V={mean:.3f} ±{spread:.3f} k={counts}", flush=True)
    return rows


SAMPLE_SIZES = {"Banking77": 3080, "SLURP scenarios": 1000, "SIB-200 French": 204, "SIB-200 English": 204}


def measure_samples(topic_set: TopicSet, seeds: int) -> dict[str, object]:
    e5 = vectors(topic_set, "e5")
    both = combine(*(vectors(topic_set, name) for name in ENCODERS))
    labels = np.array(topic_set.labels)
    size = SAMPLE_SIZES[topic_set.name]
    rows: dict[str, object] = {"set": topic_set.name, "posts": size}
    scores: dict[str, list[float]] = {"reference": [], "topics": []}
    counts = []
    for seed in range(seeds):
        sample = np.random.default_rng(seed).choice(len(labels), size, replace=False)
        k = len(set(labels[sample]))
        reference = KMeans(k, n_init=3, random_state=seed).fit_predict(e5[sample])
        topics = cluster(both[sample], seed=seed)
        scores["reference"].append(v_measure_score(labels[sample], reference))
        scores["topics"].append(v_measure_score(labels[sample], topics))
        counts.append(len(np.unique(topics)))
    for name, values in scores.items():
        rows[name] = {"v": round(statistics.mean(values), 3), "sd": round(statistics.pstdev(values), 3)}
        print(
            f"  sample of {size}: {name:10} V={statistics.mean(values):.3f} ±{statistics.pstdev(values):.3f}"
        )
    rows["k"] = counts
    print(f"  sample of {size}: topics found {counts}", flush=True)
    return rows


def speed(topic_set: TopicSet, seeds: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    inputs = {
        "e5+use": combine(*(vectors(topic_set, name) for name in ENCODERS)),
        "e5": vectors(topic_set, "e5"),
    }
    for name, matrix in inputs.items():
        times = []
        for seed in range(seeds):
            started = time.perf_counter()
            cluster(matrix, seed=seed)
            times.append(time.perf_counter() - started)
        figures[name] = round(statistics.median(times), 2)
        print(f"  cluster {len(matrix):,} {name} vectors: median {figures[name]:.2f} s ({times})", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data" / "topics", help="topic sets folder"
    )
    parser.add_argument("--seeds", type=int, default=3, help="runs per measurement (seeds 0, 1, …)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    sets = load_sets(args.data)
    results: dict[str, object] = {"quality": [], "samples": [], "speed": {}}
    for topic_set in sets:
        print(f"{topic_set.name}: {len(topic_set.texts):,} texts, {topic_set.topics} topics", flush=True)
        results["quality"].append(measure(topic_set, args.seeds))  # type: ignore[union-attr]
        results["samples"].append(measure_samples(topic_set, args.seeds))  # type: ignore[union-attr]
    results["speed"] = speed(sets[0], args.seeds)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
