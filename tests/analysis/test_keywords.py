"""Urgent words: found whole, and not inside the set phrases in which they mean something else."""

from __future__ import annotations

import pytest

from ecoute.analysis.keywords import keyword_category, urgent_keywords


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("@user heated seat burned a hole in my trousers. actual safety issue", [("safety", "burned")]),
        ("the charger burnt out and the plug is black", [("safety", "burnt")]),
        ("Ma batterie a pris feu, brûlure au poignet", [("safety", "brûlure")]),
        ("smoke coming out of the motor, it burns to the touch", [("safety", "smoke")]),
        ("my legs burn and the battery is on fire", [("safety", "on fire")]),
        ("@acme refund please, the app is not working", [("refund", "refund"), ("outage", "not working")]),
    ],
)
def test_urgent_words_are_found(text: str, found: list[tuple[str, str]]) -> None:
    assert urgent_keywords(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Paris tip: skip the bus, rent a @cyclune_fr e-bike for €35. Montmartre without the leg burn 😅",
        "Fourvière by bike, feel the burn! Worth it for the view",
        "Burned 600 calories on the way to work, the e-bike is for the way back",
        "J'ai brûlé 500 calories en montant à la Croix-Rousse",
        "That subscription is burning a hole in my wallet",
        "I'm so burnt out this week, need a holiday",
        "Their new ad is a sick burn on the competition",
        "All that marketing is smoke and mirrors",
        "Fire sale on last year's models this weekend",
        "My calves burning after the Mont Ventoux, but what a ride",
    ],
)
def test_idioms_are_not_safety_issues(text: str) -> None:
    assert urgent_keywords(text) == []


def test_a_word_outside_an_idiom_still_counts_when_the_same_text_has_one() -> None:
    text = "Burned 400 calories, then the battery burned my hand"
    assert urgent_keywords(text) == [("safety", "burned")]


def test_the_word_shown_to_agents_still_names_its_family() -> None:
    assert keyword_category("burn") == ("safety", 0.35)
    assert keyword_category("burnt") == ("safety", 0.35)
