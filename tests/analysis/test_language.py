"""Language: ISO codes, "und" when the text cannot tell, never fooled by hashtags, handles or brands."""

from __future__ import annotations

import pytest

from ecoute.analysis.language import UNDETERMINED, LanguageDetector, function_word_vote


@pytest.mark.parametrize(
    "text",
    [
        "Super le nouveau forfait de @Orange_France, merci ! #BlackFriday #GoodDeal",
        "J'adore mon iPhone 15 Pro Max #Apple #iPhoneLife #ShotOniPhone",
        "@SpotifyCares la playlist Discover Weekly ne se met plus à jour depuis lundi",
        "Netflix a encore augmenté ses prix, je vais résilier https://t.co/Xy12ab #Netflix #Streaming",
        "trop bien le concert de ce soir",
        "Où est ma commande ?",
    ],
)
def test_french_posts_stay_french_despite_english_tags_and_brands(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text).code == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "@SNCF_Voyageurs my train to Lyon was cancelled and nobody at the station can tell me why",
        "Where is my order? #help",
        "Thanks @user, great service today",
    ],
)
def test_english_posts_are_english(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).code == "en"


@pytest.mark.parametrize(
    "text",
    [
        "😍😍😍",
        "👍",
        "12345 !!!",
        "http://bit.ly/x",
        "https://t.co/abc https://t.co/def",
        "@user @brand",
        "#fail",
        "",
        "   ",
        "ok",
        "lol",
        "?!",
    ],
)
def test_texts_without_enough_words_are_undetermined(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).code == UNDETERMINED


def test_other_languages_get_their_own_code(detector: LanguageDetector) -> None:
    assert detector.detect("Muchas gracias por la ayuda, el pedido llegó perfecto").code == "es"
    assert detector.detect("Vielen Dank für die schnelle Lieferung, alles bestens").code == "de"


def test_confidence_is_a_probability(detector: LanguageDetector) -> None:
    guess = detector.detect("Bonjour, ma box ne fonctionne plus depuis ce matin")
    assert 0.5 < guess.confidence <= 1.0


def test_function_words_vote_only_between_french_and_english() -> None:
    assert function_word_vote("merci pour le colis") == {"fr": 1.0, "en": 0.0}
    assert function_word_vote("Pikachu Bulbizarre") == {}
