"""Drafts for each intent and language: specifics picked up, right language, within limits, distinct,
apologetic and never defensive for complaints, answering from knowledge or promising a follow-up."""

from __future__ import annotations

import re

import pytest

from ecoute.analysis import get_language_detector
from ecoute.respond import draft_replies, limit_for
from respond.respond_factories import TUESDAY_MORNING, author, catalogue, knowledge, mention

DEFENSIVE = re.compile(
    r"malheureusement|comme indiqué|veuillez noter|pas de notre faute|pas responsables|vous auriez dû|"
    r"conformément|unfortunately|as stated|please note|not our fault|not responsible|you should have|"
    r"per our policy|calm down",
    re.IGNORECASE,
)
APOLOGY = re.compile(r"excuses|désolés|pardon|sorry|apologies", re.IGNORECASE)
PRIVATE = re.compile(
    r"message privé|par e-mail|by DM|by e-mail|contact(?:ez)?[- ](?:us|nous) directly|directement",
    re.IGNORECASE,
)

CASES = [
    # (language, intent, sentiment, platform, author, text, specifics that must appear in every draft)
    (
        "fr",
        "complaint",
        "negative",
        "x",
        "Bastien Renaud",
        "@cyclune_aide commande #CL-20931 passée le 24/08, toujours aucune info de livraison. "
        "Vous pouvez regarder ?",
        ["Bastien", "#CL-20931"],
    ),
    (
        "fr",
        "complaint",
        "negative",
        "google_reviews",
        "Hugo Bernard",
        "Boutique de Paris (Roquette). Accueil froid, vendeur au téléphone pendant que j'attendais. "
        "Je n'ai pas eu l'impression d'être le bienvenu.",
        ["Hugo", "Paris"],
    ),
    (
        "en",
        "complaint",
        "negative",
        "x",
        "Dmitri",
        "My @cyclune_fr Lumen 2 battery went from 80% to 0% overnight while parked. Never happened before.",
        ["Dmitri", "Lumen 2"],
    ),
    (
        "en",
        "complaint",
        "negative",
        "trustpilot",
        "Mark Johnson",
        "Ordered online, order #CL-30112, and I was charged twice for the same bike. "
        "Still waiting for the refund.",
        ["Mark", "#CL-30112"],
    ),
]


@pytest.mark.parametrize(("lang", "intent", "sentiment", "platform", "name", "text", "expected"), CASES)
def test_complaint_drafts_apologise_name_the_specifics_and_move_to_private(
    lang, intent, sentiment, platform, name, text, expected
):
    drafts = draft_replies(
        mention(text, intent=intent, sentiment=sentiment, lang=lang, platform=platform),
        author=author(name),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=knowledge(),
        platform=platform,
        agent_name="Chloé",
        catalogue=catalogue(),
        now=TUESDAY_MORNING,
    )

    assert 2 <= len(drafts) <= 3
    assert len({d.text for d in drafts}) == len(drafts)
    assert all(all(word in d.text for word in expected) for d in drafts), [d.text for d in drafts]
    assert all(APOLOGY.search(d.text) for d in drafts)
    assert all(PRIVATE.search(d.text) for d in drafts)
    assert not any(DEFENSIVE.search(d.text) for d in drafts)
    assert all(len(d.text) <= limit_for(platform) for d in drafts)
    assert {get_language_detector().detect(d.text).code for d in drafts} == {lang}


QUESTIONS_ANSWERED = [
    (
        "fr",
        "facebook",
        "Sabrina Ouali",
        "Bonjour, vous faites le paiement en plusieurs fois ? Et est-ce qu'on peut "
        "cumuler avec la prime vélo de la Métropole de Lyon ?",
        "3 ou 4 fois sans frais",
    ),
    (
        "fr",
        "x",
        "Nico B.",
        "slt @cyclune_aide la boutique de lyon ouvre a quelle heure le samedi ?",
        "de 10 h à 19 h",
    ),
    (
        "en",
        "x",
        "Jake",
        "Do @cyclune_fr bikes come in XL? I'm 1.95m and the Lumen felt cramped",
        "1.88 to 2.02 m",
    ),
    ("en", "x", "Luke H.", "How long is the warranty on the @cyclune_fr Comète battery?", "800 full cycles"),
]


