"""Query and path parameters shared by the API's areas, bounded so bad input is a 422, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Path
from fastapi.security import HTTPBearer
from pydantic import BeforeValidator

from ecoute.store.repo import Invalid
from ecoute.web.api.schemas import MAX_ID

# Declares the bearer scheme in /openapi.json; ``ecoute.web.deps.api_context`` does the checking.
BEARER = [Depends(HTTPBearer(auto_error=False, bearerFormat="ecu_…", description="An API token (ecu_…)."))]
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
A_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")


def _iso_day(value: object) -> object:
    """Dates are ISO days only: ``to=0`` or ``to=1735689600`` is a mistake, not 1 January 1970."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("use a day as YYYY-MM-DD")
    return value


def _iso_moment(value: object) -> object:
    """Moments are ISO 8601: a bare number (an epoch?) is refused rather than read as 1970."""
    if isinstance(value, str) and A_NUMBER.fullmatch(value):
        raise ValueError("use an ISO 8601 date or date and time (2026-01-31 or 2026-01-31T09:00:00Z)")
    return value


# Query dates and moments: ISO 8601 text only (pydantic alone would read a number as epoch seconds).
IsoDay = Annotated[date, BeforeValidator(_iso_day)]
IsoMoment = Annotated[datetime, BeforeValidator(_iso_moment)]


def aware(value: datetime | None) -> datetime | None:
    """In UTC; a date without a time zone is read as UTC."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    except OverflowError:
        raise Invalid(f"{value.isoformat()} is out of range") from None
