"""The bundled demo: a fictional French brand, two competitors and a few weeks of mentions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from ecoute.normalise import parse_datetime
from ecoute.respond import sectors
from ecoute.sources.base import RawItem, Rejected
from ecoute.sources.file import ColumnMapping, FileSource
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Workspace

DATA = files("ecoute.demo") / "data"
# The newest demo mention is placed this long before "now", so waiting times look like a live desk.
NEWEST_AGE = timedelta(minutes=25)


@dataclass(frozen=True)
class DemoSetup:
    workspace: Workspace
    brands: list[str]
    competitors: list[str]
    created: bool


def load_config() -> dict[str, Any]:
    return json.loads((DATA / "workspace.json").read_text(encoding="utf-8"))


def draft_settings() -> dict[str, Any]:
    """The demo brand's drafts settings: the shop sector, its products, places and words, and its
    own wordings (``drafts_wordings.toml``: a bike maker's workshop, batteries, safety, app)."""
    config = dict(load_config()["drafts"])
    config["wordings"] = (DATA / config.pop("wordings_file")).read_text(encoding="utf-8")
    return config


def setup_workspace(db: Database) -> DemoSetup:
    """Create the demo workspace, its brand and competitors (once; later runs reuse them)."""
    config = load_config()
    ws_conf = config["workspace"]
    brands, competitors = [], []
    with db.session() as session:
        workspace = repo.get_workspace(session, ws_conf["slug"])
        created = workspace is None
        if workspace is None:
            workspace = repo.create_workspace(
                session,
                ws_conf["slug"],
                ws_conf["name"],
                locale=ws_conf["locale"],
                timezone=ws_conf["timezone"],
            )
        if sectors.SETTINGS_KEY not in (workspace.settings or {}):
            sectors.save_settings(session, workspace, draft_settings(), actor="demo")
        existing = {b.name for b in repo.list_brands(session, workspace.id)}
        for brand in config["brands"]:
            brands.append(brand["name"])
            if brand["name"] not in existing:
                repo.add_brand(
                    session, workspace.id, brand["name"], query=brand["query"], handles=brand["handles"]
                )
            for rival in brand.get("competitors", []):
                competitors.append(rival["name"])
                if rival["name"] not in existing:
                    repo.add_brand(
                        session,
                        workspace.id,
                        rival["name"],
                        query=rival["query"],
                        handles=rival.get("handles", []),
                        competitor_of=brand["name"],
                    )
    return DemoSetup(workspace, brands, competitors, created)


def demo_items(now: datetime | None = None) -> Iterator[RawItem | Rejected]:
    """The demo mentions, shifted in time so that the newest one is ``NEWEST_AGE`` old."""
    items = list(FileSource(ColumnMapping()).read(Path(str(DATA / "mentions.jsonl"))))
    dates = [parse_datetime(i.created_at) for i in items if isinstance(i, RawItem)]
    shift = ((now or datetime.now(UTC)) - NEWEST_AGE) - max(dates)
    for item in items:
        if isinstance(item, RawItem):
            item.created_at = (parse_datetime(item.created_at) + shift).isoformat()
        yield item


def count() -> int:
    return sum(
        1 for line in (DATA / "mentions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
    )
