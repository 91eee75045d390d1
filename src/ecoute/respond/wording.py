"""The drafts' wordings as data: one TOML file per language for every business
(``wordings/common.<lang>.toml``), one per sector and language on top of it
(``wordings/<sector>.<lang>.toml``), and a workspace's own additions on top of both.

    wording = load_wording("restaurant", "fr", overrides=workspace_toml, words={"team": "…"})
    wording.slots["apology"], wording.problems, wording.questions, wording.praise

Merging: tables merge key by key; a list or a value replaces the one below it. A workspace's
additions are a TOML text whose top-level tables are the languages (``[fr.problems.parking]``);
they may use plain ``words`` as cues, never regular expressions (``cues``), which only the
files shipped with Écoute hold. ``check_overrides`` says what is wrong with one, naming the line
or the field. See docs/drafts.md for the format.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from .fill import fields
from .grammar import DURATION
from .names import words
from .reading import Spec, Thing

WORDINGS = files("ecoute.respond") / "wordings"
LANGUAGES = ("fr", "en")
SPEC_TABLES = ("problems", "questions", "praise")
_SPEC_KEYS = frozenset(
    {"cues", "words", "name", "requires", "unless", "things", "next", "echo", "ask", "team", "serious"}
    | {"callback", "apologise", "fallback", "waits"}
)
_TOP_KEYS = frozenset({"words", "slots", "asks", "general", "when", "channels", "macros", *SPEC_TABLES})
_MACRO = re.compile(r"(?<!\?P)<(\w+)>")
MAX_OVERRIDES = 50_000
# The fields a workspace's own wordings may use (a reading of its own has no captured groups).
USER_FIELDS = words(
    """name brand agent order product place amount of_amount of_product on_product duration
    duration_cap this_duration where room in_room since update quote staff email when answer channel
    ask team problem issue subject praised reference venue"""
)


class WordingError(ValueError):
    """A wording file or a workspace's additions that cannot be used; the message names where."""


@dataclass(frozen=True)
class Ask:
    """Something a reply may ask for in private, unless the message already ``given`` it."""

    text: str
    given: tuple[str, ...] = ()  # skipped when the message gives one of these
    needs: tuple[str, ...] = ()  # offered only when the message gives all of these


@dataclass(frozen=True)
class Wording:
    lang: str
    sector: str
    slots: Mapping[str, tuple[str, ...]]
    words: Mapping[str, str]
    asks: Mapping[str, Ask]
    general_ask: tuple[str, ...]
    place_team: str
    problems: tuple[Spec, ...]
    questions: tuple[Spec, ...]
    praise: tuple[Spec, ...]
    when: Mapping[str, str]
    channels: Mapping[str, str]

    def problem(self, key: str) -> Spec | None:
        return next((spec for spec in self.problems if spec.key == key), None)


def sectors() -> tuple[str, ...]:
    """The sectors that have wordings of their own (``other`` uses the common ones only)."""
    names = {entry.name.split(".")[0] for entry in WORDINGS.iterdir() if entry.name.endswith(".toml")}
    return tuple(sorted(names - {"common"}))


def load_wording(
    sector: str, lang: str, *, overrides: str = "", words: Mapping[str, str] | None = None
) -> Wording:
    """The wording of ``sector`` in ``lang``, with a workspace's TOML ``overrides`` and ``words``."""
    return _load(sector, lang, overrides, tuple(sorted((words or {}).items())))


@lru_cache(maxsize=256)
def _load(sector: str, lang: str, overrides: str, words: tuple[tuple[str, str], ...]) -> Wording:
    data = _file("common", lang)
    if sector in sectors():
        data = merge(data, _file(sector, lang))
    if overrides:
        data = merge(data, parse_overrides(overrides).get(lang, {}))
    data = merge(data, {"words": {key: value for key, value in words if value}})
    return build(data, sector=sector, lang=lang)


@lru_cache(maxsize=32)
def _file(name: str, lang: str) -> dict[str, Any]:
    path = WORDINGS / f"{name}.{lang}.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise WordingError(f"{name}.{lang}.toml: {error}") from None


