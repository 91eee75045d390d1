"""The wordings as data: every sector's files load and hold what the drafts need, a workspace can
add its own (plain words only), and the three messages the issue quotes get drafts that name
their problem."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from ecoute.respond import Catalogue, draft_replies
from ecoute.respond.sectors import SECTORS
from ecoute.respond.wording import (
    LANGUAGES,
    USER_FIELDS,
    WordingError,
    check_overrides,
    load_wording,
    parse_overrides,
)
from respond.respond_factories import TUESDAY_MORNING, mention

DEFENSIVE = re.compile(
    r"malheureusement|comme indiqué|veuillez noter|unfortunately|as stated|please note|per our policy",
    re.IGNORECASE,
)
# Slots that need only one wording: each is used once in a while, never in every reply.
SINGLE = {"sign", "answer_more_place", "order_status", "callback_nochannel"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("sector", SECTORS)
def test_every_sector_loads_with_varied_non_defensive_wordings(sector, lang):
    wording = load_wording(sector, lang)

    assert {
        "apology",
        "private",
        "private_noask",
        "neg_ack_problem",
        "promise_subject",
    } <= wording.slots.keys()
    for slot, texts in wording.slots.items():
        assert slot in SINGLE or len(texts) >= 2, slot
        assert not any(DEFENSIVE.search(text) for text in texts), slot
    for spec in (*wording.problems, *wording.questions, *wording.praise):
        assert not any(DEFENSIVE.search(text) for text in (*spec.name, *spec.next, *spec.echo)), spec.key
        assert set(spec.ask) <= wording.asks.keys(), (spec.key, spec.ask)
    assert set(wording.general_ask) <= wording.asks.keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_praise_echo_names_what_it_read(lang):
    for spec in load_wording("other", lang).praise:
        assert spec.echo and all("{" in text for text in spec.echo), spec.key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_problem_can_be_named_and_has_a_next_step(lang):
    for spec in load_wording("other", lang).problems:
        assert spec.name, spec.key
        assert spec.next or spec.fallback, spec.key


ISSUE_MESSAGES = [
    (
        "restaurant",
        "fr",
        "1h15 d'attente pour une pizza froide… le serveur nous a parlé comme à des chiens",
        ["1 h 15", "pizza froide", "serveur"],
    ),
    ("hotel", "en", "Found a cockroach in the bathroom of room 214. Disgusting.", ["cockroach", "room 214"]),
    ("telecom", "fr", "la fibre coupée depuis 3 jours à Lille", ["fibre", "Lille", "trois jours"]),
]


@pytest.mark.parametrize(("sector", "lang", "text", "named"), ISSUE_MESSAGES)
def test_the_issues_three_messages_get_their_problem_named_and_no_order_number_asked(
    sector, lang, text, named
):
    drafts = draft_replies(
        mention(text, intent="complaint", sentiment="negative", lang=lang, platform="google_reviews"),
        author=SimpleNamespace(display_name="Sam"),
        brand_name="Maison Test",
        locale_fallback="fr",
        knowledge=[],
        platform="google_reviews",
        catalogue=Catalogue(sector=sector),
        now=TUESDAY_MORNING,
    )

    texts = [d.text.replace("\u00a0", " ").replace("\u202f", " ") for d in drafts]
    assert all(all(word in text for word in named) for text in texts), texts
    assert not any(re.search(r"commande|order number|quelques détails|a few details", t) for t in texts), (
        texts
    )


ADDITIONS = """
[fr.problems.parking]
words = ["parking plein", "pas de place*", "stationnement"]
name = ["le parking complet{where?}"]
next = [
    "Nous ouvrons le parking du bas le week-end dès samedi.",
    "Le parking voisin vous est offert dès samedi.",
]
ask = ["visit"]

[fr.words]
team = "la direction du centre"
"""


def test_a_workspace_adds_a_problem_of_its_own_with_plain_words():
    drafts = draft_replies(
        mention(
            "Pas de place au parking samedi à Nantes, on a tourné 30 minutes !",
            intent="complaint",
            sentiment="negative",
        ),
        author=SimpleNamespace(display_name="Léa"),
        brand_name="Centre Atlantis",
        locale_fallback="fr",
        knowledge=[],
        platform="facebook",
        catalogue=Catalogue(sector="other", wordings=ADDITIONS),
        now=TUESDAY_MORNING,
    )

    assert all("le parking complet" in d.text for d in drafts), [d.text for d in drafts]
    assert any("parking du bas" in d.text or "parking voisin" in d.text for d in drafts)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fr.problems.x]\ncues = ['a+']\nname = ['x']", "fr.problems.x: use plain 'words'"),
        ("[de.slots]\nthanks = ['Danke']", "top-level tables are languages"),
        ("[fr.slot]\nthanks = ['merci']", "fr.slot: unknown table"),
        ("[fr.slots]\nthanks = [merci]", "line 2"),
        ("[fr.slots]\nthanks = ['merci {name']", "fr.slots.thanks"),
        ("[fr.problems.x]\nwords = ['bruit']\nnom = ['x']", "unknown key 'nom'"),
    ],
)
def test_a_workspace_addition_that_cannot_be_used_is_refused_naming_where(text, message):
    with pytest.raises(WordingError, match=re.escape(message)):
        check_overrides(text, "restaurant")


def test_a_workspace_addition_keeps_its_plain_words_plain():
    data = parse_overrides("[en.problems.q]\nwords = ['(a+)+$']\nrequires = ['x.*']\nname = ['the q']")

    assert data["en"]["problems"]["q"]["requires"] == [r"(?<!\w)(?:x\.\w*)(?!\w)"]
    wording = load_wording("other", "en", overrides="[en.problems.q]\nwords = ['(a+)+$']\nname = ['the q']")
    cue = next(spec for spec in wording.problems if spec.key == "q").cues[0]
    assert cue.search("(a+)+$ here") and not cue.search("aaaa")


def test_a_field_a_workspace_cannot_have_is_named():
    with pytest.raises(WordingError, match=r"fr\.problems\.p\.name: unknown field \{wher\}"):
        check_overrides("[fr.problems.p]\nwords = ['parking']\nname = ['le parking{wher?}']", "other")


def test_every_field_the_drafts_fill_is_one_a_workspace_may_use():
    from ecoute.respond import fields as draft_fields
    from ecoute.respond.specifics import extract

    text = "Commande #45821 de 89 € pour mon Aria, attendu 3 semaines, rue Pasteur, chambre 2, depuis hier"
    specifics = extract(text, lang="fr", products=("Aria",))
    context = draft_fields.message_context(text, specifics, load_wording("hotel", "fr"))

    assert set(context) <= USER_FIELDS