@pytest.mark.parametrize(("lang", "platform", "name", "text", "answer"), QUESTIONS_ANSWERED)
def test_a_question_the_knowledge_answers_gets_the_answer(lang, platform, name, text, answer):
    drafts = draft_replies(
        mention(text, intent="question", sentiment="neutral", lang=lang, platform=platform),
        author=author(name),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=knowledge(),
        platform=platform,
        catalogue=catalogue(),
        now=TUESDAY_MORNING,
    )

    assert 2 <= len(drafts) <= 3
    assert all(answer in d.text.replace("\u00a0", " ").replace("\u202f", " ") for d in drafts)
    assert all(name.split()[0] in d.text for d in drafts)
    assert all(d.knowledge_title is not None for d in drafts)
    assert all(len(d.text) <= limit_for(platform) for d in drafts)
    assert {get_language_detector().detect(d.text).code for d in drafts} == {lang}


QUESTIONS_OPEN = [
    (
        "fr",
        "Lisa",
        "@cyclune_aide est-ce que l'assurance vol de l'abonnement marche si le vélo est volé dans un "
        "local vélo fermé ?",
        r"aujourd.hui avant 18\sh",
    ),
    (
        "en",
        "Theo H.",
        "Anyone in Lyon know if the @cyclune_fr shop does repairs on bikes not bought from them?",
        "before 6 pm today",
    ),
]


@pytest.mark.parametrize(("lang", "name", "text", "when"), QUESTIONS_OPEN)
def test_a_question_without_an_answer_gets_a_precise_follow_up_promise(lang, name, text, when):
    drafts = draft_replies(
        mention(text, intent="question", sentiment="neutral", lang=lang),
        author=author(name),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=knowledge(),
        platform="x",
        agent_name="Chloé",
        catalogue=catalogue(),
        now=TUESDAY_MORNING,
    )

    assert 2 <= len(drafts) <= 3
    assert all(re.search(when, d.text) for d in drafts), [d.text for d in drafts]
    assert all(d.knowledge_title is None for d in drafts)
    assert {get_language_detector().detect(d.text).code for d in drafts} == {lang}


PRAISE = [
    (
        "fr",
        "google_reviews",
        "Martine Roche",
        "Très bon accueil à la boutique de la Guillotière. Mathis a pris le "
        "temps de m'expliquer les modèles sans me pousser à acheter le plus cher. J'ai pris la Comète. "
        "Je recommande.",
        ["Martine"],
        r"Mathis|sans me pousser|Comète",
    ),
    (
        "fr",
        "x",
        "Mélanie",
        "Petit mot pour Jordan, livreur @cyclune_fr, qui a monté mon vélo au 5e sans ascenseur "
        "avec le sourire 🙏",
        ["Mélanie"],
        r"Jordan|avec le sourire|livraison",
    ),
    (
        "en",
        "google_reviews",
        "Daniel Kim",
        "Excellent service at the Lyon shop. My rental had a flat 10 km out of "
        "town, they brought a replacement bike within the hour. Above and beyond.",
        ["Daniel"],
        r"Above and beyond|Lyon",
    ),
    (
        "en",
        "instagram",
        "Megan O'Brien",
        "Just picked up my Lumen 2 at the Lyon shop 🎉 They even printed the setup "
        "guide in English for me. @cyclune_fr you've got a fan.",
        ["Megan"],
        r"you've got a fan|Lumen 2|Lyon",
    ),
]