def merge(below: Mapping[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    """``above`` over ``below``: tables merge, anything else is replaced."""
    merged = dict(below)
    for key, value in above.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_overrides(text: str) -> dict[str, Any]:
    """A workspace's additions, checked (``WordingError`` names the line or the field)."""
    if len(text) > MAX_OVERRIDES:
        raise WordingError(f"wordings: {len(text)} characters, at most {MAX_OVERRIDES}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise WordingError(f"wordings: {error}") from None
    for lang, table in data.items():
        if lang not in LANGUAGES or not isinstance(table, dict):
            raise WordingError(
                f"wordings: top-level tables are languages ({', '.join(LANGUAGES)}), not {lang!r}"
            )
        _check_user_specs(lang, table)
    return data


def check_overrides(text: str, sector: str) -> None:
    """Raise ``WordingError`` when ``text`` cannot be used on top of ``sector``'s wordings."""
    data = parse_overrides(text)
    for lang in data:
        merged = merge(_file("common", lang), _file(sector, lang) if sector in sectors() else {})
        build(merge(merged, data[lang]), sector=sector, lang=lang)


def _check_user_specs(lang: str, table: dict[str, Any]) -> None:
    for key in table:
        if key not in _TOP_KEYS - {"macros"}:
            known = ", ".join(sorted(_TOP_KEYS - {"macros"}))
            raise WordingError(f"wordings: {lang}.{key}: unknown table (known: {known})")
    for kind in SPEC_TABLES:
        for name, spec in (table.get(kind) or {}).items():
            where = f"{lang}.{kind}.{name}"
            if not isinstance(spec, dict):
                raise WordingError(f"wordings: {where}: expected a table")
            if "cues" in spec or any("cues" in thing for thing in (spec.get("things") or {}).values()):
                raise WordingError(
                    f"wordings: {where}: use plain 'words' (regular expressions are not taken)"
                )
            # A workspace's "requires" and "unless" are plain words too, made into expressions here.
            for key in ("requires", "unless"):
                if key in spec:
                    spec[key] = [words_source(_strings(spec[key], f"wordings: {where}.{key}"))]
            for key in ("name", "next", "echo"):
                _check_fields(spec.get(key, []), f"{where}.{key}")
    for slot, texts in (table.get("slots") or {}).items():
        _check_fields(texts, f"{lang}.slots.{slot}")


def _check_fields(texts: Any, where: str) -> None:
    for text in _strings(texts, f"wordings: {where}"):
        required, optional = fields(text)
        unknown = sorted((required | optional) - USER_FIELDS)
        if unknown:
            known = ", ".join(sorted(USER_FIELDS))
            raise WordingError(f"wordings: {where}: unknown field {{{unknown[0]}}} (known: {known})")


def build(data: Mapping[str, Any], *, sector: str, lang: str) -> Wording:
    """A ``Wording`` from merged data, checked field by field."""
    for key in data:
        if key not in _TOP_KEYS:
            raise WordingError(f"{lang}.{key}: unknown table")
    slots = {
        name: _strings(value, f"{lang}.slots.{name}") for name, value in (data.get("slots") or {}).items()
    }
    asks = {
        name: Ask(
            _string(value.get("ask"), f"{lang}.asks.{name}.ask"),
            tuple(value.get("given", ())),
            tuple(value.get("needs", ())),
        )
        for name, value in (data.get("asks") or {}).items()
    }
    general = data.get("general") or {}
    macros = {"duration": DURATION.pattern, **{k: str(v) for k, v in (data.get("macros") or {}).items()}}
    return Wording(
        lang=lang,
        sector=sector,
        slots=slots,
        words={key: str(value) for key, value in (data.get("words") or {}).items()},
        asks=asks,
        general_ask=tuple(general.get("ask", ())),
        place_team=str(general.get("place_team", "")),
        problems=_specs(data, "problems", lang, macros),
        questions=_specs(data, "questions", lang, macros),
        praise=_specs(data, "praise", lang, macros),
        when={key: str(value) for key, value in (data.get("when") or {}).items()},
        channels={key: str(value) for key, value in (data.get("channels") or {}).items()},
    )


def _specs(data: Mapping[str, Any], kind: str, lang: str, macros: Mapping[str, str]) -> tuple[Spec, ...]:
    table = data.get(kind) or {}
    return tuple(_spec(name, value, f"{lang}.{kind}.{name}", macros) for name, value in table.items())


def _spec(key: str, raw: Mapping[str, Any], where: str, macros: Mapping[str, str]) -> Spec:
    unknown = set(raw) - _SPEC_KEYS
    if unknown:
        raise WordingError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_SPEC_KEYS))})"
        )
    cues = tuple(_pattern(c, f"{where}.cues", macros) for c in _texts(raw.get("cues", []), f"{where}.cues"))
    words = _strings(raw.get("words", []), f"{where}.words")
    if words:
        cues += (_words_pattern(words),)
    if not cues:
        raise WordingError(f"{where}: needs 'cues' or 'words'")
    spec = Spec(
        key=key,
        cues=cues,
        name=_strings(raw.get("name", []), f"{where}.name"),
        requires=tuple(
            _pattern(c, f"{where}.requires", macros) for c in _texts(raw.get("requires", []), where)
        ),
        unless=tuple(_pattern(c, f"{where}.unless", macros) for c in _texts(raw.get("unless", []), where)),
        things=tuple(
            _thing(name, value, f"{where}.things.{name}", macros)
            for name, value in (raw.get("things") or {}).items()
        ),
        next=_strings(raw.get("next", []), f"{where}.next"),
        echo=_strings(raw.get("echo", []), f"{where}.echo"),
        ask=_strings(raw.get("ask", []), f"{where}.ask"),
        team=raw.get("team"),
        serious=bool(raw.get("serious", False)),
        callback=bool(raw.get("callback", raw.get("serious", False))),
        apologise=bool(raw.get("apologise", True)),
        fallback=bool(raw.get("fallback", False)),
        waits=bool(raw.get("waits", False)),
    )
    for template in spec.name:
        _check_braces(template, f"{where}.name")
    return spec


