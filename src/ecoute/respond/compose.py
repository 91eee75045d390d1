"""Assemble a reply from phrasebook slots: one wording per slot, joined, fitted to the platform.

Each slot has several wordings. The composer offers the ones whose fields are known, prefers the
ones least like the sentences the team sent recently (so the same sentence is not pasted under
every complaint), never reuses a wording across the drafts of one message, and rotates by a seed
taken from the message so two customers with the same problem do not get the same words.

A reply longer than the platform allows loses its optional sentences first (the highest ``drop``
goes first), then, if it must, is cut at a word boundary with an ellipsis.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .typography import french
from .variety import Fingerprint

_FIELD = re.compile(r"{(\w+)}")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
GREETINGS = frozenset({"greet", "greet_anon"})


@dataclass(frozen=True)
class Part:
    """One sentence of a plan: a slot to fill, or ``literal`` text used as it is."""

    slot: str
    optional: bool = False
    drop: int = 0
    literal: str | None = None


@dataclass
class _Piece:
    text: str
    part: Part
    joinable: bool  # may follow "Bonjour Claire," in lower case


def split_sentences(texts: Sequence[str]) -> list[str]:
    return [sentence for text in texts for sentence in _SENTENCE_END.split(text) if sentence.strip()]


class Composer:
    def __init__(
        self,
        phrases: Mapping[str, Sequence[str]],
        values: Mapping[str, str],
        *,
        recent: Sequence[str] = (),
        seed: int = 0,
        names: Sequence[str] = (),
    ) -> None:
        self.phrases = phrases
        self.values = {key: value for key, value in values.items() if value}
        self.recent = [Fingerprint(sentence, names) for sentence in split_sentences(recent)]
        self.names = tuple(names)
        self.seed = seed
        self.used: dict[str, set[int]] = defaultdict(set)

    def has(self, slot: str) -> bool:
        return bool(self._candidates(slot))

    def first(self, *slots: str) -> str | None:
        """The first slot that has a usable wording."""
        return next((slot for slot in slots if self.has(slot)), None)

    def pick(self, slot: str, *, standalone: bool = False) -> _Piece | None:
        candidates = self._candidates(slot)
        if standalone:
            candidates = [(i, v) for i, v in candidates if not v.rstrip().endswith(",")] or candidates
        if not candidates:
            return None
        fresh = [(i, v) for i, v in candidates if i not in self.used[slot]] or candidates
        size = len(self.phrases[slot])
        index, template = min(
            fresh, key=lambda item: (self._staleness(item[1]), (item[0] - self.seed) % size)
        )
        self.used[slot].add(index)
        return _Piece(template.format(**self.values), Part(slot), template[:1].islower())

    def compose(self, parts: Sequence[Part], *, limit: int, lang: str) -> tuple[str, bool]:
        """The reply text and whether optional sentences had to be left out to fit ``limit``."""
        # Greetings are chosen last: "Bonjour Claire," only when the next sentence can follow a
        # comma in lower case; "Bonjour Claire !" before a quoted answer or a capitalised sentence.
        chosen: list[_Piece | None] = [None] * len(parts)
        for position, part in enumerate(parts):
            if part.literal is not None:
                chosen[position] = _Piece(part.literal, part, False)
            elif part.slot not in GREETINGS:
                chosen[position] = self._place(part)
        for position, part in enumerate(parts):
            if part.slot in GREETINGS and part.literal is None:
                following = next((p for p in chosen[position + 1 :] if p is not None), None)
                chosen[position] = self._place(part, standalone=following is None or not following.joinable)
        pieces = [piece for piece in chosen if piece is not None]
        text = _assemble(pieces, lang)
        trimmed = False
        if len(text) > limit:  # first try the shortest wordings, then leave sentences out
            pieces = [self._shortest(piece) for piece in pieces]
            text = _assemble(pieces, lang)
        while len(text) > limit and any(piece.part.optional for piece in pieces):
            victim = max((p for p in pieces if p.part.optional), key=lambda p: p.part.drop)
            pieces.remove(victim)
            text, trimmed = _assemble(pieces, lang), True
        if len(text) > limit:
            text, trimmed = shorten(text, limit), True
        return text, trimmed

    def _place(self, part: Part, *, standalone: bool = False) -> _Piece | None:
        piece = self.pick(part.slot, standalone=standalone)
        if piece is not None:
            piece.part = part
        return piece

    def _shortest(self, piece: _Piece) -> _Piece:
        if piece.part.literal is not None or piece.part.slot in GREETINGS:
            return piece
        candidates = [template.format(**self.values) for _, template in self._candidates(piece.part.slot)]
        shortest = min(candidates, key=len, default=piece.text)
        return _Piece(shortest, piece.part, piece.joinable) if len(shortest) < len(piece.text) else piece

    def _candidates(self, slot: str) -> list[tuple[int, str]]:
        return [
            (index, template)
            for index, template in enumerate(self.phrases.get(slot, ()))
            if set(_FIELD.findall(template)) <= self.values.keys()
        ]

    def _staleness(self, template: str) -> float:
        if not self.recent:
            return 0.0
        sentence = Fingerprint(template.format(**self.values), self.names)
        # Rounded: a wording is "as fresh" as another unless clearly closer to what was sent.
        return round(max(sentence.similarity(other) for other in self.recent), 1)


def _assemble(pieces: Sequence[_Piece], lang: str) -> str:
    out: list[str] = []
    after_comma = False
    for piece in pieces:
        text = piece.text.strip()
        text = _lower_first(text) if after_comma and piece.joinable else _upper_first(text)
        out.append(text)
        after_comma = piece.part.slot in GREETINGS and text.endswith(",")
    joined = " ".join(out)
    return french(joined) if lang == "fr" else joined


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].isalpha() else text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isalpha() else text


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a sentence end if one is near, else between words."""
    if len(text) <= limit:
        return text
    window = text[: limit - 1]
    sentence_end = max(window.rfind(". "), window.rfind("! "), window.rfind("? "))
    if sentence_end >= limit * 0.6:
        return window[: sentence_end + 1]
    space = window.rfind(" ")
    cut = window[:space] if space > 0 else window
    return cut.rstrip(" ,;:—–-\u00a0\u202f") + "…"
