"""Topics across rebuilds: identities follow the posts, merges hold, new posts join the nearest topic."""

from __future__ import annotations

import numpy as np

from ecoute.topics.continuity import centroids, match_topics, nearest_topic


def test_a_rebuild_keeps_each_topics_identity_whatever_its_new_number() -> None:
    old = {f"p{i}": "delivery" if i < 10 else "refunds" for i in range(20)}
    new = {f"p{i}": 1 if i < 10 else 0 for i in range(20)} | {"p20": 1, "p21": 2}
    assert match_topics(old, new) == {0: "refunds", 1: "delivery", 2: None}


def test_a_topic_sharing_too_little_with_any_old_one_is_new() -> None:
    old = {f"p{i}": "delivery" for i in range(10)}
    new = {f"p{i}": 0 if i < 2 else 1 for i in range(10)}
    assert match_topics(old, new) == {0: None, 1: "delivery"}
    assert match_topics(old, new, min_overlap=0.9) == {0: None, 1: None}


def test_each_old_topic_is_continued_by_at_most_one_new_topic() -> None:
    old = {f"p{i}": "billing" for i in range(12)}
    new = {f"p{i}": 0 if i < 6 else 1 for i in range(12)}
    result = match_topics(old, new)
    assert list(result.values()).count("billing") == 1
    assert list(result.values()).count(None) == 1


def test_topics_an_agent_merged_stay_merged_when_the_rebuild_splits_them() -> None:
    old = {f"p{i}": "merged" for i in range(12)} | {f"q{i}": "weather" for i in range(6)}
    new = {f"p{i}": 0 if i < 6 else 1 for i in range(12)} | {f"q{i}": 2 for i in range(6)}
    assert match_topics(old, new, merged={"merged"}) == {0: "merged", 1: "merged", 2: "weather"}


def test_no_old_topics_means_every_topic_is_new() -> None:
    assert match_topics({}, {"a": 0, "b": 1}) == {0: None, 1: None}


def test_new_posts_join_the_topic_whose_centroid_is_nearest() -> None:
    vectors = np.array([[1.0, 0.1], [0.9, 0.0], [0.0, 1.0], [0.1, 0.8]])
    topic_centroids = centroids(vectors, np.array([0, 0, 1, 1]))
    best, similarity = nearest_topic(np.array([[0.2, 3.0], [5.0, 0.0]]), topic_centroids)
    assert list(best) == [1, 0]
    assert np.allclose(np.linalg.norm(topic_centroids, axis=1), 1.0)
    assert similarity[1] > 0.99 and similarity[0] > 0.95
