"""Lexicon and cue features: negation scope, everyday French, what counts as waiting; intent/sentiment fit."""

from __future__ import annotations

import numpy as np
import pytest

from ecoute.analysis.cues import WAITING_RE
from ecoute.analysis.heads import Compatibility, Routing
from ecoute.analysis.lexicon import POLARITY_DIR, PolarityList, french_sentiment

FR = PolarityList(POLARITY_DIR / "polarity_fr.txt")
EN = PolarityList(POLARITY_DIR / "polarity_en.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aucun regret.", (1, 0)),
        ("je regrette mon achat", (0, 1)),
        ("pas de souci, merci", (2, 0)),  # the negation stops at the comma: "merci" stays praise
        ("j'ai un souci avec ma commande", (0, 1)),
        ("pas terrible, dommage", (0, 3)),  # "pas terrible" is a let-down, unlike "pas mal"
        ("c'est pas mal du tout", (3, 0)),
        ("la flemme", (0, 1)),
        ("pas ouf ce film", (0, 1)),
    ],
)
def test_french_polarity_counts(text: str, expected: tuple[int, int]) -> None:
    assert FR.scores(text) == expected


def test_english_negated_problems_are_good_news() -> None:
    assert EN.scores("zero regrets") == (1, 0)
    assert EN.scores("no issues at all") == (1, 0)
    assert EN.scores("I have an issue with my order") == (0, 1)


@pytest.mark.parametrize(
    "text",
    ["colis perdu depuis 10 jours", "3 jours que j'attends", "ordered 5 days ago", "2 semaines de retard"],
)
def test_counted_durations_are_waiting(text: str) -> None:
    assert WAITING_RE.search(text)


@pytest.mark.parametrize(
    "text", ["4 mois plus tard : 0 € d'essence", "Three weeks into my commute", "Two weeks with my bike"]
)
def test_plain_durations_are_not_waiting(text: str) -> None:
    assert not WAITING_RE.search(text)


def test_each_intent_is_weighed_by_how_well_the_sentiment_fits_it() -> None:
    fit = Compatibility.from_pairs(
        [("negative", "complaint"), ("negative", "other"), ("positive", "praise"), ("positive", "other")]
    )
    assert fit.allowed == {"negative": ("complaint", "other"), "positive": ("other", "praise")}
    sentiments, intents = ("negative", "neutral", "positive"), ("complaint", "question", "praise", "other")
    sentiment = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.45, 0.1, 0.45]])
    intent = np.array(
        [[0.1, 0.0, 0.6, 0.3], [0.5, 0.0, 0.2, 0.3], [0.1, 0.0, 0.6, 0.3], [0.6, 0.0, 0.1, 0.3]]
    )
    # surely negative "praise" and surely positive "complaint" give way to "other"; a neutral post
    # is unconstrained; an unsure sentiment leaves a clear complaint alone
    chosen = fit.weigh(sentiment, intent, sentiments, intents).argmax(axis=1)
    assert chosen.tolist() == [3, 3, 2, 0]
    unconstrained = Compatibility().weigh(sentiment, intent, sentiments, intents).argmax(axis=1)
    assert unconstrained.tolist() == [2, 0, 2, 0]


def test_a_sure_thank_you_is_not_handed_over_for_a_complaint_it_cannot_be() -> None:
    fit = Compatibility.from_pairs([("negative", "complaint"), ("positive", "praise"), ("neutral", "other")])
    sentiments, intents = ("negative", "neutral", "positive"), ("complaint", "question", "praise", "other")
    sentiment = np.array([[0.05, 0.05, 0.9], [0.5, 0.3, 0.2]])
    intent = np.array([[0.5, 0.0, 0.4, 0.1], [0.5, 0.0, 0.4, 0.1]])
    weighed = fit.weigh(sentiment, intent, sentiments, intents)
    assert weighed.sum(axis=1) == pytest.approx([1.0, 1.0])
    complaint = weighed[:, 0]
    assert complaint[0] < 0.3 < complaint[1] < 0.7  # only the unsure one is worth the full stage
    routed = Routing().needs_full(sentiment, complaint)
    assert routed.tolist() == [False, True]


def test_french_sentiment_is_textblob_frs_without_textblob() -> None:
    from textblob_fr import PatternAnalyzer

    analyzer, ours = PatternAnalyzer(), french_sentiment()
    texts = [
        "bon",
        "Service client nul, je suis très déçu",
        "Génial, merci beaucoup !!",
        "pas terrible du tout",
        "colis perdu, toujours pas remboursé",
        "franchement pas mal, mais un peu cher",
        "",
        "😡😡",
    ]
    assert [ours(text) for text in texts] == [analyzer.analyze(text) for text in texts]
    assert ours(texts[1])[0] < 0 < ours(texts[2])[0]
