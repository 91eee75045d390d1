"""Topic labels: distinctive words and phrases, French and English stop words and elisions dropped."""

from __future__ import annotations

import numpy as np

from ecoute.topics.labels import prepare, topic_labels

DELIVERY = [
    "Mon colis n'est toujours pas arrivé, la livraison a du retard",
    "Livraison en retard, le colis devait arriver hier",
    "Where is my parcel? The delivery is late again",
    "Parcel delivery late for the third time",
]
APP = [
    "L'application plante dès que j'ouvre mon compte",
    "L'application se ferme toute seule",
    "The app crashes when I open my account",
    "App crashes after the update",
]


def test_each_topic_is_labelled_by_its_own_words() -> None:
    labels = topic_labels(DELIVERY + APP, np.array([0] * 4 + [1] * 4), terms=6)
    assert set(labels) == {0, 1}
    assert "livraison" in labels[0] and "parcel" in labels[0]
    assert "application" in labels[1] or "app" in labels[1]
    assert "livraison" not in labels[1]


def test_stop_words_of_both_languages_and_elisions_never_appear() -> None:
    labels = topic_labels(DELIVERY + APP, np.array([0] * 4 + [1] * 4), terms=10)
    words = {word for label in labels.values() for term in label.split(" · ") for word in term.split()}
    assert not words & {"le", "la", "est", "the", "is", "my", "mon", "l", "j", "n", "d"}
    assert "application" in words
    assert not any("'" in word for word in words)


def test_near_duplicate_terms_are_not_repeated() -> None:
    texts = ["activate my card", "activating card", "card activation please", "how to activate the card"]
    texts += ["exchange rate fees", "currency exchange rate", "exchange rate today", "rate for euro"]
    label = topic_labels(texts, np.array([0] * 4 + [1] * 4), terms=3)[0]
    terms = label.split(" · ")
    stems = [" ".join(word[:5] for word in term.split()) for term in terms]
    assert len(set(stems)) == len(stems)
    assert sum("card" in term.split() for term in terms) == 1


def test_links_handles_and_numbers_are_left_out() -> None:
    assert prepare("@acme Voir https://x.co/a 42 l'offre").split() == ["voir", "offre"]


def test_texts_without_content_words_get_an_empty_label() -> None:
    assert topic_labels(["the", "le la", "123"], np.array([0, 0, 1])) == {0: "", 1: ""}


def test_words_to_ignore_never_label_a_topic():
    texts = ["Cyclune batterie morte", "batterie Cyclune HS", "Cyclune livraison lente", "livraison Cyclune"]
    topics = np.array([0, 0, 1, 1])

    plain = topic_labels(texts, topics)
    without = topic_labels(texts, topics, ignore=["Cyclune"])

    assert "cyclune" in " ".join(plain.values())
    assert "cyclune" not in " ".join(without.values()) and "batterie" in without[0]
