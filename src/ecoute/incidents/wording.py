"""The incidents' wordings as data (``wordings/<lang>.toml``, ``wordings/platforms.toml``) and
how a text is put together from them: each sentence is a list of wordings, the first whose fields
are all known is kept, a sentence with none is left out.

    say("fr", "statement.status.identified", {})   # "Nous avons trouvé la cause et …"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

from ecoute.respond.fill import fill
from ecoute.respond.types import SUPPORTED_LANGUAGES
from ecoute.respond.typography import french

WORDINGS = files("ecoute.incidents") / "wordings"


@cache
def wordings(lang: str) -> dict[str, Any]:
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"no incident wordings in {lang!r}")
    return tomllib.loads((WORDINGS / f"{lang}.toml").read_text(encoding="utf-8"))


@cache
def platforms() -> dict[str, dict[str, str]]:
    return tomllib.loads((WORDINGS / "platforms.toml").read_text(encoding="utf-8"))


def choices(lang: str, path: str) -> list[str]:
    """The wordings at ``path`` ("update.status.identified") in ``lang``."""
    node: Any = wordings(lang)
    for part in path.split("."):
        node = node[part]
    return [node] if isinstance(node, str) else list(node)


def sentence(lang: str, options: Sequence[str], values: Mapping[str, str]) -> str | None:
    """The first of ``options`` whose fields are all known, filled; None when none is."""
    for option in options:
        filled = fill(option, values, lang)
        if filled is not None:
            return filled
    return None


def say(lang: str, path: str, values: Mapping[str, str]) -> str | None:
    return sentence(lang, choices(lang, path), values)


def join(lang: str, sentences: Sequence[str | None]) -> str:
    """The sentences that could be said, as one text (French spacing in French)."""
    text = " ".join(s.strip() for s in sentences if s)
    return french(text) if lang == "fr" else text


def clause(text: str) -> str:
    """The team's words made to sit inside a sentence: no closing full stop, no opening capital
    unless the second letter is a capital too (an acronym)."""
    text = " ".join(text.split()).rstrip(".! ")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text
