"""Topics that last: new posts join the nearest topic, and a rebuild keeps the topics people know.

A rebuild clusters again from scratch, so its topic numbers mean nothing by themselves. Each new
topic takes the identity of the old topic it shares most posts with (one to one, the pairing with
the largest total overlap), so a topic an agent renamed keeps its name. Topics an agent merged
are kept merged: every new topic most of whose known posts lie in a merged topic joins it. A new
topic that shares too little with any old one is new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Set

import numpy as np

# The smallest overlap (shared posts / posts in either) for a new topic to inherit an old identity.
MIN_OVERLAP = 0.3


def centroids(vectors: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """One unit vector per topic id (0..max), the mean direction of its posts."""
    count = int(topics.max()) + 1 if len(topics) else 0
    sums = np.zeros((count, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, topics, vectors)
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def nearest_topic(vectors: np.ndarray, topic_centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each new post, the topic whose centroid is most similar, and that cosine similarity."""
    units = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    similarities = units @ topic_centroids.T
    best = similarities.argmax(axis=1)
    return best, similarities[np.arange(len(units)), best]


def match_topics(
    old: Mapping[Hashable, Hashable],
    new: Mapping[Hashable, int],
    merged: Set[Hashable] = frozenset(),
    min_overlap: float = MIN_OVERLAP,
) -> dict[int, Hashable | None]:
    """Which old topic each new topic continues (``None``: a new topic).

    ``old`` and ``new`` map post ids to topics (old topic ids; new cluster numbers); ``merged``
    holds the old topics an agent made by merging, which absorb every new topic that lies
    mostly inside them.
    """
    common = [post for post in new if post in old]  # overlap is measured on posts in both
    old_sizes = Counter(old[post] for post in common)
    new_sizes = Counter(new[post] for post in common)
    shared = Counter((old[post], new[post]) for post in common)
    result: dict[int, Hashable | None] = dict.fromkeys(sorted(set(new.values())))
    for topic in new_sizes:
        known = {old_topic: count for (old_topic, t), count in shared.items() if t == topic}
        if known:
            home, count = max(known.items(), key=lambda pair: pair[1])
            if home in merged and count * 2 > sum(known.values()):
                result[topic] = home
    old_ids = [topic for topic in old_sizes if topic not in merged]
    new_ids = [topic for topic in new_sizes if result[topic] is None]
    if not old_ids or not new_ids:
        return result
    overlap = np.zeros((len(new_ids), len(old_ids)))
    for row, topic in enumerate(new_ids):
        for column, old_topic in enumerate(old_ids):
            both = shared.get((old_topic, topic), 0)
            if both:
                overlap[row, column] = both / (new_sizes[topic] + old_sizes[old_topic] - both)
    from scipy.optimize import linear_sum_assignment  # as in ``clustering.cluster``

    rows, columns = linear_sum_assignment(overlap, maximize=True)
    for row, column in zip(rows, columns, strict=True):
        if overlap[row, column] >= min_overlap:
            result[new_ids[row]] = old_ids[column]
    return result
