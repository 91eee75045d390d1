"""The specifics of a message that a careful reply picks up: order and ticket numbers, the product,
the shop or town, an amount, how long they have waited, who on the team they thank, the words
they used to praise, where it happened and what they already told us (see ``facts``). What the
message is about (its problems, its question, what it praises) is read with the wordings
(``reading``).

Everything is read from the text alone with patterns, offline. A workspace's own catalogue of
products and places (``products=``, ``places=``) makes the reading exact; without it, products
are recognised next to the brand's name ("Cyclune Orbite", "la Comète de Cyclune") and places
after a shop word ("la boutique de Paris", "the Lyon shop") or among well-known cities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import grammar
from .facts import Facts, read_facts
from .names import ORGANISATION_WORDS, PLACES, first_name, fold, words

_TICKET_PREFIXES = frozenset({"SAV", "TICKET", "TK", "CASE", "REF", "INC", "TCK", "DOSSIER"})
_REFERENCE = re.compile(r"(?<![\w/@])#?([A-Z]{1,5}-?\d{4,})\b")
_ORDER_WORDED = re.compile(
    r"\b(?:commande|cde|order)\s*(?:n[°o]\.?|num[ée]ro|number|no\.?)?\s*:?\s*(#?\d{4,})\b", re.IGNORECASE
)
_ORDER_HASH = re.compile(r"(?<![\w&])#(\d{5,})\b")
_TICKET_CONTEXT = re.compile(r"(?:ticket|dossier|case|r[ée]f|incident|SAV)\W{0,3}$", re.IGNORECASE)
_AMOUNT = re.compile(
    r"(?:€|£|\$)\s?\d[\d  ,.]*\d|\b\d{1,3}(?:[  ]\d{3})*(?:[.,]\d{1,2})?\s?(?:€|euros?\b|£)", re.IGNORECASE
)
# A duration counts only as a wait: "attendu 5 semaines", "3 semaines de retard", "for two weeks".
_WAIT_BEFORE = re.compile(
    r"(?:attendu|attends|attente|depuis|ça fait|ca fait|cela fait|il a fallu|il y a|waited|waiting|for|took|"
    r"after|pendant|avant)\s+(?:plus d['’]\s?|more than\s|over\s|près d['’]\s?|nearly\s)?$",
    re.IGNORECASE,
)
_WAIT_AFTER = re.compile(
    r"^\s*(?:de retard|d['’]attente|sans|late|of waiting|without|later|in review|plus tard|!)", re.IGNORECASE
)
_VENUE = re.compile(
    r"\b(?:boutique|magasin|atelier|agence|shop|store|workshop)\s+(?:de|du|des|d'|d’|à|in|at)\s*"
    r"((?:la |le |l'|l’)?[A-ZÀ-Ý][\w'’-]+(?:[ -][A-ZÀ-Ý][\w'’-]+)?)"
)
_VENUE_EN = re.compile(r"\b(?:the|our|your)\s+([A-Z][\w-]+)\s+(?:shop|store|workshop)\b")
_CITY = {
    "fr": re.compile(r"(?<=[a-zà-ÿ,] )(?:à|au|vers)\s+([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?)"),
    "en": re.compile(r"(?<=[a-z,] )(?:in|at|to|near)\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)"),
}
# "ma Lumen 2", "the Lumen 1": a capitalised word and a digit after a determiner.
_MODEL = re.compile(
    r"\b(?i:ma|mon|la|le|l'|l’|une|un|my|the|a|votre|your|notre|our)\s+([A-ZÀ-Ý][a-zà-ÿ]{2,}\s\d)\b(?![\d,.:h%])"
)
_STAFF_PATTERNS = (
    re.compile(
        r"\b(?i:merci|bravo|thanks|thank you|kudos|shout[- ]?out)\s+(?:(?i:à|a|to)\s+)?([A-ZÀ-Ý][a-zà-ÿ]+)"
    ),
    re.compile(
        r"\b([A-ZÀ-Ý][a-zà-ÿ]+)\s+(?:est|était|a été|is|was)\s+(?:vraiment\s+|really\s+|so\s+)?"
        r"(?:top|génial|géniale|adorable|super|parfait|parfaite|le meilleur|la meilleure|the best|great|"
        r"une magicienne|un magicien|une perle|un amour|au top|"
        r"amazing|lovely|brilliant|fantastic|helpful|patient|incroyable)"
    ),
    re.compile(
        r"\b(?i:vendeur|vendeuse|livreur|livreuse|mécanicien|mécanicienne|technicien|technicienne|"
        r"conseiller|conseillère|mechanic|driver|courier)\s+([A-ZÀ-Ý][a-zà-ÿ]+)"
    ),
    re.compile(r"\b([A-ZÀ-Ý][a-zà-ÿ]+)\s+(?:m'a|m’a|nous a|a pris|let me|let us|took|helped|fixed|sorted)\b"),
    re.compile(
        r"\b([A-ZÀ-Ý][a-zà-ÿ]+),?\s(?i:our|your|notre|votre|the)\s[a-zé]+\s(?i:was|is|were|est|était|a été)\b"
    ),
    re.compile(r"\b(?i:mot|shout-?out|big up|prime|bravo)\s+(?i:pour|à|for|to)\s+([A-ZÀ-Ý][a-zà-ÿ]+)"),
)
_TITLE = re.compile(r"\b(Mme|Mlle|M\.|Madame|Monsieur|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s$")
_NOT_STAFF = words(
    """le la les il elle on ce cet cette ca je tu nous vous ils elles mon ma mes son sa ses leur the it he
    she they we i you this that my our your his her their its merci bravo super top vraiment service
    support team equipe boutique atelier livraison everyone tout tous toute toutes motor moteur bike velo
    app appli battery batterie price prix staff delivery shop store english french anglais francais
    january february march april may june july august september october november december janvier fevrier
    mars avril mai juin juillet aout septembre octobre novembre decembre monday tuesday wednesday
    thursday friday saturday sunday lundi mardi mercredi jeudi vendredi samedi dimanche"""
)
# Words customers use to praise that are worth quoting back; the most distinctive first.
PRAISE_QUOTES = (
    "rien à redire",
    "aucun regret",
    "meilleur achat",
    "sans me pousser",
    "avec le sourire",
    "prix honnête",
    "simple et honnête",
    "un vrai plus",
    "bien rattrapé le coup",
    "très agréable",
    "même pas mal",
    "je recommande",
    "above and beyond",
    "no questions asked",
    "you've got a fan",
    "boring in a good way",
    "would rent again",
    "what a friendly place",
    "no pressure",
    "great value",
    "genuinely good",
    "night and day",
    "small gestures",
    "highly recommend",
    "small thing, big difference",
    "back to loving",
    "i recommend",
)
_CONTRAST = re.compile(
    r"\b(?:mais|par contre|dommage|bémol|sauf que|quand même|au moins|c'est déjà ça|but|though|only gripe|"
    r"shame|however|except|at least)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Specifics:
    orders: tuple[str, ...] = ()
    tickets: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    city: str | None = None
    amount: str | None = None
    duration: str | None = None
    staff: tuple[str, ...] = ()
    quote: str | None = None
    mixed: bool = False
    facts: Facts = Facts()

    @property
    def order(self) -> str | None:
        return self.orders[0] if self.orders else None

    @property
    def product(self) -> str | None:
        return self.products[0] if self.products else None

    @property
    def place(self) -> str | None:
        return self.places[0] if self.places else None


def extract(
    text: str,
    *,
    lang: str,
    brand_name: str = "",
    products: Sequence[str] = (),
    places: Sequence[str] = (),
    other_names: Sequence[str] = (),
    author_first_name: str | None = None,
) -> Specifics:
    """Read the specifics of one message (``lang`` decides how a duration is spelt out).

    ``other_names`` are names that are neither staff nor places (competitors, partners).
    """
    orders, tickets = _references(text)
    found_products = _products(text, brand_name, products)
    found_places = _places(text, brand_name, places, found_products)
    exclude = [brand_name, *found_products, *found_places, *places, *other_names, author_first_name or ""]
    city = _city(text, lang, exclude)
    return Specifics(
        orders=orders,
        tickets=tickets,
        products=found_products,
        places=found_places,
        city=city,
        amount=_first(_AMOUNT, text),
        duration=_duration(text, lang),
        staff=_staff(text, exclude),
        quote=_quote(text),
        mixed=bool(_CONTRAST.search(text)),
        facts=read_facts(
            text, lang=lang, has_reference=bool(orders or tickets), has_city=bool(city or found_places)
        ),
    )


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group(0).split()) if match else None


def _references(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    orders: list[str] = []
    tickets: list[str] = []
    for match in _REFERENCE.finditer(text):
        reference = match.group(0)
        prefix = re.match(r"[A-Z]+", match.group(1))
        is_ticket = (prefix and prefix.group(0) in _TICKET_PREFIXES) or _TICKET_CONTEXT.search(
            text[max(0, match.start() - 12) : match.start()]
        )
        (tickets if is_ticket else orders).append(reference)
    for pattern in (_ORDER_WORDED, _ORDER_HASH):
        for match in pattern.finditer(text):
            number = match.group(1) if match.group(1).startswith("#") else f"#{match.group(1)}"
            if not any(number.lstrip("#") in known for known in orders):
                orders.append(number)
    return tuple(dict.fromkeys(orders)), tuple(dict.fromkeys(tickets))


def _products(text: str, brand_name: str, catalogue: Sequence[str]) -> tuple[str, ...]:
    folded = fold(text)
    found: list[str] = []
    for product in catalogue:
        base, _, number = product.rpartition(" ") if product[-1:].isdigit() else (product, "", "")
        match = re.search(rf"(?<!\w){re.escape(fold(base))}(?:\s+(\d+))?(?!\w)", folded)
        if match:
            found.append(
                base + (f" {match.group(1)}" if match.group(1) else (f" {number}" if not base else ""))
            )
    if catalogue:
        return tuple(dict.fromkeys(found))
    for match in _MODEL.finditer(text):
        if fold(match.group(1).split()[0]) not in ORGANISATION_WORDS | PLACES | _NOT_STAFF:
            found.append(match.group(1))
    if brand_name and not found:
        brand = re.escape(brand_name)
        for pattern in (
            rf"\b{brand}\s+([A-ZÀ-Ý][\w-]+(?:\s\d+)?)",
            rf"\b([A-ZÀ-Ý][\w-]+(?:\s\d+)?)\s+(?:de|from)\s+{brand}\b",
            rf"\b{brand}['’]s\s+([A-ZÀ-Ý][\w-]+(?:\s\d+)?)",
        ):
            for match in re.finditer(pattern, text):
                word = match.group(1)
                if fold(word.split()[0]) not in ORGANISATION_WORDS | PLACES:
                    found.append(word)
    return tuple(dict.fromkeys(found))


def _places(text: str, brand_name: str, catalogue: Sequence[str], products: Sequence[str]) -> tuple[str, ...]:
    folded = fold(text)
    found = [place for place in catalogue if re.search(rf"\b{re.escape(fold(place))}\b", folded)]
    skip = {fold(brand_name), *(fold(p) for p in products)}
    for pattern in (_VENUE, _VENUE_EN):
        for match in pattern.finditer(text):
            if fold(match.group(1)) not in skip:
                found.append(match.group(1))
    for word in re.findall(r"[^\W\d_]+", text):
        if fold(word) in PLACES and not any(fold(word) in fold(place) for place in found):
            found.append(word[0].upper() + word[1:])
    return tuple(dict.fromkeys(found))


def _city(text: str, lang: str, exclude: Sequence[str]) -> str | None:
    excluded = {fold(word) for phrase in exclude if phrase for word in phrase.split()}
    for match in _CITY["fr" if lang == "fr" else "en"].finditer(text):
        if fold(match.group(1)) not in excluded and fold(match.group(1)) not in _NOT_STAFF:
            return match.group(1)
    return None


def _duration(text: str, lang: str) -> str | None:
    """How long they waited, spelt out ("trois semaines"), when the message says it is a wait."""
    for match in grammar.DURATION.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        if _WAIT_BEFORE.search(before[-40:]) or _WAIT_AFTER.search(after):
            duration = grammar.parse_duration(match.group(0))
            if duration is not None:
                return grammar.say_duration(duration, lang)
    return None


def _staff(text: str, exclude: Sequence[str]) -> tuple[str, ...]:
    excluded = {fold(word) for phrase in exclude if phrase for word in phrase.split()}
    names = []
    for pattern in _STAFF_PATTERNS:
        for match in pattern.finditer(text):
            word = match.group(1)
            if fold(word) in _NOT_STAFF or fold(word) in excluded or fold(word) in PLACES:
                continue
            title = _TITLE.search(text[max(0, match.start(1) - 10) : match.start(1)])
            if title:  # "Mme Diallo": a colleague named with a title keeps it
                names.append(f"{title.group(1)} {word}")
            elif first_name(word) == word:
                names.append(word)
    return tuple(dict.fromkeys(names))


def _quote(text: str) -> str | None:
    lowered = text.casefold().replace("’", "'")
    for phrase in PRAISE_QUOTES:
        index = lowered.find(phrase)
        if index >= 0:
            return text[index : index + len(phrase)]
    return None
