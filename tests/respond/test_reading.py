"""Reading a message: first names from display names, specifics, knowledge matching, typography."""

from __future__ import annotations

import pytest

from ecoute.respond import first_name
from ecoute.respond.drafts import wording_for
from ecoute.respond.fields import read_message
from ecoute.respond.knowledge import find_answer
from ecoute.respond.specifics import extract
from ecoute.respond.typography import french
from respond.respond_factories import catalogue, knowledge


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Claire 🚲 vélotaf", "Claire"),
        ("Aurélie | maman vélotaf", "Aurélie"),
        ("Marc-Antoine Petit", "Marc-Antoine"),
        ("Youssef (livreur)", "Youssef"),
        ("Ian McLean", "Ian"),
        ("Hannah Cole — Sprocket & Circuit", "Hannah"),
        ("gonemaison", None),
        ("user123", None),
        ("@claire_vtf", None),
        ("Lyon Actu Flash", None),
        ("Cargo & Famille", None),
        ("💎 Crypto King FR 💎", None),
        ("Me Victor Lanne", None),
        ("Le Pédalier Fou", None),
        ("CYCLUNE TOKEN $CYCL", None),
        ("", None),
        (None, None),
    ],
)
def test_first_name_from_display_name(display, expected):
    assert first_name(display, exclude=["Cyclune"]) == expected


def test_specifics_of_a_complaint():
    found = extract(
        "Commande #CL-20931 toujours pas livrée, j'ai attendu 3 semaines pour ma Lumen 2, ticket SAV-88214.",
        lang="fr",
        brand_name="Cyclune",
        products=catalogue().products,
        places=catalogue().places,
    )

    assert found.orders == ("#CL-20931",)
    assert found.tickets == ("SAV-88214",)
    assert found.product == "Lumen 2"
    assert found.duration == "trois semaines"
    assert found.facts.given == {"reference"}


def test_the_problem_is_named_from_the_message_with_the_sector_wordings():
    text = "Commande #CL-20931 toujours pas livrée, j'ai attendu 3 semaines pour ma Lumen 2."
    found = extract(text, lang="fr", brand_name="Cyclune", products=catalogue().products)
    reading = read_message(text, found, wording_for(catalogue(), "fr"), intent="complaint")

    assert reading.keys[0] == "delay"
    assert reading.main.phrase == "cette attente de trois semaines pour votre commande #CL-20931"


def test_specifics_of_praise_name_the_colleague_and_quote_the_customer():
    found = extract(
        "Petit mot pour Jordan, livreur, qui a monté mon vélo avec le sourire à la boutique de Paris",
        lang="fr",
        brand_name="Cyclune",
    )

    assert found.staff == ("Jordan",)
    assert found.quote == "avec le sourire"
    assert found.place == "Paris"


def test_knowledge_matches_the_right_snippet_and_refuses_a_vague_one():
    items = knowledge()
    names = [*catalogue().products, *catalogue().places]

    hit = find_answer("vous ouvrez à quelle heure à bordeaux le samedi ?", items, lang="fr", names=names)
    miss = find_answer(
        "Est-ce que la Lumen 2 peut rester dehors toute l'année ?", items, lang="fr", names=names
    )
    other_language = find_answer("Is the Bordeaux shop open on Mondays?", items, lang="fr", names=names)

    assert hit is not None and hit.item.title == "Horaires de la boutique de Bordeaux"
    assert miss is None
    assert other_language is None


def test_french_typography_is_idempotent_and_spares_links():
    text = french("Bonjour Hélène ! Oui : à 10 h, voir https://x.fr/a?b=1 ou aide@cyclune.fr? « top »")

    assert text == (
        "Bonjour Hélène\u202f! Oui\u00a0: à 10\u00a0h, voir https://x.fr/a?b=1 ou aide@cyclune.fr\u202f? "
        "«\u00a0top\u00a0»"
    )
    assert french(text) == text
