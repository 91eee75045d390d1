"""Typed accessors shared by the platforms' payload readers: a field read or a ``PayloadError``
naming its path, and an unreadable entry kept as a ``Rejected`` with the payload as received."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecoute.sources.base import PayloadError, Rejected


def text_field(payload: Mapping[str, Any], name: str, *, where: str, required: bool = True) -> str | None:
    """``payload[name]`` as a string: required and non-empty, or None when absent."""
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise PayloadError(f"{where}.{name}", f"expected a non-empty string, got {value!r:.60}")
    return value


def rejected(error: PayloadError, *, location: str, payload: Any) -> Rejected:
    return Rejected(location, error.reason, error.field, json.dumps(payload, ensure_ascii=False)[:10_000])
