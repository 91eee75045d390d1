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

from .fill import fill
from .typography import french
from .variety import Fingerprint

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
GREETINGS = frozenset({"greet", "greet_anon"})
# Below the variety check's warning (0.80), with a margin: a draft should never trigger it.
FRESH_ENOUGH = 0.72


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
    index: int = -1  # which wording of its slot


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
        lang: str | None = None,
    ) -> None:
        self.lang = lang
        self.phrases = phrases
        self.values = {key: value for key, value in values.items() if value}
        self.recent = [Fingerprint(sentence, names) for sentence in split_sentences(recent)]
        self.recent_replies = [Fingerprint(text, names) for text in recent if text and text.strip()]
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
        return _Piece(self._fill(template), Part(slot), template[:1].islower(), index)

    def compose(self, parts: Sequence[Part], *, limit: int, lang: str) -> tuple[str, bool]:
        """The reply text and whether optional sentences had to be left out to fit ``limit``."""
        # Greetings are chosen last: "Bonjour Claire," only when the next sentence can follow a
        # comma in lower case; "Bonjour Claire !" before a quoted answer or a capitalised sentence.
        earlier = {slot: set(indexes) for slot, indexes in self.used.items()}  # the other drafts' wordings
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
            pieces = [self._shortest(piece, earlier.get(piece.part.slot, set())) for piece in pieces]
            text = _assemble(pieces, lang)
        while len(text) > limit and any(piece.part.optional for piece in pieces):
            victim = max((p for p in pieces if p.part.optional), key=lambda p: p.part.drop)
            pieces.remove(victim)
            text, trimmed = _assemble(pieces, lang), True
        pieces = self._freshen(pieces, lang, limit)
        text = _assemble(pieces, lang)
        if len(text) > limit:
            text, trimmed = shorten(text, limit), True
        return text, trimmed

    def _freshen(self, pieces: list[_Piece], lang: str, limit: int) -> list[_Piece]:
        """Swap wordings, most familiar sentence first, until the reply is no near copy of one the
        team sent lately (customers notice a pasted reply even when the names change)."""
        if not self._too_close(_assemble(pieces, lang)):
            return pieces
        order = sorted(range(len(pieces)), key=lambda i: -self._staleness_of(pieces[i].text))
        for position in order:
            piece = pieces[position]
            if piece.part.literal is not None or piece.part.slot in GREETINGS:
                continue
            usable = [
                (i, t)
                for i, t in self._candidates(piece.part.slot)
                if i != piece.index and (t[:1].islower() == piece.joinable)
            ]
            # A wording the message's other drafts use would make two drafts alike: last resort.
            unused = [(i, t) for i, t in usable if i not in self.used[piece.part.slot]] or usable
            options = [_Piece(self._fill(t), piece.part, t[:1].islower(), i) for i, t in unused]
            trials = [(self._closeness(_assemble(self._swap(pieces, position, o), lang)), o) for o in options]
            trials = [
                (c, o) for c, o in trials if len(_assemble(self._swap(pieces, position, o), lang)) <= limit
            ]
            if trials:
                closeness, best = min(trials, key=lambda trial: trial[0])
                if closeness < self._closeness(_assemble(pieces, lang)):
                    pieces = self._swap(pieces, position, best)
                    self.used[piece.part.slot].add(best.index)
            if not self._too_close(_assemble(pieces, lang)):
                break
        return pieces

    @staticmethod
    def _swap(pieces: list[_Piece], position: int, piece: _Piece) -> list[_Piece]:
        return [*pieces[:position], piece, *pieces[position + 1 :]]

    def _closeness(self, text: str) -> float:
        fingerprint = Fingerprint(text, self.names)
        return max((fingerprint.similarity(other) for other in self.recent_replies), default=0.0)

    def _too_close(self, text: str) -> bool:
        return self._closeness(text) >= FRESH_ENOUGH

    def _place(self, part: Part, *, standalone: bool = False) -> _Piece | None:
        piece = self.pick(part.slot, standalone=standalone)
        if piece is not None:
            piece.part = part
        return piece

    def _shortest(self, piece: _Piece, taken: set[int]) -> _Piece:
        """The piece in a shorter wording, one the message's other drafts do not use if possible."""
        if piece.part.literal is not None or piece.part.slot in GREETINGS:
            return piece
        candidates = [(i, self._fill(t)) for i, t in self._candidates(piece.part.slot)]
        shorter = [(i, text) for i, text in candidates if len(text) < len(piece.text)]
        pool = [(i, text) for i, text in shorter if i not in taken] or shorter
        if not pool:
            return piece
        index, text = min(pool, key=lambda item: (self._staleness_of(item[1]), len(item[1])))
        self.used[piece.part.slot].add(index)
        return _Piece(text, piece.part, piece.joinable, index)

    def _candidates(self, slot: str) -> list[tuple[int, str]]:
        return [
            (index, template)
            for index, template in enumerate(self.phrases.get(slot, ()))
            if fill(template, self.values) is not None
        ]

    def _fill(self, template: str) -> str:
        return fill(template, self.values, self.lang) or ""

    def _staleness(self, template: str) -> float:
        return self._staleness_of(self._fill(template))

    def _staleness_of(self, text: str) -> float:
        if not self.recent:
            return 0.0
        sentence = Fingerprint(text, self.names)
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
