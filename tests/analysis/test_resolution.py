"""Whether a customer's message closes the matter, in French and English."""

from __future__ import annotations

import pytest

from ecoute.analysis.resolution import closes, still_waiting


@pytest.mark.parametrize(
    "text",
    [
        "Remboursement reçu ce matin, c'est réglé. Merci !",
        "Bilan : vélo débloqué jeudi, indemnité reçue. Je garde mon vélo 😉",
        "It came back after a reboot, sorry for the noise. All working.",
        "Refund landed and the manager called. All sorted, thanks!",
        "Fausse alerte, le colis était chez le voisin.",
    ],
)
def test_a_message_saying_the_problem_is_gone_closes(text: str) -> None:
    assert closes(text, intent="complaint", sentiment="neutral")


@pytest.mark.parametrize(
    "text",
    [
        "Toujours pas de remboursement, merci de me répondre.",
        "Still nothing on my card, thanks for nothing.",
        "Pas réglé du tout, le technicien n'est jamais venu.",
        "The parcel was not received, where is it?",
        "Pareil pour moi, même problème depuis hier.",
        "Merci, mais quand arrive le remboursement ?",
    ],
)
def test_a_message_still_waiting_never_closes(text: str) -> None:
    assert still_waiting(text)
    assert not closes(text, intent="praise", sentiment="positive")


def test_saying_it_is_solved_closes_even_when_read_as_negative() -> None:
    assert closes("Désolé pour le bruit, tout marche.", intent="complaint", sentiment="negative")


def test_something_arriving_broken_does_not_close() -> None:
    assert not closes("The sofa arrived with a broken leg.", intent="complaint", sentiment="negative")
    assert closes("The sofa arrived, looks great.", intent="praise", sentiment="positive")


def test_words_that_only_look_like_a_fix_do_not_close() -> None:
    assert not closes("Le marketing d'opportunité, ça marche 😅", intent="other", sentiment="neutral")
    assert not closes(
        "Au programme : l'arrivée annoncée d'un concurrent.", intent="other", sentiment="neutral"
    )
    assert closes("Colis bien arrivé, complet.", intent="other", sentiment="neutral")


def test_thanks_close_only_when_calm() -> None:
    assert closes(
        "Merci pour la réponse rapide, on réserve pour samedi.", intent="other", sentiment="positive"
    )
    assert not closes("Merci de rappeler, c'est urgent.", intent="complaint", sentiment="negative")
