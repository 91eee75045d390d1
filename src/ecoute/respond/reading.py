"""Reading what a message is about with the wording files' cues: the problems it raises, the
subject of its question, what it praises; each named in a phrase a reply can use.

A reading (``Spec``) has cues (regular expressions, or plain words), and templates that name what
was found from the cue's named groups ("la coupure de {thing}{where?}{since?}"). The groups a cue
may capture, and what a template gets from them:

- ``thing``: looked up in the reading's ``things`` ("fibre" → "la coupure de fibre");
- ``noun`` (with ``det``, the article before it): ``{noun}``, ``{your_noun}`` ("votre pizza",
  "vos frites", "your steak") and ``{the_noun}`` ("la pizza", "the steak");
- ``role`` (with ``det``): ``{role}``, ``{our_role}`` ("notre serveur", "our driver"),
  ``{the_role}``;
- ``wait``: a duration, ``{wait}`` ("1 h 15", "45 minutes") and ``{this_wait}`` ("ces 45 minutes",
  "the hour");
- ``since``: "depuis 3 jours" → ``{since}`` "depuis trois jours" (other spans as written);
- anything else: as written.

Templates also get the message's own fields (``{where}``, ``{room}``, ``{order}``, ``{amount}``,
``{product}``…, see ``drafts``) and the workspace's words (``{reference}``, ``{venue}``, ``{team}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from . import grammar
from .fill import fill
from .names import words

# Words a cue may capture that name nothing: "the rest was cold", "tout était froid".
EMPTY_WORDS = words(
    """
    whoever whatever anyone someone everyone nobody everybody somebody anybody
    it this that everything nothing something all rest one ones thing things lot bit was were is are and
    but very so too really just been be i we you they he she me us them there here hi hello hey thanks
    thank please why how what when where who again honestly seriously ugh wow well ok okay yes no je j
    on nous vous il elle ils elles c ce cela bonjour salut bonsoir merci impossible toujours jamais
    super hyper depuis quand comment pourquoi encore franchement bref bon alors oui non voilà enfin then
    also still now today yesterday tonight tomorrow after before since because if while as about maybe
    only even never always not some any every each more most such same other another puis ensuite après
    avant car parce si comme même seulement tout toute chaque plusieurs autre aujourd hier demain ici là
    lundi mardi mercredi jeudi vendredi samedi dimanche monday tuesday wednesday thursday friday
    saturday sunday ça ca tout tous rien quelque chose reste truc trucs fois moment coup cela ceci est
    était sont étaient et que qui mais ou très trop plus moins aussi pas bien été être a ont pour par
    avec sans dans sur de du des en à au aux for with in on at of to from by
    """
)
# The customer's "my"/"mon" become the reply's "your"/"votre" when their words are echoed.
_SWAP = {
    "fr": {"mon": "votre", "ma": "votre", "mes": "vos", "notre": "votre", "nos": "vos", "moi": "vous"},
    "en": {"my": "your", "i": "you", "me": "you", "our": "your", "us": "you", "i'm": "you're", "we": "you"},
}
# "On peut partager un budget avec son conjoint ?": "son" is the customer's own, so "votre".
_GENERIC_ONE = {"son": "votre", "sa": "votre", "ses": "vos", "se": "vous", "s'": "vous "}
# Groups that echo a whole phrase of the customer's: kept short and ending on a word that carries it.
_PHRASES = frozenset({"act", "what", "item"})
_CUT = re.compile(r"\s(?:ou|mais|car|or|but|because|so)\s.*$|\s?@\w+", re.IGNORECASE)
_TRAILING = words(
    "chez de du des à au aux pour avec sur dans en par aussi juste la le les un une the a an to of for with "
    "at in on by from also too just please svp stp"
)
_RAW_SKIP = frozenset({"det", "noun", "role", "thing", "wait", "since"})


@dataclass(frozen=True)
class Thing:
    """One kind of thing a reading knows by name: "fibre" named "la coupure de fibre"."""

    cue: re.Pattern[str]
    one: str
    many: str | None = None


@dataclass(frozen=True)
class Spec:
    """One problem, question subject or kind of praise, as a wording file describes it."""

    key: str
    cues: tuple[re.Pattern[str], ...]
    name: tuple[str, ...] = ()
    requires: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    things: tuple[Thing, ...] = ()
    next: tuple[str, ...] = ()
    echo: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    team: str | None = None
    serious: bool = False
    callback: bool = False
    apologise: bool = True
    # A last resort: read only when no other reading found anything ("ce souci avec votre casque").
    fallback: bool = False
    # A wait the customer endured: the apology may add how long it lasted ("trois semaines…").
    waits: bool = False


@dataclass(frozen=True)
class Found:
    spec: Spec
    phrase: str
    start: int
    end: int
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.spec.key


def read(
    text: str, specs: Sequence[Spec], *, lang: str, context: Mapping[str, str], limit: int = 3
) -> list[Found]:
    """What ``text`` raises among ``specs``, in the order the customer wrote it (at most ``limit``).

    When two readings claim the same words, the one that matched more of them is kept.
    """
    found = [hit for spec in specs if not spec.fallback and (hit := _first_hit(text, spec, lang, context))]
    if not found:
        found = [hit for spec in specs if spec.fallback and (hit := _first_hit(text, spec, lang, context))]
    kept: list[Found] = []
    for hit in sorted(found, key=lambda f: (-(f.end - f.start), specs.index(f.spec))):
        if not any(hit.start < other.end and other.start < hit.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda f: f.start)[:limit]


def _first_hit(text: str, spec: Spec, lang: str, context: Mapping[str, str]) -> Found | None:
    if spec.requires and not any(p.search(text) for p in spec.requires):
        return None
    if any(p.search(text) for p in spec.unless):
        return None
    hits = []
    for cue in spec.cues:
        for match in cue.finditer(text):
            values = derive(match, spec, lang)
            if values is None:
                continue
            merged = {**context, **values}
            phrase = next((p for t in spec.name if (p := fill(t, merged, lang)) is not None), None)
            if phrase is not None or not spec.name:
                hits.append(Found(spec, phrase or "", match.start(), match.end(), values))
                break
    # The first thing the customer wrote about; of two cues starting there, the one that read more.
    return min(hits, key=lambda f: (f.start, -(f.end - f.start)), default=None)


def derive(match: re.Match[str], spec: Spec, lang: str) -> dict[str, str] | None:
    """The template fields a cue's match gives, or None when what it captured names nothing."""
    groups = {key: _echo(match, key, lang) for key, value in match.groupdict().items() if value}
    for key in ("noun", "thing", "role"):
        if key in groups and groups[key].lower().split()[0] in EMPTY_WORDS:
            return None
    values = dict(groups)
    values["match"] = " ".join(match.group(0).split())
    det = groups.get("det")
    if "thing" in groups:
        named = _thing(groups["thing"], spec.things, det, match)
        if named is None:
            values.pop("thing")
        else:
            values["thing"] = named
    if "noun" in groups:
        noun = groups["noun"] if lang != "fr" or not groups["noun"][1:].islower() else groups["noun"].lower()
        values["noun"] = noun
        if lang == "en":
            values["a_noun"] = ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
            values["a_noun_cap"] = values["a_noun"].capitalize()
        values["your_noun"] = grammar.your(det, noun, lang)
        values["our_noun"] = grammar.our(det, noun, lang)
        values["the_or_your"] = grammar.the_or_your(det, noun, lang)
        values["the_or_our"] = grammar.the_or_your(det, noun, lang, ours=True)
        if grammar.knows_gender(det, noun, lang):
            values["the_noun"] = grammar.the(det, noun, lang)
    if "role" in groups:
        role = groups["role"].lower()
        values["role"] = role
        values["our_role"] = grammar.our(det, role, lang)
        values["our_role_cap"] = values["our_role"][:1].upper() + values["our_role"][1:]
        values["the_role"] = grammar.the(det, role, lang)
    if "wait" in groups:
        duration = grammar.parse_duration(groups["wait"])
        if duration is None:
            values.pop("wait")
        else:
            values["wait"] = grammar.say_duration(duration, lang)
            values["wait_cap"] = values["wait"][:1].upper() + values["wait"][1:]
            values["this_wait"] = grammar.this_duration(duration, lang)
    if "act" in groups and lang == "en":
        values["acting"] = grammar.gerund(values["act"])
    if "since" in groups:
        values["since"] = grammar.since(groups["since"], lang)
    return values


