"""Public holidays of a country (or region), from the optional ``holidays`` package (pure data).

Écoute works without it: explicit dates in the business-hours settings are always honoured;
``public_holidays: "FR"`` (or ``"DE-BY"``, country and ISO 3166-2 subdivision) needs
``pip install holidays``.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from functools import cache
from typing import Any


class HolidaysUnavailable(ValueError):
    """``public_holidays`` was asked for but the ``holidays`` package is not installed."""


def _module() -> Any:
    try:
        import holidays
    except ImportError:
        raise HolidaysUnavailable(
            "public holidays need the 'holidays' package (pip install holidays); "
            "or list the closed dates in 'holidays'"
        ) from None
    return holidays


def _split(region: str) -> tuple[str, str | None]:
    country, _, subdivision = region.strip().upper().partition("-")
    return country, subdivision or None


def check_region(region: str) -> str:
    """``region`` normalised (``"fr"`` → ``"FR"``), or ValueError when the package does not know it."""
    country, subdivision = _split(region)
    try:
        _module().country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        raise ValueError(f"public_holidays: no calendar for {region!r} (e.g. FR, BE, DE-BY)") from None
    return country + (f"-{subdivision}" if subdivision else "")


@cache
def public_holidays(region: str) -> Container[date]:
    """The region's public holidays: ``date in public_holidays("FR")``, any year (computed lazily)."""
    country, subdivision = _split(region)
    return _module().country_holidays(country, subdiv=subdivision)  # type: ignore[no-any-return]
