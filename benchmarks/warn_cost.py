"""Detection cost for one brand with a million mentions in one interval.

1. Volume and negative share: count the interval's mentions and update both spike detectors
   (warmed on four weeks of hourly history).
2. Emerging terms, fast path: terms extracted once at ingestion as integer ids (six per mention);
   per interval, distinct authors per term and the log-odds scan against a baseline interval of
   the same size.
3. Emerging terms from raw text (tokenising every mention in the scan), for comparison.

    .venv/bin/python benchmarks/warn_cost.py [--mentions 1000000] [--skip-text]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

import numpy as np

from ecoute.warn.spikes import NegativeShareDetector, SpikeDetector
from ecoute.warn.terms import Post, distinct_author_counts, emerging_terms, score_terms

VOCABULARY = 20_000
HOT = VOCABULARY  # the id of a hashtag that a twentieth of the mentions suddenly carry


def term_ids(rng: np.random.Generator, count: int, hot: bool) -> tuple[np.ndarray, np.ndarray]:
    terms = rng.zipf(1.3, size=(count, 6)) % VOCABULARY
    authors = np.repeat(rng.integers(0, count // 5, size=count), 6).reshape(count, 6)
    if hot:
        terms[::20, 0] = HOT
    return terms.ravel(), authors.ravel()


def timed(action):
    began = time.perf_counter()
    result = action()
    return result, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description="Detection cost per interval.")
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--skip-text", action="store_true")
    args = parser.parse_args()
    n = args.mentions
    rng = np.random.default_rng(1)
    step, start = timedelta(hours=1), datetime(2026, 3, 2)
    volume, share = SpikeDetector(), NegativeShareDetector()
    for hour in range(28 * 24):
        total = int(rng.poisson(n))
        volume.update(start + hour * step, total)
        share.update(start + hour * step, int(rng.binomial(total, 0.1)), total)
    negative_flags = rng.random(n) < 0.3  # this interval: 30 % negative, an outage
    now = start + 28 * 24 * step

    def spikes():
        negative = int(np.count_nonzero(negative_flags))
        return volume.update(now, len(negative_flags)), share.update(now, negative, len(negative_flags))

    (spike, shift), cost = timed(spikes)
    print(f"1. volume + negative share, {n:,} mentions: {cost * 1000:.1f} ms "
          f"(volume alert {spike.alert}, negative-share alert {shift.alert})")  # fmt: skip
    current, baseline = term_ids(rng, n, hot=True), term_ids(rng, n, hot=False)
    found, cost = timed(lambda: score_terms(*(distinct_author_counts(*ids) for ids in (current, baseline))))
    top = found[0].term == HOT if found else False
    print(f"2. emerging terms (term ids), {n:,} mentions against {n:,}: {cost:.2f} s "
          f"({len(found)} terms, the injected hashtag first: {top})")  # fmt: skip
    if not args.skip_text:
        words = [f"mot{i}" for i in range(VOCABULARY + 1)]
        rows, authors = current[0].reshape(-1, 6)[: n // 10], current[1].reshape(-1, 6)[: n // 10, 0]
        texts = [Post(f"a{a}", " ".join(words[t] for t in row)) for row, a in zip(rows, authors, strict=True)]
        _, cost = timed(lambda: emerging_terms(texts, texts))
        print(f"3. emerging terms from raw text, {len(texts):,} mentions against as many: {cost:.2f} s")


if __name__ == "__main__":
    main()