def _echo(match: re.Match[str], key: str, lang: str) -> str:
    """A group as the reply says it: spaces tidied, a sentence's capital dropped, "my" made "your"."""
    text = " ".join(match.group(key).split())
    before = match.string[: match.start(key)].rstrip()
    if (not before or before[-1] in ".!?…:") and text[1:2].islower():
        text = text[:1].lower() + text[1:]
    if key in _RAW_SKIP:
        return text
    if key in _PHRASES:
        text = _phrase(text)
    swap = {**_SWAP.get(lang, {}), **(_GENERIC_ONE if key == "act" and lang == "fr" else {})}
    return re.sub(r"[\w'’]+", lambda w: swap.get(w.group(0).lower(), w.group(0)), text)


def _phrase(text: str) -> str:
    text = _CUT.sub("", text).strip()
    if len(text) > 60:
        text = text[:60].rsplit(" ", 1)[0]
    tokens = text.split()
    while tokens and tokens[-1].lower().strip(",;:") in _TRAILING:
        tokens.pop()
    return " ".join(tokens)


def _thing(captured: str, things: Sequence[Thing], det: str | None, match: re.Match[str]) -> str | None:
    if not things:
        return captured
    for thing in things:
        if thing.cue.fullmatch(captured):
            before = match.string[: match.start("thing")].split()[-1:] or [""]
            plural = grammar.is_plural(det or _det_word(before[0]), captured.lower())
            return thing.many if plural and thing.many else thing.one
    return None


def _det_word(word: str) -> str | None:
    word = word.lower()
    return word if word in {"un", "une", "a", "an", "one", "des", "les", "mes", "nos", "some"} else None
