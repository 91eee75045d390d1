"""``ecoute topics`` end to end in a real subprocess: real encoders, a French and English file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tests.cli_run import ecoute

from ecoute.topics.contract import Post, assign_topics, read_posts

DELIVERY = [
    "Mon colis n'est toujours pas arrivé, livraison en retard",
    "Livraison en retard de trois jours pour ma commande",
    "Toujours pas reçu mon colis, le suivi ne bouge plus",
    "My parcel still hasn't arrived, the delivery is late",
    "Delivery delayed again, where is my package?",
    "Package tracking has not moved for a week",
]
REFUND = [
    "Je veux être remboursé, vous m'avez débité deux fois",
    "Remboursement toujours pas reçu après un retour",
    "Double prélèvement sur ma carte, remboursez-moi",
    "I want a refund, you charged me twice",
    "Still waiting for my refund after returning the item",
    "Charged twice on my card, please refund me",
]
WEATHER = [
    "Quel beau soleil ce matin sur la plage",
    "Il pleut depuis trois jours, quel temps horrible",
    "Grand ciel bleu et chaleur pour le week-end",
    "What a sunny morning at the beach",
    "It has been raining for three days, awful weather",
    "Blue skies and heat all weekend",
]


def write_posts(path: Path) -> list[str]:
    texts = [text for trio in zip(DELIVERY, REFUND, WEATHER, strict=True) for text in trio]
    lines = [json.dumps({"id": f"p{i}", "text": text}, ensure_ascii=False) for i, text in enumerate(texts)]
    path.write_text("\n".join(lines[:5] + [""] + lines[5:]) + "\n", encoding="utf-8")
    return texts


def test_topics_command_groups_french_and_english_posts_by_subject(tmp_path: Path) -> None:
    source, output = tmp_path / "posts.jsonl", tmp_path / "topics.jsonl"
    texts = write_posts(source)
    result = ecoute(
        ["topics", str(source), "-o", str(output), "--k", "3"], f"sqlite:///{tmp_path}/e.db", tmp_path
    )
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in rows] == [f"p{i}" for i in range(len(texts))]
    topic_of = {text: row["topic"] for text, row in zip(texts, rows, strict=True)}
    for subject in (DELIVERY, REFUND, WEATHER):
        assert len({topic_of[text] for text in subject}) == 1
    assert len(set(topic_of.values())) == 3
    label_of = {row["topic"]: row["label"] for row in rows}
    assert any(
        word in label_of[topic_of[DELIVERY[0]]] for word in ("livraison", "colis", "delivery", "parcel")
    )
    assert "18 posts in 3 topics" in result.stderr


def test_a_bad_line_stops_the_command_and_is_named(tmp_path: Path) -> None:
    source, output = tmp_path / "posts.jsonl", tmp_path / "topics.jsonl"
    source.write_text('{"id": "a", "text": "colis perdu"}\n{"id": "b", "text": 42}\n', encoding="utf-8")
    result = ecoute(["topics", str(source), "-o", str(output)], f"sqlite:///{tmp_path}/e.db", tmp_path)
    assert result.returncode == 2
    assert 'line 2: "text" must be a string' in result.stderr
    assert not output.exists()


def test_read_posts_defaults_the_id_and_skips_blank_lines(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_bytes(b'{"text": "caf\xe9 froid"}\n\n{"id": 7, "text": "ok"}\n')
    posts = read_posts(source)
    assert [(post.line, post.id) for post in posts] == [(1, 1), (3, 7)]
    assert posts[0].text == "caf\ufffd froid"


def test_assign_topics_chooses_the_number_when_not_given() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 32))
    vectors = np.repeat(centres, 30, axis=0) + 0.2 * rng.normal(size=(120, 32))
    posts = [Post(i + 1, i, "sujet" + "abcd"[i // 30]) for i in range(120)]
    results = assign_topics(posts, lambda texts: vectors)
    subjects_of = {}
    for post, result in zip(posts, results, strict=True):
        subjects_of.setdefault(result.topic, set()).add(post.text)
    assert len(subjects_of) >= 4
    assert all(len(subjects) == 1 for subjects in subjects_of.values())
    assert results[0].label.startswith("sujet")
    assert assign_topics([], lambda texts: vectors) == []


def test_a_few_near_identical_posts_per_topic_stay_together_in_any_order() -> None:
    from ecoute.topics.clustering import cluster
    from ecoute.topics.vectors import embed

    texts = [f"Mon colis n'est toujours pas arrivé, commande numéro {1000 + i}" for i in range(15)]
    texts += [f"The app crashes every time I open it, version 2.{i}" for i in range(15)]
    vectors = embed(texts)
    for order in (slice(None), slice(None, None, -1)):
        topics = cluster(vectors[order])[order]
        assert len(set(topics[:15])) == len(set(topics[15:])) == 1
        assert topics[0] != topics[15]