@pytest.mark.parametrize(("lang", "platform", "name", "text", "expected", "echo"), PRAISE)
def test_praise_is_thanked_personally_with_their_words(lang, platform, name, text, expected, echo):
    drafts = draft_replies(
        mention(text, intent="praise", sentiment="positive", lang=lang, platform=platform),
        author=author(name),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=knowledge(),
        platform=platform,
        catalogue=catalogue(),
        now=TUESDAY_MORNING,
    )

    assert 2 <= len(drafts) <= 3
    assert len({d.text for d in drafts}) == len(drafts)
    assert all(all(word in d.text for word in expected) for d in drafts)
    assert all(re.search(r"merci|thank", d.text, re.IGNORECASE) for d in drafts)
    assert any(re.search(echo, d.text) for d in drafts)
    assert not any(APOLOGY.search(d.text) for d in drafts)
    assert {get_language_detector().detect(d.text).code for d in drafts} == {lang}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "Franchement déçue par la nouvelle appli, tout est plus lent qu'avant."),
        ("en", "Honestly disappointed with the new app, everything is slower than before."),
    ],
)
def test_unhappy_without_a_request_gets_acknowledgement_and_an_open_door(lang, text):
    drafts = draft_replies(
        mention(text, intent="other", sentiment="negative", lang=lang, platform="mastodon"),
        author=author("Renaud"),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=knowledge(),
        platform="mastodon",
    )

    assert len(drafts) == 2
    assert all("Renaud" in d.text for d in drafts)
    assert all(re.search(r"message privé|by DM", d.text) for d in drafts)
    assert {get_language_detector().detect(d.text).code for d in drafts} == {lang}


def test_other_languages_get_the_workspace_language_and_no_handle_as_a_name():
    drafts = draft_replies(
        mention("¿Hacéis envíos a Madrid?", intent="question", sentiment="neutral", lang="es"),
        author=author("user123_bcn", handle="user123_bcn"),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=[],
        platform="x",
        now=TUESDAY_MORNING,
    )

    assert {d.lang for d in drafts} == {"fr"}
    assert not any("user123" in d.text or "@" in d.text for d in drafts)
    assert all(d.text.startswith("Bonjour") for d in drafts)


def test_french_drafts_use_french_spacing_and_vous():
    drafts = draft_replies(
        mention(
            "Toujours pas remboursée de ma commande #CL-44120, vous pouvez m'aider ?",
            intent="complaint",
            sentiment="negative",
        ),
        author=author("Odile"),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=[],
        platform="facebook",
        now=TUESDAY_MORNING,
    )

    assert all(re.search(r"\u202f[?!]|\u00a0:", d.text) for d in drafts)
    assert not any(re.search(r"\S[?!;]", d.text.replace("\u202f", " ")) for d in drafts)
    assert not any(re.search(r"\b(?:tu|ton|ta|tes|toi)\b", d.text) for d in drafts)


def test_drafts_fit_x_by_leaving_out_optional_sentences_never_mid_word():
    text = (
        "Ma Orbite sort de révision chez @cyclune_fr Lyon vendredi. Ce matin, en descendant la montée de la "
        "Boucle avec mes 2 gamins dans la caisse, le frein avant ne freine quasiment plus. C'est DANGEREUX."
    )
    drafts = draft_replies(
        mention(text, intent="complaint", sentiment="negative"),
        author=author("Guillaume F."),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=knowledge(),
        platform="x",
        agent_name="Mathis",
        catalogue=catalogue(),
        now=TUESDAY_MORNING,
    )

    assert all(len(d.text) <= 280 for d in drafts)
    assert all(d.text[-1] in ".!?…" or d.text.endswith("Mathis") for d in drafts)
    assert any("Orbite" in d.text for d in drafts)


def test_wording_avoids_what_the_team_sent_recently():
    message = mention(
        "Commande #CL-50001 toujours pas livrée, 2 semaines de retard.",
        intent="complaint",
        sentiment="negative",
        external_id="7",
    )
    first = draft_replies(
        message,
        author=author("Laura"),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=[],
        platform="facebook",
        now=TUESDAY_MORNING,
    )
    again = draft_replies(
        message,
        author=author("Laura"),
        brand_name="Cyclune",
        locale_fallback="fr",
        knowledge=[],
        platform="facebook",
        now=TUESDAY_MORNING,
        recent_replies=[d.text for d in first],
    )

    assert {d.text for d in first}.isdisjoint(d.text for d in again)
    assert all(d.originality > 0 for d in again)
