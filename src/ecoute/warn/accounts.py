"""The ``scan-accounts`` evaluation contract: one account per JSON line in, the same lines out,
in order, each with ``impersonation``, ``score`` and ``reasons`` added."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from ecoute.warn.impersonation import Account, Brand, assess


class AccountsError(ValueError):
    """A line the contract cannot read; the message names the line and the field."""


def parse_account(data: Any, where: str) -> Account:
    if not isinstance(data, dict):
        raise AccountsError(f"{where}: expected a JSON object, got {type(data).__name__}")
    handle = data.get("handle")
    if not isinstance(handle, str) or not handle.strip():
        raise AccountsError(f"{where}: field 'handle' must be a non-empty string, got {handle!r}")
    return Account(
        platform=_text(data, "platform", where),
        handle=handle,
        display_name=_text(data, "display_name", where),
        bio=_text(data, "bio", where),
        created_at=_when(data.get("created_at"), where),
        followers=_followers(data.get("followers"), where),
        verified=_flag(data.get("verified"), where),
        replied_to_handles=_handles(data.get("replied_to_handles"), where),
    )


def scan_accounts(
    source: TextIO,
    target: TextIO,
    brand: Brand,
    now: datetime,
    tagged_brand: Iterable[str] | None = None,
    name: str = "input",
    lang: str = "en",
) -> int:
    """Read ``source`` fully (so a bad line leaves nothing half-written), then write the
    verdicts; return the number of accounts flagged."""
    rows = list(_read(source, name))
    tagged = set(tagged_brand) if tagged_brand is not None else None
    flagged = 0
    for data, account in rows:
        verdict = assess(account, brand, now, tagged, lang)
        flagged += verdict.impersonation
        data.update(impersonation=verdict.impersonation, score=verdict.score, reasons=verdict.reasons)
        target.write(json.dumps(data, ensure_ascii=False) + "\n")
    return flagged


def _read(source: TextIO, name: str) -> Iterator[tuple[dict[str, Any], Account]]:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise AccountsError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
        yield data, parse_account(data, where)


def _text(data: dict[str, Any], field: str, where: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AccountsError(f"{where}: field '{field}' must be a string, got {value!r}")
    return value


def _when(value: Any, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise AccountsError(f"{where}: field 'created_at' is not an ISO 8601 date: {value!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _followers(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise AccountsError(f"{where}: field 'followers' must be a non-negative number, got {value!r}")
    return int(value)


def _flag(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise AccountsError(f"{where}: field 'verified' must be true or false, got {value!r}")
    return value


def _handles(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise AccountsError(f"{where}: field 'replied_to_handles' must be a list of strings, got {value!r}")
    return tuple(value)
