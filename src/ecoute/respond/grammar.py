"""The little grammar a reply needs to reuse the customer's words: "une pizza" becomes "votre
pizza", "le serveur" becomes "notre serveur", "1h15" becomes "ces 1 h 15", "3 days" becomes
"three days", and lists read "A, B et C".

Only what the wordings' fields need, in French and English; everything else is echoed as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FEW = -1  # "a few days", "plusieurs semaines": said as "quelques jours", "a few days"
SPELLED = {
    "fr": {1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept", 8: "huit", 9: "neuf"},
    "en": {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"},
}
SPELLED["fr"][10] = "dix"
SPELLED["en"][10] = "ten"
NUMBER_WORDS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "quinze": 15,
    "vingt": 20,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "few": FEW,
    "quelques": FEW,
    "plusieurs": FEW,
    "several": FEW,
}
# A unit as customers write it, and how a reply names it: (French one, French many, English).
UNITS = {
    "min": ("minute", "minutes", "minute"),
    "h": ("heure", "heures", "hour"),
    "jour": ("jour", "jours", "day"),
    "nuit": ("nuit", "nuits", "night"),
    "semaine": ("semaine", "semaines", "week"),
    "mois": ("mois", "mois", "month"),
    "an": ("an", "ans", "year"),
}
_UNIT_WORDS = (
    ("min", r"min(?:utes?|s)?\b|mn\b"),
    ("h", r"h(?:eures?|ours?|rs?)?\b"),
    ("jour", r"jours?\b|days?\b"),
    ("nuit", r"nuits?\b|nights?\b"),
    ("semaine", r"semaines?\b|weeks?\b|sem\b"),
    ("mois", r"mois\b|months?\b"),
    ("an", r"ans?\b|ann[ée]es?\b|years?\b"),
)
_COUNT = r"(?<![\w.,])(\d{1,3}|(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b)"
DURATION = re.compile(
    r"(?:(?:plus d[e'’]\s*|more than |over |about |presque |nearly |almost |près d[e'’]\s*)?)"
    + _COUNT
    + r"\s*(?:(h)\s*(\d{2})\b|("
    + "|".join(pattern for _, pattern in _UNIT_WORDS)
    + r"))",
    re.IGNORECASE,
)
_HALF_HOUR = re.compile(r"demi-heure|half an hour|half-hour", re.IGNORECASE)
_FEMININE_DET = frozenset({"une", "la", "ma", "ta", "sa", "cette"})
_PLURAL_DET = frozenset({"les", "des", "mes", "nos", "vos", "ces", "ses", "leurs", "plusieurs"})
_ELIDED_DET = frozenset({"l'", "l’"})


def parse_duration(text: str) -> tuple[int, str, int] | None:
    """(count, unit, extra minutes) of the first duration in ``text``: "1h15" → (1, "h", 15)."""
    if _HALF_HOUR.search(text):
        return (30, "min", 0)
    match = DURATION.search(text)
    if not match:
        return None
    raw = match.group(1).lower()
    count = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 1)
    if match.group(2):
        return (count, "h", int(match.group(3)))
    word = match.group(4).lower()
    unit = next(key for key, pattern in _UNIT_WORDS if re.fullmatch(pattern, word, re.IGNORECASE))
    return (count, unit, 0)


def say_duration(duration: tuple[int, str, int], lang: str) -> str:
    """ "trois jours", "1 h 15", "45 minutes", "an hour", "two weeks"."""
    count, unit, extra = duration
    if unit == "h" and extra:
        if lang == "fr":
            return f"{count} h {extra:02d}"
        return f"{count} hour{'s' if count > 1 else ''} {extra} minutes"
    one, many, english = UNITS[unit]
    if count == FEW:
        return f"quelques {many}" if lang == "fr" else f"a few {english}s"
    number = SPELLED[lang].get(count, str(count)) if unit not in {"min"} or count <= 10 else str(count)
    if lang == "fr":
        if count == 1:
            return f"une {one}" if one in {"heure", "minute", "nuit", "semaine"} else f"un {one}"
        return f"{number} {many}"
    if count == 1:
        return f"an {english}" if english == "hour" else f"a {english}"
    return f"{number} {english}s"


def this_duration(duration: tuple[int, str, int], lang: str) -> str:
    """The duration pointed at: "ces trois jours", "cette heure", "the two hours", "the hour"."""
    said = say_duration(duration, lang)
    if lang == "fr":
        if said.startswith("une "):
            return "cette " + said[4:]
        if said.startswith("un "):
            return "ce " + said[3:]
        return "ces " + said
    if said.startswith(("a ", "an ")):
        return "the " + said.split(" ", 1)[1]
    return "the " + said


def since(text: str, lang: str) -> str:
    """ "depuis 3 jours" → "depuis trois jours"; "for 2 weeks" → "for two weeks"; other spans
    ("depuis hier soir", "since Monday") are kept as written."""
    text = " ".join(text.split())
    duration = parse_duration(text)
    head = text.split(" ", 1)[0].lower()
    if duration and head in {"depuis", "for", "pendant"}:
        return f"{head} {say_duration(duration, lang)}"
    return text[:1].lower() + text[1:]


def is_feminine(det: str | None) -> bool:
    return (det or "").lower() in _FEMININE_DET


def is_plural(det: str | None, noun: str = "") -> bool:
    det = (det or "").lower()
    if det in _PLURAL_DET:
        return True
    if det:
        return False
    head = noun.split()[0] if noun.split() else noun
    return head.endswith(("s", "x")) and not head.endswith(("ss", "us", "is"))


def knows_gender(det: str | None, noun: str, lang: str) -> bool:
    """Whether "le/la/les/l'" can be told for ``noun`` from the article the customer wrote."""
    if lang != "fr" or is_plural(det, noun) or noun[:1].lower() in "aeiouyàâéèêîôœ":
        return True
    return (det or "").lower() in {"le", "la", "un", "une", "ce", "cet", "cette", "du", "ma", "mon"}


def your(det: str | None, noun: str, lang: str) -> str:
    """ "une pizza" → "votre pizza", "des frites" → "vos frites", "the steak" → "your steak"."""
    if lang == "fr":
        return ("vos " if is_plural(det, noun) else "votre ") + noun
    return "your " + noun


def the(det: str | None, noun: str, lang: str) -> str:
    """ "une pizza" → "la pizza", "un steak" → "le steak", "des moules" → "les moules"."""
    if lang != "fr":
        return "the " + noun
    if is_plural(det, noun):
        return "les " + noun
    if noun[:1].lower() in "aeiouyàâéèêîôœ" or (det or "").lower() in _ELIDED_DET:
        return "l'" + noun
    return ("la " if is_feminine(det) else "le ") + noun if (det or "").lower() != "du" else "le " + noun


def our(det: str | None, noun: str, lang: str) -> str:
    """ "le serveur" → "notre serveur", "the drivers" → "our drivers"."""
    if lang == "fr":
        return ("nos " if is_plural(det, noun) else "notre ") + noun
    return "our " + noun


_POSSESSIVE = frozenset({"mon", "ma", "mes", "notre", "nos", "my", "our"})
_DEFINITE = frozenset({"le", "la", "les", "l'", "l’"})


def the_or_your(det: str | None, noun: str, lang: str, *, ours: bool = False) -> str:
    """The customer's thing as a reply names it: "mon casque" → "votre casque", "le SAV" stays,
    "une promo" → "la promo"; with no article, "votre casque" (French) or "the packaging" — or,
    with ``ours``, "notre boutique" (what a customer praises is usually the business's)."""
    det = (det or "").lower()
    if det in _POSSESSIVE:
        return your(det, noun, lang)
    if ours and not det:
        return our(det, noun, lang)
    if lang != "fr":
        return "the " + noun
    if det in _DEFINITE:
        return det + noun if det.endswith(("'", "’")) else f"{det} {noun}"
    if det:
        return the(det, noun, lang) if knows_gender(det, noun, lang) else your(det, noun, lang)
    return your(None, noun, lang)


_DOUBLE = frozenset({"get", "set", "put", "stop", "run", "swap", "shop", "plan", "chat", "sit", "cut"})


def gerund(phrase: str) -> str:
    """ "import CSV files" → "importing CSV files", "change the date" → "changing the date"."""
    verb, _, rest = phrase.partition(" ")
    lower = verb.lower()
    if lower in _DOUBLE:
        verb = verb + verb[-1] + "ing"
    elif lower.endswith("e") and not lower.endswith(("ee", "ye", "oe")) and len(lower) > 2:
        verb = verb[:-1] + "ing"
    elif not lower.endswith("ing"):
        verb = verb + "ing"
    return f"{verb} {rest}".strip()


def join(items: Sequence[str], lang: str) -> str:
    """ "A", "A et B", "A, B et C" (English: "and")."""
    items = [item for item in items if item]
    if len(items) < 2:
        return items[0] if items else ""
    last = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + last + items[-1]
