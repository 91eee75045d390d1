"""Topic clustering on vectors with a known grouping: the number of topics and who goes with whom."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import homogeneity_score

from ecoute.topics.clustering import cluster


def groups_on_sphere(sizes: list[int], dim: int = 64, spread: float = 0.25, seed: int = 0):
    """Unit vectors scattered around one random direction per group, and each one's group."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    truth = np.repeat(np.arange(len(sizes)), sizes)
    points = centres[truth] + spread * np.sqrt(dim) / np.sqrt(dim) * rng.normal(size=(len(truth), dim))
    return points / np.linalg.norm(points, axis=1, keepdims=True), truth


def test_chooses_about_the_number_of_well_separated_groups_and_never_mixes_them() -> None:
    vectors, truth = groups_on_sphere([60, 50, 40, 30, 20])
    larger, larger_truth = groups_on_sphere([120, 100, 80, 60], seed=1)
    assert homogeneity_score(larger_truth, cluster(larger)) == 1.0
    topics = cluster(vectors)
    # The finest dense groups: under 300 posts a topic may be as small as six or seven posts, so
    # a group can split, but two groups never share a topic.
    assert 5 <= len(np.unique(topics)) <= 10
    assert homogeneity_score(truth, topics) == 1.0


def test_topics_are_numbered_by_size_largest_first() -> None:
    vectors, _ = groups_on_sphere([20, 70, 40])
    topics = cluster(vectors, k=3)
    counts = np.bincount(topics)
    assert list(counts) == sorted(counts, reverse=True)
    assert counts[0] == 70


def test_a_given_number_of_topics_is_kept() -> None:
    vectors, _ = groups_on_sphere([40, 40, 40])
    assert len(np.unique(cluster(vectors, k=6))) == 6
    assert len(np.unique(cluster(vectors, k=1))) == 1


def test_the_same_seed_gives_the_same_topics() -> None:
    vectors, _ = groups_on_sphere([600, 300, 200], seed=3)
    assert (cluster(vectors, seed=1) == cluster(vectors, seed=1)).all()


def test_tiny_inputs_get_one_topic() -> None:
    vectors, _ = groups_on_sphere([3, 2])
    assert list(cluster(vectors)) == [0, 0, 0, 0, 0]
    assert list(cluster(vectors[:1])) == [0]
    assert cluster(np.zeros((0, 8))).shape == (0,)


def test_an_impossible_number_of_topics_is_refused() -> None:
    vectors, _ = groups_on_sphere([10, 10])
    with pytest.raises(ValueError, match="at least 1"):
        cluster(vectors, k=0)
