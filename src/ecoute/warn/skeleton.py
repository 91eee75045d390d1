"""Unicode TR39 confusable skeletons, from the confusables table that ``confusable-homoglyphs``
ships (Unicode's ``confusables.txt``, stored by that library as an undirected graph).

TR39 maps each confusable character to one prototype, and prototypes never map further, so the
direction is recoverable: a source has exactly one neighbour, its prototype; a prototype with a
single source is told apart by the table's order (the library inserts a line's source first)."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import confusable_homoglyphs

_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")


@cache
def prototypes() -> dict[str, str]:
    """Each confusable character → its TR39 prototype (one or more characters)."""
    table = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    graph = {
        key.translate(_BIDI_MARKS): [entry["c"].translate(_BIDI_MARKS) for entry in entries]
        for key, entries in json.loads(table.read_text(encoding="utf-8")).items()
    }
    order = {key: rank for rank, key in enumerate(graph)}
    mapping = {}
    for char, neighbours in graph.items():
        if len(char) != 1 or len(neighbours) != 1:
            continue
        target = neighbours[0]
        target_neighbours = graph.get(target, [])
        if len(target_neighbours) > 1 or order[char] < order.get(target, len(order)):
            mapping[char] = target
    return mapping


def skeleton(text: str) -> str:
    """TR39 ``skeleton(X)``: NFD, map every character to its prototype, NFD again. Two strings
    are confusable when their skeletons are equal. For comparison only, never for display."""
    table = prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))


def name_key(text: str) -> str:
    """A handle or name reduced for comparison: skeleton, case folded, accents and separators
    dropped (``C¥clune_Care`` and ``cyclunecare`` meet)."""
    folded = skeleton(skeleton(unicodedata.normalize("NFKC", text)).casefold())
    return "".join(char for char in folded if char.isalnum() and not unicodedata.combining(char))
