"""Who speaks in an item: the brand, a repost of its own post, a competitor, the press, a customer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ecoute.brands import BrandMatcher
from ecoute.normalise import normalise
from ecoute.sources.base import RawItem
from ecoute.speakers import (
    COMPETITOR,
    CUSTOMER,
    ECHO,
    OWN,
    PRESS,
    REPOST,
    TO_COMPETITOR,
    is_headline,
    speaker_of,
)
from ecoute.store.models import Brand


def matcher() -> BrandMatcher:
    own = Brand(id=1, workspace_id=1, name="Fibréa", query="fibrea", handles=["@Fibrea_FR"])
    rival = Brand(
        id=2, workspace_id=1, name="Nétoile", query="netoile", handles=["netoile"], competitor_of_id=1
    )
    return BrandMatcher([own, rival])


def item(text: str, author: str = "camille", platform: str = "x", kind: str = "post"):  # type: ignore[no-untyped-def]
    raw = RawItem(platform, "1", text, datetime(2026, 5, 1, tzinfo=UTC), author=author, kind=kind)
    found = normalise(raw, now=datetime(2026, 5, 2, tzinfo=UTC))
    assert not hasattr(found, "reason")
    return found


@pytest.mark.parametrize(
    ("text", "author", "platform", "kind", "expected"),
    [
        ("Incident résolu, redémarrez votre box.", "fibrea_fr", "x", "post", OWN),
        ("Chez nous pas de coupure de 3 jours 😇", "netoile", "x", "post", COMPETITOR),
        ("RT @fibrea_fr: Incident résolu : la coupure est réparée.", "veille_info", "x", "post", ECHO),
        ("RT @camille: @fibrea_fr 3 jours sans fibre !", "julien", "x", "post", REPOST),
        ("RT @Netoile: Chez nous pas de coupure 😇", "julien", "x", "post", REPOST),
        ("Pareil ici RT @camille: @fibrea_fr 3 jours sans fibre !", "julien", "x", "post", CUSTOMER),
        ("@netoile vos box plantent une semaine sur deux", "tib", "x", "reply", TO_COMPETITOR),
        ("@netoile @fibrea_fr vous êtes tous pareils, 3 jours sans fibre", "tib", "x", "reply", CUSTOMER),
        (
            "Panne chez Fibréa : des milliers d'abonnés privés d'internet",
            "actu_telecom",
            "rss",
            "post",
            PRESS,
        ),
        ("Super article, Fibréa m'a remboursé", "lecteur", "rss", "review", CUSTOMER),
        ("@fibrea_fr la fibre coupée depuis 3 jours, je télétravaille !", "camille", "x", "post", CUSTOMER),
        (
            "Panne géante chez Fibréa dans le Nord — L'opérateur évoque un câble sectionné lors de travaux.",
            "actu_nord",
            "x",
            "post",
            PRESS,
        ),
    ],
)
def test_speaker_of_an_item(text: str, author: str, platform: str, kind: str, expected: str) -> None:
    assert speaker_of(item(text, author, platform, kind), matcher()) == expected


def test_a_customer_writing_like_a_headline_still_speaks_for_themselves() -> None:
    assert not is_headline(
        "Fibréa coupée depuis trois jours — je ne peux plus travailler, c'est une honte totale."
    )
    assert not is_headline("Fibréa coupée depuis trois jours !!! https://example.com/photo")
    assert is_headline("Fibréa condamné à une amende pour démarchage abusif https://example.com/article")
