"""Topics for a file of posts: read ``id`` and ``text`` per JSONL line, write ``id``, ``topic``, ``label``.

Lines are read as ``ecoute analyze`` reads them. Every line is checked before anything is
embedded, so a bad line fails the run at once with its line number instead of after minutes of
work. Blank lines are skipped; bytes that are not UTF-8 are replaced, as ``analyze`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ecoute.analysis.batchio import read_lines

from .clustering import cluster
from .labels import topic_labels


class TopicInputError(ValueError):
    """A line of the input that cannot be read; the message names the line and the field."""


@dataclass(frozen=True, slots=True)
class Post:
    line: int
    id: object
    text: str


@dataclass(frozen=True, slots=True)
class PostTopic:
    id: object
    topic: int
    label: str


def read_posts(path: Path) -> list[Post]:
    """The posts of a JSONL file (``id`` defaults to the line number); the first bad line raises."""
    posts: list[Post] = []
    for line in read_lines(path, "jsonl"):
        if line.error == f"line {line.line}: blank line":
            continue
        if line.error or line.item is None:
            raise TopicInputError(line.error or f"line {line.line}: unreadable")
        posts.append(Post(line.line, line.id, line.item.text))
    return posts


def assign_topics(
    posts: list[Post], embed: Callable[[list[str]], np.ndarray], k: int | None = None
) -> list[PostTopic]:
    """Cluster the posts' vectors (``k`` topics, or as many as the data shows) and label them."""
    if not posts:
        return []
    texts = [post.text for post in posts]
    topics = cluster(embed(texts), k=k)
    labels = topic_labels(texts, topics)
    return [
        PostTopic(post.id, int(topic), labels[int(topic)]) for post, topic in zip(posts, topics, strict=True)
    ]


def write_topics(path: Path, results: list[PostTopic]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for result in results:
            record = {"id": result.id, "topic": result.topic, "label": result.label}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