def _thing(name: str, raw: Any, where: str, macros: Mapping[str, str]) -> Thing:
    if not isinstance(raw, Mapping) or "one" not in raw:
        raise WordingError(f"{where}: expected a table with 'one' (and 'cues' or 'words')")
    if "cues" in raw:
        cue = _pattern(_texts(raw["cues"], f"{where}.cues")[0], f"{where}.cues", macros)
    else:
        cue = _words_pattern(_strings(raw.get("words", [name]), f"{where}.words"), anchored=False)
    return Thing(cue=cue, one=_string(raw["one"], f"{where}.one"), many=raw.get("many"))


def _words_pattern(plain: tuple[str, ...], *, anchored: bool = True) -> re.Pattern[str]:
    return re.compile(words_source(plain, anchored=anchored), re.IGNORECASE)


def words_source(plain: tuple[str, ...] | list[str], *, anchored: bool = True) -> str:
    """Plain words as one expression: whole words, any case, "*" standing for the rest of a word
    ("rembours*" finds "remboursement")."""
    alternatives = "|".join(
        re.escape(w.strip()).replace(r"\*", r"\w*") for w in sorted(plain, key=len, reverse=True) if w.strip()
    )
    core = f"(?:{alternatives})"
    return rf"(?<!\w){core}(?!\w)" if anchored else core


def _pattern(text: str, where: str, macros: Mapping[str, str]) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        if match.group(1) not in macros:
            raise WordingError(f"{where}: {text!r}: unknown macro <{match.group(1)}>")
        return macros[match.group(1)]

    try:
        return re.compile(_MACRO.sub(expand, text), re.IGNORECASE)
    except re.error as error:
        raise WordingError(f"{where}: {text!r}: {error}") from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WordingError(f"{where}: expected a list of texts")
    for text in value:
        _check_braces(text, where)
    return tuple(value)


def _texts(value: Any, where: str) -> tuple[str, ...]:
    """Regular expressions: texts whose braces are quantifiers, not fields."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise WordingError(f"{where}: expected a list of texts")
    return tuple(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WordingError(f"{where}: expected a text")
    _check_braces(value, where)
    return value


def _check_braces(text: str, where: str) -> None:
    stripped = re.sub(r"{\w+\??}", "", text)
    if "{" in stripped or "}" in stripped:
        raise WordingError(f"{where}: {text!r}: a field is written {{name}} or {{name?}}")
    fields(text)
