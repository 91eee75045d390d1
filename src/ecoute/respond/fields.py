"""The fields a draft's wordings are filled with: what the message says (its problems, the subject of
its question, what it praises, where and since when), who writes and where to, and what to ask.

    reading = read_message(text, specifics, wording, intent=…)
    values = draft_values(reading, specifics, wording, …)      # {"problem": "la coupure de fibre…", …}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from . import grammar
from .fill import fill
from .knowledge import KnowledgeMatch
from .reading import Found, read
from .specifics import Specifics
from .types import NO_PRIVATE_MESSAGES, Catalogue
from .wording import Wording


@dataclass(frozen=True)
class Reading:
    """What the message is about, as the wordings read it."""

    problems: tuple[Found, ...] = ()
    subject: Found | None = None
    praised: tuple[Found, ...] = ()
    context: Mapping[str, str] | None = None

    @property
    def main(self) -> Found | None:
        """The problem the next step is about: the first serious one, else the first one named."""
        return next((f for f in self.problems if f.spec.serious), self.problems[0] if self.problems else None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.problems)


def read_message(text: str, specifics: Specifics, wording: Wording, *, intent: str) -> Reading:
    context = message_context(text, specifics, wording)
    lang = wording.lang
    # A praise's reservation is read with the named problems only: no guessing what it is about.
    specs = wording.problems if intent != "praise" else tuple(s for s in wording.problems if not s.fallback)
    problems = tuple(read(text, specs, lang=lang, context=context))
    subject = None
    if intent == "question":
        subject = _subject(text, wording, context)
    praised = tuple(read(text, wording.praise, lang=lang, context=context, limit=2))
    return Reading(problems, subject, praised, context)


def _subject(text: str, wording: Wording, context: Mapping[str, str]) -> Found | None:
    """What a question is about: the reading that covers most of it; the customer's own words
    (a last-resort reading) when they say clearly more than the named subject would."""
    named = [s for s in wording.questions if not s.fallback]
    last = [s for s in wording.questions if s.fallback]
    lang, limit = wording.lang, len(wording.questions)
    best = max(read(text, named, lang=lang, context=context, limit=limit), key=_span, default=None)
    own = max(read(text, last, lang=lang, context=context, limit=limit), key=_span, default=None)
    if own is not None and (best is None or _said_length(own) >= 1.6 * len(best.phrase)):
        return own
    return best


def _span(found: Found) -> int:
    return found.end - found.start


def _said_length(found: Found) -> int:
    """How much of the question a last-resort reading echoes (its phrase, not its scaffolding)."""
    return max((len(found.values[key]) for key in ("act", "what", "item") if key in found.values), default=0)


def message_context(text: str, specifics: Specifics, wording: Wording) -> dict[str, str]:
    """Fields every reading's templates may use: where, since when, the order, the amount…"""
    lang = wording.lang
    facts = specifics.facts
    places = (_street(facts.street, lang), _area(facts.area, lang), _where(text, specifics, lang))
    where = " ".join(p for p in places if p)
    duration = grammar.parse_duration(specifics.duration or "")
    context = {
        **{key: value for key, value in wording.words.items() if value},
        "where": where or "",
        "room": facts.room or "",
        "in_room": _said(lang, "dans la chambre {}", "in room {}", facts.room),
        "since": facts.since or "",
        "order": specifics.order or "",
        "amount": specifics.amount or "",
        "of_amount": _said(lang, "de {}", "of {}", specifics.amount),
        "of_product": _said(lang, "de votre {}", "of your {}", specifics.product),
        "on_product": _said(lang, "de votre {}", "on your {}", specifics.product),
        "product": specifics.product or "",
        "place": specifics.place or "",
        "duration": specifics.duration or "",
        "this_duration": grammar.this_duration(duration, lang) if duration else "",
        "update": _first(_UPDATE[lang], text),
    }
    return {key: value for key, value in context.items() if value}


_UPDATE = {
    "fr": re.compile(r"\b(?:depuis|après) la (?:dernière )?mise à jour(?: \d[\d.]*\d)?", re.IGNORECASE),
    "en": re.compile(r"\b(?:since|after) the (?:last |latest )?update(?: \d[\d.]*\d)?", re.IGNORECASE),
}


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0)[:1].lower() + match.group(0)[1:] if match else ""


def _said(lang: str, french: str, english: str, value: str | None) -> str:
    return (french if lang == "fr" else english).format(value) if value else ""


def _street(street: str | None, lang: str) -> str | None:
    """ "rue Pasteur", "au 12 rue des Lilas", "on Elm Street"."""
    if not street:
        return None
    if lang == "fr":
        return f"au {street}" if street[:1].isdigit() else street
    return f"at {street}" if street[:1].isdigit() else f"on {street}"


