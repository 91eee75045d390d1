"""Inbox filters from a query string (``?status=new,open&sentiment=negative&q=colis``), shared by
the inbox page and the API so both accept the same parameters with the same errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ecoute.inbox.queries import InboxFilters
from ecoute.store.repo import Invalid
from ecoute.store.types import MAX_ID

FILTER_PARAMS = (
    "status",
    "assignee",
    "source",
    "platform",
    "sentiment",
    "intent",
    "lang",
    "brand",
    "tag",
    "needs_reply",
    "since",
    "until",
    "q",
    "deadline",
    "scope",
    "topic",
)
# What the inbox shows when no status is asked for: what still needs work.
OPEN_STATUSES = ("new", "open", "pending")


def parse_filters(params: Mapping[str, str], *, me: int | None, default_open: bool = True) -> InboxFilters:
    """``assignee`` is a user id, ``me`` or ``none``; dates are ISO (a date alone means midnight UTC);
    ``deadline`` is ``breached``, ``due_soon`` or ``at_risk`` (either: the first-response clock)."""
    status = tuple(s for s in (params.get("status") or "").split(",") if s)
    if status == ("all",):
        status = ()
    elif not status and default_open:
        status = OPEN_STATUSES
    assignee = (params.get("assignee") or "").strip()
    return InboxFilters(
        status=status,
        assignee_id=me
        if assignee == "me"
        else _int("assignee", assignee)
        if assignee not in ("", "none")
        else None,
        unassigned=assignee == "none",
        source_id=_int("source", params.get("source")),
        platform=params.get("platform") or None,
        sentiment=params.get("sentiment") or None,
        intent=params.get("intent") or None,
        lang=params.get("lang") or None,
        brand_id=_int("brand", params.get("brand")),
        tag_id=_int("tag", params.get("tag")),
        needs_reply=_bool("needs_reply", params.get("needs_reply")),
        since=_date("since", params.get("since")),
        until=_date("until", params.get("until")),
        q=(params.get("q") or "").strip()[:500] or None,
        deadline=params.get("deadline") or None,
        by_mention=_scope(params.get("scope")),
        topic_id=_int("topic", params.get("topic")),
    )


def _scope(value: str | None) -> bool:
    """``scope=mentions``: the dates and labels select mentions (see ``InboxFilters.by_mention``)."""
    if not value or value == "conversations":
        return False
    if value == "mentions":
        return True
    raise Invalid(f"scope: {value!r}: use mentions or conversations")


def _int(name: str, value: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise Invalid(f"{name}: {value!r} is not a number") from None
    if not 0 < number <= MAX_ID:
        raise Invalid(f"{name}: {value!r} is not a valid id")
    return number


def _bool(name: str, value: str | None) -> bool | None:
    if not value:
        return None
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise Invalid(f"{name}: {value!r} is not true or false")


def _date(name: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if not 1970 <= parsed.year <= 9998:  # PostgreSQL and SQLite disagree beyond these
            raise ValueError(value)
    except ValueError:
        raise Invalid(
            f"{name}: {value!r} is not a date (use 2026-10-01 or 2026-10-01T09:00:00+02:00)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
