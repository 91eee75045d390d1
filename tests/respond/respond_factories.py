"""Factories for the reply helpers' tests: mentions and authors as stored, a demo catalogue."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ecoute import demo
from ecoute.respond import Catalogue, KnowledgeItem, sectors
from ecoute.store.models import Author, Mention

FIXTURE = Path(__file__).parent / "fixtures" / "cyclune_knowledge.json"
# A Tuesday morning: follow-ups can honestly be promised "today before 18:00".
TUESDAY_MORNING = datetime(2026, 10, 13, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


def mention(
    text: str, *, intent: str, sentiment: str, lang: str = "fr", platform: str = "x", external_id: str = "1"
) -> Mention:
    return Mention(
        text=text,
        intent=intent,
        sentiment=sentiment,
        lang=lang,
        language=lang,
        platform=platform,
        external_id=external_id,
    )


def author(display_name: str | None, handle: str = "someone") -> Author:
    return Author(display_name=display_name, handle=handle, platform="x")


def knowledge() -> list[KnowledgeItem]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return [
        KnowledgeItem(
            title=k["title"], answer=k["answer"], lang=k["lang"], keywords=tuple(k["keywords"]), id=i
        )
        for i, k in enumerate(data["knowledge"], start=1)
    ]


def catalogue() -> Catalogue:
    """The demo brand as its workspace is set up: shop sector, its words and its own wordings."""
    return sectors.catalogue(sectors.parse_settings(demo.draft_settings()))
