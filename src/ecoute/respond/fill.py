"""Filling a wording's fields: ``{field}`` must be known, ``{field?}`` may be left out.

    fill("la coupure de fibre{where?}{since?}", {"where": "à Lille"})  # "la coupure de fibre à Lille"
    fill("votre {noun} {adj}", {"noun": "pizza"})                       # None: {adj} is unknown

An optional field brings its own space when it has a value, so a wording reads the same with or
without it. French text then gets its elisions and contractions ("de attente" → "d'attente",
"de le dimanche" → "du dimanche"), outside the customer's own words quoted in « ».
"""

from __future__ import annotations

import re
from collections.abc import Mapping

FIELD = re.compile(r"{(\w+)(\?)?}")
# "de/que/le/la/ce" before a vowel; "h" only in the words where French elides it.
_ELIDE = re.compile(
    r"(?<![-\w])(de|que|le|la|je|ne|jusque|lorsque|puisque)\s+(?=(?:[aeiouyàâéèêëîïôœù]|h(?:ôtel|eure|iver|omme|abit|ist|ygi|uil|ôpit|orair|onneur)))",
    re.IGNORECASE,
)
_CONTRACT = {"de le": "du", "de les": "des", "à le": "au", "à les": "aux"}
_CONTRACTION = re.compile(r"\b(de|à) (le|les)\b(?!['’])", re.IGNORECASE)
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”")


def fields(template: str) -> tuple[set[str], set[str]]:
    """The required and the optional fields of ``template``."""
    required, optional = set(), set()
    for name, question in FIELD.findall(template):
        (optional if question else required).add(name)
    return required, optional


def fill(template: str, values: Mapping[str, str], lang: str | None = None) -> str | None:
    """``template`` with its fields filled, or None when a required one has no value."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1)) or ""
        if match.group(2):
            return f" {value}" if value else ""
        missing = missing or not value
        return value

    text = FIELD.sub(replace, template)
    if missing:
        return None
    return french_joins(text) if lang == "fr" else text


def french_joins(text: str) -> str:
    """Elide and contract French articles, leaving quoted words alone."""
    pieces = []
    last = 0
    for quote in _QUOTED.finditer(text):
        pieces.append(_join(text[last : quote.start()]))
        pieces.append(quote.group(0))
        last = quote.end()
    pieces.append(_join(text[last:]))
    return "".join(pieces)


def _join(chunk: str) -> str:
    chunk = _CONTRACTION.sub(lambda m: _keep_case(m.group(0), _CONTRACT[m.group(0).lower()]), chunk)
    return _ELIDE.sub(lambda m: m.group(1)[:-1] + "'", chunk)


def _keep_case(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement
