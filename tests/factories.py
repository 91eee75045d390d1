"""Factories for test data: raw items and files shaped like real exports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ecoute.sources.base import RawItem

BASE_TIME = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def raw_item(external_id: str, text: str = "Bonjour Velora", **fields: Any) -> RawItem:
    fields.setdefault("platform", "x")
    fields.setdefault(
        "created_at", BASE_TIME + timedelta(minutes=int(external_id) if external_id.isdigit() else 0)
    )
    return RawItem(external_id=external_id, text=text, location=f"item {external_id}", **fields)


def row(external_id: str, text: str = "Bonjour Velora", **fields: Any) -> dict[str, Any]:
    """A JSONL row in Écoute's import format."""
    minutes = int(external_id) if external_id.isdigit() else 0
    return {
        "id": external_id,
        "text": text,
        "created_at": (BASE_TIME + timedelta(minutes=minutes)).isoformat(),
        "platform": "x",
        **fields,
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, Any] | str]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for line in rows:
            handle.write((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n")
    return path