def _area(area: str | None, lang: str) -> str | None:
    return f"dans le {area}" if area and lang == "fr" else None


_WHERE = {
    "fr": r"\b(?:à|au|aux|en|dans|dans tout|dans toute|sur|vers)\s+(?:la |le |l['’])?{place}\b",
    "en": r"\b(?:in|at|near|on|around|across)\s+(?:the )?{place}\b",
}
# A town the customer names after a preposition, known or not ("dans tout Villeurbanne").
_TOWN = {
    "fr": re.compile(
        r"(?<=\w )(?:à|dans tout|dans toute|sur tout|sur toute)\s+([A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)*)"
    ),
    "en": re.compile(r"(?<=\w )(?:in|across|around)\s+([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)\b"),
}


def _where(text: str, specifics: Specifics, lang: str) -> str | None:
    """ "à Lille", "in Croydon": the place with the customer's own preposition."""
    town = _TOWN[lang].search(text)
    for place in (specifics.city, *specifics.places, town.group(1) if town else None):
        if not place:
            continue
        match = re.search(_WHERE[lang].format(place=re.escape(place)), text, re.IGNORECASE)
        if match:
            return match.group(0)
    return None


def choose_ask(reading: Reading, specifics: Specifics, wording: Wording, values: Mapping[str, str]) -> str:
    """The first thing worth asking for in private that the message does not already give."""
    main = reading.main
    order = (main.spec.ask if main and main.spec.ask else ()) or wording.general_ask
    for name in order:
        ask = wording.asks.get(name)
        if (
            ask is None
            or set(ask.given) & specifics.facts.given
            or not set(ask.needs) <= specifics.facts.given
        ):
            continue
        text = fill(ask.text, values, wording.lang)
        if text is not None:
            return text
    return ""


def channel(wording: Wording, platform: str, catalogue: Catalogue) -> str:
    if platform not in NO_PRIVATE_MESSAGES:
        return wording.channels.get("dm", "")
    email = catalogue.contact_email
    return wording.channels.get("email", "").replace("{email}", email) if email else ""


def promise_time(now: datetime, wording: Wording) -> str:
    """When a follow-up can honestly be promised: today by 18:00 if asked before 15:00 on a
    weekday, else the next working day at noon."""
    if now.weekday() < 5 and now.hour < 15:
        return wording.when.get("today", "")
    if now.weekday() < 4 or now.weekday() == 6:
        return wording.when.get("tomorrow", "")
    return wording.when.get("monday", "")


def team(reading: Reading, wording: Wording) -> str:
    """Who finds out: the team of the problem or question, the team of the place the message
    names, else the workspace's own."""
    for found in (reading.subject, reading.main):
        if found is not None and found.spec.team:
            return found.spec.team
    at_place = fill(wording.place_team, reading.context or {}, wording.lang) if wording.place_team else None
    return at_place or wording.words.get("team", "")


def problem_phrase(reading: Reading, lang: str, *, only_main: bool = False) -> str:
    """How an apology names the problems, in the order the customer raised them (a reservation in
    praise: only the main one, a thanks is no place for a list)."""
    found = [reading.main] if only_main and reading.main else reading.problems
    return grammar.join(_distinct(f.phrase for f in found if f.spec.apologise), lang)


def any_phrase(reading: Reading, lang: str) -> str:
    """The problems named, apology or not (a price rise is acknowledged, not apologised for)."""
    return grammar.join(_distinct(f.phrase for f in reading.problems), lang)


def _distinct(phrases: Iterable[str]) -> list[str]:
    """Each problem named once: the same words twice, or two phrases about the same wait ("trois
    semaines"), read as one problem: the longer phrase says it."""
    kept: list[str] = []
    for phrase in dict.fromkeys(p for p in phrases if p):
        twin = next((k for k in kept if _same_wait(k, phrase)), None)
        if twin is None:
            kept.append(phrase)
        elif len(phrase) > len(twin):
            kept[kept.index(twin)] = phrase
    return kept


_COUNTED = re.compile(
    r"\b(?:\d+|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|an?|one|two|three|four|five|"
    r"six|seven|eight|nine|ten) (?:minutes?|heures?|hours?|jours?|days?|semaines?|weeks?|mois|months?)\b"
)


def _same_wait(first: str, second: str) -> bool:
    wait = _COUNTED.search(first)
    return bool(wait) and wait.group(0) in second


def answer_text(match: KnowledgeMatch | None) -> str:
    if match is None:
        return ""
    text = match.item.answer.strip()
    text = text if text[-1:] in ".!?…" else text + "."
    # "Le code de secours…" follows a colon in French and English alike; "SMS…" keeps its capitals.
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
