"""Query and path parameters shared by the API's areas, bounded so bad input is a 422, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path
from fastapi.security import HTTPBearer

from ecoute.store.repo import Invalid
from ecoute.web.api.schemas import MAX_ID

# Declares the bearer scheme in /openapi.json; ``ecoute.web.deps.api_context`` does the checking.
BEARER = [Depends(HTTPBearer(auto_error=False, bearerFormat="ecu_…", description="An API token (ecu_…)."))]
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]


def aware(value: datetime | None) -> datetime | None:
    """In UTC; a date without a time zone is read as UTC."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    except OverflowError:
        raise Invalid(f"{value.isoformat()} is out of range") from None
