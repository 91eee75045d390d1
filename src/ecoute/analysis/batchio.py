"""Reading ``ecoute analyze`` input line by line, so that one bad line never costs the others.

Each input line becomes one ``InputLine``: either a post to analyse (maybe with warnings, such
as bytes that were not UTF-8) or an error that names the line and says why. Output keeps the
input's order, one line out per line in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dateutil import parser as dateparser

from .types import AnalysisInput

FORMATS = ("auto", "jsonl", "text")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
# The two date forms posts come in, read by the standard library: the same answers as dateutil's
# (tests/analysis/test_batchio.py) at a fifth of its cost, which shows in ``ecoute analyze``'s speed.
TWITTER_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}"
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?")


@dataclass
class InputLine:
    line: int
    id: object = None
    item: AnalysisInput | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """JSONL for .jsonl/.ndjson/.json files and for files whose first non-blank line starts with "{"."""
    if path.suffix.lower() in JSONL_SUFFIXES:
        return "jsonl"
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                return "jsonl" if raw.lstrip().startswith(b"{") else "text"
    return "text"


def count_lines(path: Path) -> int:
    total, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            total += chunk.count(b"\n")
            last = chunk[-1:]
    return total + (last != b"\n")


def read_lines(path: Path, fmt: str) -> Iterator[InputLine]:
    parse = parse_jsonl if fmt == "jsonl" else parse_text
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            text, warning = decode(raw.rstrip(b"\r\n"), number)
            parsed = parse(text, number)
            if warning:
                parsed.warnings.insert(0, warning)
            yield parsed


def decode(raw: bytes, number: int) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return raw.decode("utf-8", errors="replace"), (
            f"line {number}: not valid UTF-8 (byte {exc.start + 1}), undecodable bytes replaced with U+FFFD"
        )


def parse_text(text: str, number: int) -> InputLine:
    return InputLine(number, id=number, item=AnalysisInput(text=text.removeprefix("\ufeff")))


def parse_jsonl(text: str, number: int) -> InputLine:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return InputLine(number, error=f"line {number}: blank line")
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        return InputLine(number, error=f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(row, dict):
        return InputLine(number, error=f"line {number}: not a JSON object")
    ident = row.get("id", number)
    body = row.get("text")
    if body is None:
        return InputLine(number, id=ident, error=f'line {number}: no "text" field')
    if not isinstance(body, str):
        return InputLine(number, id=ident, error=f'line {number}: "text" must be a string')
    result = InputLine(number, id=ident)
    result.item = AnalysisInput(
        text=body,
        author_followers=_count(row, "author_followers", number, result.warnings, optional=True),
        author_verified=row.get("author_verified") is True,
        likes=_count(row, "likes", number, result.warnings) or 0,
        shares=_count(row, "shares", number, result.warnings) or 0,
        replies=_count(row, "replies", number, result.warnings) or 0,
        created_at=_date(row.get("created_at"), number, result.warnings),
        platform=row["platform"] if isinstance(row.get("platform"), str) else None,
        addressed_to_brand=row["addressed_to_brand"]
        if isinstance(row.get("addressed_to_brand"), bool)
        else None,
    )
    return result


def _count(
    row: dict[str, object], key: str, number: int, warnings: list[str], optional: bool = False
) -> int | None:
    value = row.get(key)
    if value is None:
        return None if optional else 0
    try:
        count = int(value)  # type: ignore[call-overload]
        if count < 0 or isinstance(value, bool):
            raise ValueError
    except (TypeError, ValueError):
        warnings.append(f'line {number}: "{key}" is not a whole number ({value!r}), ignored')
        return None
    return count


def _date(value: object, number: int, warnings: list[str]) -> datetime | None:
    """ISO 8601, Twitter's "Tue Oct 31 22:10:47 +0000 2017", or epoch seconds; UTC when no zone."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=UTC)
        if isinstance(value, str):
            parsed = parse_date(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    warnings.append(f'line {number}: "created_at" is not a date ({value!r}), ignored')
    return None


def parse_date(value: str) -> datetime:
    """A date as dateutil reads it; Twitter's form and plain ISO 8601 without dateutil's cost."""
    if TWITTER_DATE.fullmatch(value):
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    if ISO_DATE.fullmatch(value):
        return datetime.fromisoformat(value)
    return dateparser.parse(value)
