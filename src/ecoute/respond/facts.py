"""Where and since when, from the message itself: the room, the street or the neighbourhood, how
long it has lasted, and which details the customer already gave (so a reply never asks for them).

    found = read_facts("Poubelles pas ramassées depuis 10 jours rue Pasteur", lang="fr")
    found.street, found.since, found.given        # "rue Pasteur", "depuis dix jours", {"address", …}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import grammar

_ROOM = re.compile(
    r"\b(?:chambre|room|suite)\s*(?:n°|no\.?|num[ée]ro|number|#)?\s*(\d{1,4})\b", re.IGNORECASE
)
_STREET_FR = re.compile(
    r"\b(?:\d{1,4}(?:\s?(?:bis|ter))?,?\s)?(?:rue|avenue|boulevard|place|all[ée]e|chemin|impasse|quai|route|cours)"
    r"\s(?:de la |de l['’]|du |des |de |d['’])?[A-ZÀ-Ý][\w'’-]+(?:\s[A-ZÀ-Ý][\w'’-]+)*"
)
_STREET_EN = re.compile(
    r"\b(?:\d{1,4}\s)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s(?:Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Way|"
    r"Crescent|Square|Hill|Terrace|Grove|Parade)\b"
)
_AREA_FR = re.compile(
    r"\bquartier\s(?:de la |de l['’]|du |des |de |d['’])?[A-ZÀ-Ý][\w'’-]+(?:[\s-][A-ZÀ-Ý][\w'’-]+)*"
)
_WEEKDAYS_FR = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_WEEKDAYS_EN = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_SINCE = {
    "fr": re.compile(
        r"\b(?:depuis|pendant)\s(?:plus d['’]\s?|presque |près d['’]\s?)?(?:"
        + grammar.DURATION.pattern
        + r"|hier(?: soir| matin)?|avant-hier|ce matin|cette nuit|ce week-end|le week-end|"
        + _WEEKDAYS_FR
        + r"(?: soir| matin| dernier)?|\d{1,2}\s?h(?:\d{2})?|début \w+|mi-\w+|des (?:jours|semaines|mois))",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\b(?:since\s(?:yesterday|this morning|last night|the weekend|last \w+|"
        + _WEEKDAYS_EN
        + r")|for\s(?:over |more than |nearly |almost )?(?:"
        + grammar.DURATION.pattern
        + r"))",
        re.IGNORECASE,
    ),
}
_DATE = re.compile(
    r"\b(?:"
    + _WEEKDAYS_FR
    + "|"
    + _WEEKDAYS_EN
    + r"|hier|yesterday|ce matin|this morning|ce soir|tonight|last night|\d{1,2}/\d{1,2}|"
    r"\d{1,2}\s?h\s?\d{0,2}|"
    r"\d{1,2}[:.]\d{2}|\d{1,2}\s?(?:am|pm)|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|"
    r"octobre|novembre|d[ée]cembre|january|february|march|april|june|july|august|september|october|"
    r"november|december)\b",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"\b(?:iphone|ipad|android|pixel|samsung|galaxy|macbook|mac|windows|huawei|xiaomi|oneplus|"
    r"ios\s?\d+|\d+\.\d+(?:\.\d+)?)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")


@dataclass(frozen=True)
class Facts:
    room: str | None = None
    street: str | None = None
    area: str | None = None
    since: str | None = None
    given: frozenset[str] = frozenset()


def read_facts(text: str, *, lang: str, has_reference: bool = False, has_city: bool = False) -> Facts:
    """The room, street, area and "since when" of ``text``, and which details it already gives
    (``given``: reference, date, address, room, city, device, email)."""
    room = _first(_ROOM, text, group=1)
    street = _first(_STREET_FR if lang == "fr" else _STREET_EN, text) or _first(_STREET_EN, text)
    area = _first(_AREA_FR, text) if lang == "fr" else None
    since_span = _first(_SINCE.get(lang, _SINCE["en"]), text)
    given = {
        name
        for name, present in (
            ("reference", has_reference),
            ("date", bool(_DATE.search(text) or since_span)),
            ("address", bool(street)),
            ("room", bool(room)),
            ("city", has_city or bool(street or area)),
            ("device", bool(_DEVICE.search(text))),
            ("email", bool(_EMAIL.search(text))),
        )
        if present
    }
    return Facts(
        room=room,
        street=street,
        area=area,
        since=grammar.since(since_span, lang) if since_span else None,
        given=frozenset(given),
    )


def _first(pattern: re.Pattern[str], text: str, *, group: int = 0) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group(group).split()) if match else None
