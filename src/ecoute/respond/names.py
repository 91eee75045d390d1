"""What to call a customer: a first name read from their display name, or nothing at all.

A reply that opens with "Bonjour Claire" reads as written by a person; one that opens with
"Bonjour @claire_vtf" or "Bonjour Crypto" reads as a bot. So this is deliberately cautious: a
display name gives a first name only when its first word looks like one (a capitalised word of
letters, not a title, an article, the brand, a place or a word businesses use in their names),
and the name as a whole does not look like an organisation ("Lyon Actu Flash", "Cargo & Famille",
"VéloDiscount Lyon"). Handles are never used: "gonemaison" or "bigoudi_42" are not names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Whatever follows one of these is a tagline, not part of the name:
# "Aurélie | maman vélotaf", "Hannah Cole — Sprocket & Circuit", "Youssef (livreur)".
_TAGLINE = re.compile(r"\s[|—–·•/-]\s|[|(\[,:·•]|\s+\bin\b\s")


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, for readable word lists."""
    return frozenset(text.split())


_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")
_FIRST_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?:[-'’][A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+)?$")
_INNER_CAPITAL = re.compile(r"[a-zß-öø-ÿ][A-ZÀ-ÖØ-Þ]")

TITLES = words("m mme mlle me dr pr mr mrs ms miss sir madame monsieur mademoiselle maitre docteur")
ARTICLES = words("le la les l un une des du de mon ma mes notre nos the a an my our your")
# Words that make a display name an organisation's (folded: no accents, lower case).
ORGANISATION_WORDS = words(
    """
    shop store boutique magasin agency agence actu actus actualite actualites info infos news flash
    insider deal deals prices prix promo promos boost crypto token king queen official officiel
    officielle service client clients support aide help team equipe pro france fr velo velos bike
    bikes ebike cycle cycles cycling cyclisme maison famille family discount follow followers
    rencontres signals parts cheap collab club magazine mag media blog tv channel radio journal
    courrier gazette daily hebdo cash rapide gagne giveaway win growth insta continu sprocket
    circuit urban watts pedale pedalier reviews review tech labs studio group groupe sarl sas inc
    ltd co company compagnie association asso mairie ville
    """
)
PLACES = words(
    """
    lyon paris bordeaux marseille toulouse nantes lille nice strasbourg montpellier rennes grenoble
    london londres europe brussels bruxelles geneve geneva berlin
    """
)


def fold(word: str) -> str:
    """Lower case without accents, for comparing words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def first_name(display_name: str | None, *, exclude: Iterable[str] = ()) -> str | None:
    """The customer's first name, or None when the display name does not clearly give one.

    ``exclude`` holds more words that are never a person's name here: the brand and its
    products, the workspace's places.
    """
    if not display_name:
        return None
    head = _TAGLINE.split(display_name.strip(), maxsplit=1)[0]
    raw_tokens = head.split()
    if not raw_tokens or any(_looks_like_handle(token) for token in raw_tokens):
        return None
    if _INNER_CAPITAL.search(raw_tokens[0].replace("-", " ")):  # "CryptoSensei"; "McLean" is fine later
        return None
    words = _WORD.findall(head)
    if not words or "&" in head or "+" in head:
        return None
    excluded = {fold(word) for phrase in exclude for word in _WORD.findall(phrase)}
    folded = [fold(word) for word in words]
    if any(word in ORGANISATION_WORDS or word in excluded for word in folded):
        return None
    candidate = words[0]
    if folded[0] in TITLES or folded[0] in ARTICLES or folded[0] in PLACES:
        return None
    if not _FIRST_NAME.match(candidate) or len(candidate) > 20:
        return None
    return candidate


def _looks_like_handle(token: str) -> bool:
    """ "@claire", "bigoudi_42", "Followers4U", "CYCLUNE": not how people sign their posts."""
    if any(ch in token for ch in "@_#$") or any(ch.isdigit() for ch in token):
        return True
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) > 2 and all(ch.isupper() for ch in letters)
