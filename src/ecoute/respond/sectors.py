"""A workspace's business as its drafts speak of it: its sector, its products and places, its own
words (what customers quote, what its places are, who answers) and its own wordings.

They live in ``Workspace.settings["drafts"]`` as JSON, validated by ``DraftSettings``; anything left
out takes the sector's default. Edited on Settings › Drafts, through ``/api/v1/drafts/settings``
and ``ecoute drafts``; every change is audited as ``workspace.drafts``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.orm import Session

from ecoute.store.models import Workspace
from ecoute.store.repo import Invalid, store_setting

from .types import Catalogue
from .wording import LANGUAGES, WordingError, check_overrides, load_wording

SETTINGS_KEY = "drafts"
LEGACY_KEY = "reply_catalogue"  # products, places and support address, before sectors existed
Sector = Literal["restaurant", "hotel", "shop", "telecom", "bank", "software", "transport", "public", "other"]
SECTORS: tuple[Sector, ...] = (
    "restaurant",
    "hotel",
    "shop",
    "telecom",
    "bank",
    "software",
    "transport",
    "public",
    "other",
)
WORD_KEYS = ("reference", "venue", "team")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Words(BaseModel):
    """A workspace's own words in one language; empty means the sector's."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field("", max_length=80, description="What customers quote: 'numéro de réservation'.")
    venue: str = Field("", max_length=60, description="What its places are: 'restaurant', 'boutique'.")
    team: str = Field("", max_length=80, description="Who finds out and answers: 'l'équipe de salle'.")

    @field_validator("reference", "venue", "team")
    @classmethod
    def _plain(cls, value: str) -> str:
        value = " ".join(value.split())
        if "{" in value or "}" in value:
            raise ValueError("braces are not allowed in a word")
        return value


class DraftSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sector: Sector = "other"
    products: list[str] = Field(default_factory=list, max_length=200)
    places: list[str] = Field(default_factory=list, max_length=200)
    other_names: list[str] = Field(default_factory=list, max_length=200)
    contact_email: str | None = Field(None, max_length=200)
    words: dict[Literal["fr", "en"], Words] = Field(default_factory=dict)
    wordings: str = Field("", max_length=50_000, description="The workspace's own wordings (TOML).")

    @field_validator("products", "places", "other_names")
    @classmethod
    def _names(cls, values: list[str]) -> list[str]:
        cleaned = [" ".join(str(v).split()) for v in values]
        for value in cleaned:
            if not value or len(value) > 80:
                raise ValueError(f"{value!r}: a name has 1 to 80 characters")
        return list(dict.fromkeys(cleaned))

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _wordings_fit(self) -> DraftSettings:
        if self.wordings.strip():
            try:
                check_overrides(self.wordings, self.sector)
            except WordingError as error:
                raise ValueError(str(error)) from None
        return self


def parse_settings(data: Any) -> DraftSettings:
    """Validate ``data``; a bad value raises ``Invalid`` naming the field."""
    try:
        return DraftSettings.model_validate(data if data is not None else {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or SETTINGS_KEY
        message = str(first["msg"]).removeprefix("Value error, ")
        raise Invalid(f"{where}: {message}") from None


def load_settings(workspace: Workspace) -> DraftSettings:
    """The workspace's settings; products, places and address saved before sectors are kept."""
    stored = workspace.settings or {}
    raw = stored.get(SETTINGS_KEY)
    if raw is None:
        legacy = stored.get(LEGACY_KEY) or {}
        raw = {
            key: legacy[key]
            for key in ("products", "places", "other_names", "contact_email")
            if key in legacy
        }
    return parse_settings(raw)


def save_settings(session: Session, workspace: Workspace, data: Any, *, actor: str) -> DraftSettings:
    """Validate and store; audited as ``workspace.drafts`` with the settings before and after."""
    settings = _own_words_only(parse_settings(data))
    after = settings.model_dump(mode="json")
    store_setting(session, workspace, SETTINGS_KEY, after, actor=actor, action="workspace.drafts")
    return settings


def _own_words_only(settings: DraftSettings) -> DraftSettings:
    """Words equal to the sector's are not kept: change the sector, and its words come with it."""
    words = {}
    for lang, own in settings.words.items():
        defaults = sector_words(settings.sector, lang)
        kept = {key: value for key, value in own.model_dump().items() if value and value != defaults[key]}
        if kept:
            words[lang] = Words(**kept)
    return settings.model_copy(update={"words": words})


def catalogue(settings: DraftSettings) -> Catalogue:
    """What ``draft_replies`` takes: the business with its sector, words and wordings."""
    return Catalogue(
        products=tuple(settings.products),
        places=tuple(settings.places),
        other_names=tuple(settings.other_names),
        contact_email=settings.contact_email,
        sector=settings.sector,
        words={
            lang: {key: value for key, value in words.model_dump().items() if value}
            for lang, words in settings.words.items()
        },
        wordings=settings.wordings,
    )


def catalogue_of(workspace: Workspace) -> Catalogue:
    return catalogue(load_settings(workspace))


def sector_words(sector: str, lang: str) -> dict[str, str]:
    """The words a sector uses when the workspace has none of its own (shown as placeholders)."""
    words = load_wording(sector, lang).words
    return {key: words.get(key, "") for key in WORD_KEYS}


def all_sector_words() -> dict[str, dict[str, dict[str, str]]]:
    return {sector: {lang: sector_words(sector, lang) for lang in LANGUAGES} for sector in SECTORS}
