"""French and English for the interface: message catalogs, the choice of language, and dates,
numbers and relative times formatted by Babel ("il y a 3 h" / "3 hr. ago").

Catalogs are flat JSON files in ``locales/`` (``{"inbox.title": "Boîte de réception"}``);
a key missing in French falls back to English, then to the key itself, so a page never breaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal, format_percent

from ecoute.store.types import utcnow

LOCALES: tuple[str, ...] = ("fr", "en")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).with_name("locales")


@cache
def catalog(locale: str) -> dict[str, str]:
    """``locales/{locale}.json`` merged with one file per area, ``locales/{area}.{locale}.json``.

    Areas keep their own files so that each concept's strings live next to each other; a key
    defined twice is an error rather than a silent override."""
    merged: dict[str, str] = json.loads((LOCALE_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    for path in sorted(LOCALE_DIR.glob(f"*.{locale}.json")):
        extra = json.loads(path.read_text(encoding="utf-8"))
        clash = sorted(set(extra) & set(merged))
        if clash:
            raise ValueError(f"{path.name}: keys already defined elsewhere: {', '.join(clash)}")
        merged.update(extra)
    return merged


def negotiate(accept_language: str | None) -> str:
    """The first supported language in an Accept-Language header (q-values honoured)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LOCALES and quality > 0:
            choices.append((-quality, index, language))
    return min(choices)[2] if choices else DEFAULT_LOCALE


def choose_locale(user_locale: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The user's saved choice, else the anonymous cookie, else the browser's preference."""
    for candidate in (user_locale, cookie):
        if candidate in LOCALES:
            return str(candidate)
    return negotiate(accept_language)


@cache
def babel_locale(locale: str) -> Locale:
    """Babel's locale, parsed once: given as a string, Babel parses it again for every value."""
    return Locale.parse(locale)


@dataclass(frozen=True)
class Translator:
    """Everything language-dependent a page needs; templates get it as ``i18n`` and ``t``."""

    locale: str
    timezone: str = "UTC"

    def t(self, key: str, **params: Any) -> str:
        text = catalog(self.locale).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
        return text.format(**params) if params else text

    @property
    def babel(self) -> Locale:
        return babel_locale(self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.babel)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.babel)

    def datetime(self, value: datetime, format: str = "medium") -> str:
        return format_datetime(value, format, tzinfo=self.timezone, locale=self.babel)

    def date(self, value: datetime, format: str = "medium") -> str:
        return format_date(value.astimezone(ZoneInfo(self.timezone)), format, locale=self.babel)

    def duration(self, seconds: float) -> str:
        """'30 secondes' / '15 minutes': a wait, rounded to its largest unit."""
        return format_timedelta(timedelta(seconds=seconds), format="long", locale=self.babel)

    def relative(self, value: datetime, now: datetime | None = None, format: str = "short") -> str:
        """'il y a 3 h' / '3 hr. ago' (or 'dans 2 j' / 'in 2 days' for the future)."""
        delta = value - (now or utcnow())
        return format_timedelta(delta, add_direction=True, format=format, locale=self.babel)


def translator(locale: str, timezone: str = "UTC") -> Translator:
    return Translator(locale if locale in LOCALES else DEFAULT_LOCALE, timezone)
