"""Reading a source's settings as typed in the CLI or stored as JSON: lists and switches."""

from __future__ import annotations

from typing import Any


def names(value: Any) -> list[str]:
    """A list setting: a JSON list, or comma-separated text (``"acme, acme café"``)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


def flag(value: Any) -> bool:
    """A switch: on unless it says false, 0, no or off (or is empty)."""
    return str(value).strip().lower() not in ("false", "0", "no", "off", "")
