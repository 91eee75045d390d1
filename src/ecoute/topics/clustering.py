"""Topics from e5 vectors: a nearest-neighbour graph, its spectral embedding, then k-means.

k-means on the raw 384-d vectors follows the vectors' density poorly; the graph of each post's
nearest neighbours keeps only who resembles whom, and the graph's leading eigenvectors place
posts of one topic together (spectral clustering). French and English posts about the same
thing are neighbours because e5 is multilingual, so both languages share the topics.

The number of topics, when not given, is chosen from the data: see ``choose_k``. Measured on
labelled sets (docs/benchmarks.md), this beats k-means on the raw vectors given the true number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

NEIGHBOURS = 15
# Eigenvectors computed: enough to separate a hundred topics; more costs far more time (on
# 10,000 posts, 21 take about 1 s and 41 about 13 s) for a point or two of V-measure.
EIGENVECTORS = 21
# Dimensions in which dense groups are counted, and the fewest posts that make a topic (fewer
# under 300 posts, down to 5: with ten, a hundred posts on seven subjects made two topics).
COUNT_DIMENSIONS = 10
MIN_TOPIC_SIZE = 10
SMALLEST_TOPIC_SIZE = 5
_CHUNK = 2048
_DENSE_BELOW = 500  # posts; a dense eigensolver is quicker there, and works for any size


def cluster(vectors: np.ndarray, k: int | None = None, seed: int = 0) -> np.ndarray:
    """A topic id per row of ``vectors`` (unit vectors), numbered by size: 0 is the largest."""
    # Imported when clustering, not with the module: scikit-learn and SciPy cost every ``ecoute``
    # command, worker and web process that imports the topics a second of CPU at start-up.
    from sklearn.cluster import KMeans

    n = len(vectors)
    if k is not None and k < 1:
        raise ValueError(f"the number of topics must be at least 1, not {k}")
    if n <= 2 or k == 1:
        return np.zeros(n, dtype=np.int64)
    vectors = _unit(np.asarray(vectors, dtype=np.float32))
    graph = knn_graph(vectors, neighbours(n))
    embedding = spectral(graph, min(EIGENVECTORS, n - 1), seed)
    k = min(k, n) if k is not None else choose_k(embedding)
    topics = KMeans(k, n_init=3, random_state=seed).fit_predict(_unit(embedding[:, :k]))
    return _by_size(topics)


def neighbours(n: int) -> int:
    """Neighbours per post: ``NEIGHBOURS``, fewer under 60 posts (where fifteen would link almost
    everyone to everyone and blur the topics), but at least five (with three, near-identical
    posts form small islands and k-means splits a topic between them)."""
    return min(NEIGHBOURS, max(5, n // 4), n - 1)


def min_topic_size(n: int) -> int:
    return int(np.clip(n // 30, SMALLEST_TOPIC_SIZE, MIN_TOPIC_SIZE))


def knn_graph(vectors: np.ndarray, neighbours: int) -> sparse.csr_matrix:
    """The symmetric 0/1 graph linking each vector to its ``neighbours`` most similar ones."""
    from scipy import sparse  # imported when clustering (see ``cluster``)

    n = len(vectors)
    columns = np.empty((n, neighbours), dtype=np.int64)
    for start in range(0, n, _CHUNK):
        similarities = vectors[start : start + _CHUNK] @ vectors.T
        rows = np.arange(len(similarities))
        similarities[rows, start + rows] = -np.inf
        columns[start : start + len(similarities)] = np.argpartition(-similarities, neighbours, axis=1)[
            :, :neighbours
        ]
    links = sparse.csr_matrix(
        (np.ones(n * neighbours), (np.repeat(np.arange(n), neighbours), columns.ravel())), shape=(n, n)
    )
    return ((links + links.T) > 0).astype(np.float64).tocsr()


def spectral(graph: sparse.csr_matrix, count: int, seed: int) -> np.ndarray:
    """The eigenvectors of D^-1/2 A D^-1/2 with the ``count`` largest eigenvalues, largest first."""
    from scipy import sparse  # imported when clustering (see ``cluster``)
    from scipy.sparse.linalg import eigsh

    degrees = np.asarray(graph.sum(axis=1)).ravel()
    scale = sparse.diags(1.0 / np.sqrt(np.maximum(degrees, 1.0)))
    normalised = scale @ graph @ scale
    if graph.shape[0] <= _DENSE_BELOW:
        values, vectors = np.linalg.eigh(normalised.toarray())
    else:
        start = np.random.default_rng(seed).random(graph.shape[0])
        values, vectors = eigsh(normalised, k=count, which="LA", tol=1e-4, v0=start)
    return vectors[:, np.argsort(-values)[:count]]


def choose_k(embedding: np.ndarray) -> int:
    """The number of topics: the finest dense groups of at least ``MIN_TOPIC_SIZE`` posts (the
    leaves of HDBSCAN's cluster tree) in the first spectral dimensions. HDBSCAN's own assignment
    leaves a third to a half of the posts as noise, so only its count is kept; k-means then
    places every post. The rule reads "a topic is at least ten posts alike" (five to ten under
    300 posts), not a count fitted to any data set. The leaves, rather than HDBSCAN's default
    choice of the most persistent groups, keep a few hundred posts from collapsing into two
    topics; the price is that a large, clean group may come out as two or three topics."""
    from sklearn.cluster import HDBSCAN  # imported when clustering (see ``cluster``)

    size = min_topic_size(len(embedding))
    if len(embedding) <= size:
        return 1
    groups = HDBSCAN(min_cluster_size=size, cluster_selection_method="leaf", copy=False).fit_predict(
        _unit(embedding[:, :COUNT_DIMENSIONS])
    )
    return max(2, int(groups.max()) + 1)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def _by_size(topics: np.ndarray) -> np.ndarray:
    ids, counts = np.unique(topics, return_counts=True)
    order = ids[np.argsort(-counts, kind="stable")]
    renumber = np.empty(ids.max() + 1, dtype=np.int64)
    renumber[order] = np.arange(len(order))
    return renumber[topics]
