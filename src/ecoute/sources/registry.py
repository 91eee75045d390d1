"""The one place that knows the list of sources: every source, built-in or third-party, is an
entry point in the ``ecoute.sources`` group (built-ins are declared in Écoute's own pyproject)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

GROUP = "ecoute.sources"


class UnknownSource(LookupError):
    pass


@cache
def available() -> dict[str, Any]:
    """Source name → class, for every installed source."""
    found: dict[str, Any] = {}
    for entry_point in entry_points(group=GROUP):
        found[entry_point.name] = entry_point.load()
    return dict(sorted(found.items()))


def get(name: str) -> Any:
    sources = available()
    if name not in sources:
        raise UnknownSource(f"unknown source {name!r} (installed: {', '.join(sources) or 'none'})")
    return sources[name]
