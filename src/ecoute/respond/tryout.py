"""Drafts for a message typed by hand: how a workspace hears its sector's words before any customer
writes (the settings page's preview, ``POST /api/v1/drafts/preview``, ``ecoute drafts try``)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .drafts import draft_replies
from .types import Catalogue, Draft

Kind = Literal["complaint", "question", "praise", "negative", "other"]
KINDS: dict[str, tuple[str, str]] = {
    "complaint": ("complaint", "negative"),
    "question": ("question", "neutral"),
    "praise": ("praise", "positive"),
    "negative": ("other", "negative"),
    "other": ("other", "neutral"),
}


@dataclass(frozen=True)
class TypedMessage:
    """A message as the drafts read one: its words, language, and the analysis it would get."""

    text: str
    lang: str | None
    intent: str
    sentiment: str
    language: str | None = None
    external_id: str = field(default="")


@dataclass(frozen=True)
class Author:
    display_name: str | None


def try_drafts(
    text: str,
    *,
    kind: Kind,
    lang: str,
    catalogue: Catalogue,
    brand_name: str,
    platform: str = "facebook",
    author_name: str | None = None,
    agent_name: str | None = None,
    now: datetime | None = None,
    timezone: str = "Europe/Paris",
) -> list[Draft]:
    """The drafts a customer's ``text`` would get, read as ``kind`` in ``lang``."""
    intent, sentiment = KINDS[kind]
    key = str(zlib.crc32(text.encode()))
    message = TypedMessage(text, lang, intent, sentiment, language=lang, external_id=key)
    return draft_replies(
        message,
        author=Author(author_name),
        brand_name=brand_name,
        locale_fallback=lang,
        knowledge=[],
        platform=platform,
        agent_name=agent_name,
        catalogue=catalogue,
        now=now,
        timezone=timezone,
    )
