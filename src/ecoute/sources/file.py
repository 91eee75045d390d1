"""File import: JSONL and CSV exports, with a column mapping so another tool's export loads unedited.

Every line or row becomes a RawItem or a Rejected that names the line and the field; one bad
line never stops the file. Columns the mapping does not use are kept in the item's raw payload.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import tomllib
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from ecoute.sources.base import ItemStream, RawItem, Rejected

# Item fields a column can be mapped to, and the column names recognised without a mapping.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "external_id", "post_id", "tweet_id", "message_id", "review_id"),
    "text": ("text", "message", "content", "body", "full_text", "review", "comment"),
    "created_at": ("created_at", "date", "published", "published_at", "timestamp", "time", "created"),
    "platform": ("platform", "network"),
    "url": ("url", "link", "permalink"),
    "author": ("author", "username", "handle", "screen_name", "author_handle"),
    "author_name": ("author_name", "display_name", "user_name"),
    "author_followers": ("author_followers", "followers", "followers_count"),
    "author_verified": ("author_verified", "verified"),
    "kind": ("kind",),
    "rating": ("rating", "stars"),
    "parent_id": ("parent_id", "in_reply_to", "in_reply_to_id", "in_response_to_tweet_id"),
    "thread_id": ("thread_id", "conversation_id", "root_id"),
    "lang": ("lang", "language"),
    "likes": ("likes", "like_count", "favorite_count", "reactions"),
    "shares": ("shares", "share_count", "retweet_count", "reposts"),
    "replies": ("replies", "reply_count", "comments_count"),
}
REQUIRED = ("text", "created_at")
_ITEM_ATTR = {"id": "external_id", "lang": "language"}


class MappingError(ValueError):
    """The mapping or the file's header cannot work at all; nothing was imported."""


@dataclass
class ColumnMapping:
    """Which column of the file feeds which item field, plus file-wide defaults.

    ``columns`` maps item field → column name. Unmapped fields fall back to the usual names
    listed in ``FIELDS``. ``defaults`` fills fields the file lacks (e.g. ``platform = "facebook"``).
    """

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str = "utf-8-sig"

    def __post_init__(self) -> None:
        for name in (*self.columns, *self.defaults):
            if name not in FIELDS:
                raise MappingError(f"unknown item field {name!r} in mapping (known: {', '.join(FIELDS)})")

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
        """A TOML or JSON mapping file: [columns] field = "Column", [defaults] field = value."""
        try:
            data = tomllib.loads(path.read_text()) if path.suffix == ".toml" else json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise MappingError(f"{path}: cannot read mapping ({error})") from None
        unknown = set(data) - {"columns", "defaults", "delimiter", "encoding"}
        if unknown:
            raise MappingError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(
            columns=dict(data.get("columns", {})),
            defaults=dict(data.get("defaults", {})),
            delimiter=data.get("delimiter"),
            encoding=data.get("encoding", "utf-8-sig"),
        )

    def merged(self, columns: Mapping[str, str], defaults: Mapping[str, Any]) -> ColumnMapping:
        return ColumnMapping(
            {**self.columns, **columns}, {**self.defaults, **defaults}, self.delimiter, self.encoding
        )

    def resolve(self, header: list[str], where: str, *, strict: bool = True) -> dict[str, str]:
        """Field → column for this header. ``strict`` (CSV): a mapped or required column missing
        from the header is fatal. JSONL lines each carry their own keys, so there a missing value
        is that line's problem, reported when the item is validated."""
        present = set(header)
        missing = [column for column in self.columns.values() if column not in present]
        if missing and strict:
            raise MappingError(
                f"{where}: mapped column(s) {', '.join(map(repr, missing))} not in the file "
                f"(columns: {', '.join(header)})"
            )
        resolved = {name: column for name, column in self.columns.items() if column in present}
        lowered = {column.strip().lower(): column for column in header}
        for name, usual in FIELDS.items():
            if name not in resolved:
                hit = next((lowered[u] for u in usual if u in lowered), None)
                if hit is not None and hit not in resolved.values():
                    resolved[name] = hit
        lacking = [name for name in REQUIRED if name not in resolved and name not in self.defaults]
        if lacking and strict:
            raise MappingError(
                f"{where}: no column for {', '.join(lacking)} (columns: {', '.join(header)}); "
                "map one with --map FIELD=COLUMN"
            )
        return resolved


@dataclass(frozen=True)
class _Plan:
    """How one header's columns become RawItem attributes (computed once per header)."""

    pairs: tuple[tuple[str, str], ...]  # (RawItem attribute, column)
    extra: tuple[str, ...]  # the columns no field uses, kept in the item's raw payload
    defaults: dict[str, Any]  # RawItem attribute → value
    required: tuple[tuple[str, str, str], ...]  # (field, attribute, column named in errors)


def _plan(columns: Sequence[str], fields: Mapping[str, str], mapping: ColumnMapping) -> _Plan:
    def attr(name: str) -> str:
        return _ITEM_ATTR.get(name, name)

    used = set(fields.values())
    return _Plan(
        pairs=tuple((attr(name), column) for name, column in fields.items()),
        extra=tuple(column for column in columns if column not in used),
        defaults={attr(name): value for name, value in mapping.defaults.items()},
        required=tuple((name, attr(name), fields.get(name, name)) for name in REQUIRED),
    )


def _item(values: Mapping[str, Any], plan: _Plan, location: str, original: str) -> RawItem | Rejected:
    picked: dict[str, Any] = {name: values.get(column) for name, column in plan.pairs}
    if None in picked.values() or "" in picked.values():  # an empty value counts as absent
        picked = {name: value for name, value in picked.items() if value is not None and value != ""}
    if plan.defaults:
        picked = {**plan.defaults, **picked}
    for name, attribute, column in plan.required:
        if attribute not in picked:
            return Rejected(location, f"missing field {column!r}", field=name, content=original)
    raw = {column: values[column] for column in plan.extra} if plan.extra else {}
    platform = str(picked.pop("platform", "file"))
    if "external_id" not in picked:
        # No id column: derive a stable one so importing the same export twice still dedupes.
        basis = "\x1f".join(str(picked.get(k, "")) for k in ("author", "created_at", "text"))
        picked["external_id"] = "sha1:" + hashlib.sha1(basis.encode(errors="surrogatepass")).hexdigest()
    return RawItem(platform=platform, raw=raw, location=location, original=original, **picked)


class FileSource:
    """Reads JSONL (.jsonl/.ndjson) and CSV/TSV (.csv/.tsv) files into the ingest path."""

    name: ClassVar[str] = "file"
    description: ClassVar[str] = "JSONL or CSV export, with a column mapping"

    def __init__(self, mapping: ColumnMapping | None = None):
        self.mapping = mapping or ColumnMapping()

    def read(self, path: Path) -> ItemStream:
        suffix = path.suffix.lower()
        handle = path.open("rb")
        if suffix in {".jsonl", ".ndjson", ".json"}:
            return self._guard(handle, self._jsonl(handle, path.name))
        if suffix in {".csv", ".tsv", ".txt"}:
            try:
                rows = self._csv(handle, path.name, "\t" if suffix == ".tsv" else None)
            except MappingError:
                handle.close()
                raise
            return self._guard(handle, rows)
        handle.close()
        raise MappingError(f"{path.name}: unsupported file type {suffix!r} (use .jsonl, .csv or .tsv)")

    @staticmethod
    def _guard(handle: BinaryIO, stream: ItemStream) -> ItemStream:
        with handle:
            yield from stream

    def _jsonl(self, handle: BinaryIO, name: str) -> ItemStream:
        plans: dict[tuple[str, ...], _Plan] = {}  # by the line's keys, in order
        for number, line in enumerate(handle, start=1):
            where = f"{name} line {number}"
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                yield Rejected(where, f"not valid UTF-8 (byte {error.start})", content=_preview(line))
                continue
            if not text or text.isspace():
                continue
            try:
                values = json.loads(text)
            except json.JSONDecodeError as error:
                yield Rejected(
                    where,
                    f"not valid JSON ({error.msg} at column {error.colno})",
                    content=text.rstrip("\r\n"),
                )
                continue
            except RecursionError:
                yield Rejected(where, "not valid JSON (nested too deeply)", content=_cut(text))
                continue
            except ValueError:  # the one other failure: an integer too long to read
                limit = sys.get_int_max_str_digits()
                yield Rejected(
                    where, f"not valid JSON (a number of more than {limit:,} digits)", content=_cut(text)
                )
                continue
            if not isinstance(values, dict):
                yield Rejected(where, f"expected a JSON object, got {type(values).__name__}", content=text)
                continue
            keys = tuple(values)
            plan = plans.get(keys)
            if plan is None:
                plan = plans[keys] = _plan(
                    keys, self.mapping.resolve(list(keys), where, strict=False), self.mapping
                )
            yield _item(values, plan, where, text.rstrip("\r\n"))

    def _csv(self, handle: BinaryIO, name: str, delimiter: str | None) -> ItemStream:
        """Reads and checks the header now (a bad mapping fails before any row), rows lazily."""
        text = io.TextIOWrapper(handle, encoding=self.mapping.encoding, errors="surrogateescape", newline="")
        sample = text.read(64 * 1024)
        text.seek(0)
        delimiter = self.mapping.delimiter or delimiter or _sniff(sample)
        records = _Records(text, delimiter)
        first = next(records, None)
        if isinstance(first, _BadRecord):
            raise MappingError(f"{name} header: {first.reason}")
        header = [column.strip() for column in first[1]] if first is not None else []
        fields = self.mapping.resolve(header, f"{name} header") if header else {}
        records.columns = len(header)
        return self._csv_rows(records, header, _plan(header, fields, self.mapping), name, delimiter)

    def _csv_rows(
        self, records: _Records, header: list[str], plan: _Plan, name: str, delimiter: str
    ) -> ItemStream:
        for record in records:
            if isinstance(record, _BadRecord):
                yield Rejected(f"{name} line {record.line}", record.reason, content=_cut(record.content))
                continue
            number, row = record
            where = f"{name} line {number}"
            if not any(cell.strip() for cell in row):
                continue
            bad = _undecodable(row)
            if bad is not None:
                yield Rejected(
                    where,
                    f"not valid {self.mapping.encoding} text in column {header[bad]!r}",
                    field=header[bad],
                    content=_preview(delimiter.join(row).encode(errors="replace")),
                )
                continue
            if len(row) != len(header):
                yield Rejected(
                    where,
                    f"{len(row)} values but the header has {len(header)} columns",
                    content=delimiter.join(row),
                )
                continue
            yield _item(dict(zip(header, row, strict=True)), plan, where, delimiter.join(row))


# A quoted value may run over several lines (a post with line breaks), but not over more than this:
# past it, the quote is taken as never closed.
MAX_RECORD_LINES = 1000


@dataclass(frozen=True, slots=True)
class _BadRecord:
    line: int
    reason: str
    content: str


_UNCLOSED = "unclosed quote: the quoted value opened on this line runs into the following lines"


class _TooLong(Exception):
    pass


class _Lines:
    """The file's physical lines for the CSV reader, numbered, with lines handed back to re-read."""

    def __init__(self, text: io.TextIOWrapper):
        self._text = text
        self._number = 0
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []  # the lines of the record being read

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if len(self.taken) >= MAX_RECORD_LINES:
            raise _TooLong
        if self.pending:
            entry = self.pending.popleft()
        else:
            line = self._text.readline()
            if not line:
                raise StopIteration
            self._number += 1
            entry = (self._number, line)
        self.taken.append(entry)
        return entry[1]

    def give_back(self, lines: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(lines))


class _Records:
    """CSV records as (first line number, values), or a _BadRecord naming the line.

    A record spanning several lines is kept only when it has the header's number of columns, its
    quotes are well formed and none of the lines inside it reads as a complete row by itself;
    otherwise its first line has an unclosed quote: that line is rejected and the next lines are
    read again as rows of their own, so one stray quote never swallows the good rows after it.
    """

    def __init__(self, text: io.TextIOWrapper, delimiter: str):
        self._lines = _Lines(text)
        self._delimiter = delimiter
        self._reader = csv.reader(self._lines, delimiter=delimiter, strict=True)
        self.columns = 0  # the header's, once read

    def __iter__(self) -> _Records:
        return self

    def __next__(self) -> tuple[int, list[str]] | _BadRecord:
        lines = self._lines
        lines.taken = []
        try:
            row = next(self._reader)
        except StopIteration:
            if not lines.taken:
                raise
            return self._bad(lines.taken, _UNCLOSED)
        except _TooLong:
            return self._bad(lines.taken, f"a quoted value runs over more than {MAX_RECORD_LINES} lines")
        except csv.Error as error:
            return self._bad(lines.taken, _csv_reason(error, spanning=len(lines.taken) > 1))
        taken = lines.taken
        if len(taken) > 1 and self.columns and (len(row) != self.columns or self._row_inside(taken)):
            return self._bad(taken, _UNCLOSED)
        return taken[0][0], row

    def _bad(self, taken: list[tuple[int, str]], reason: str) -> _BadRecord:
        if not taken:
            raise StopIteration
        self._lines.give_back(taken[1:])
        number, line = taken[0]
        return _BadRecord(number, reason, line.rstrip("\r\n"))

    def _row_inside(self, taken: list[tuple[int, str]]) -> bool:
        for _, line in taken[1:-1]:
            if line.count('"') % 2:
                continue
            try:
                row = next(csv.reader([line], delimiter=self._delimiter, strict=True), [])
            except csv.Error:
                continue
            if len(row) == self.columns:
                return True
        return False


def _csv_reason(error: csv.Error, *, spanning: bool) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return f"a value longer than {csv.field_size_limit():,} characters"
    if spanning or "unexpected end of data" in message:
        return _UNCLOSED
    return f"not valid CSV ({message})"


def _sniff(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _undecodable(row: list[str]) -> int | None:
    for index, cell in enumerate(row):
        if any("\udc80" <= char <= "\udcff" for char in cell):
            return index
    return None


def _cut(text: str, limit: int = 2000) -> str:
    """A bad line as kept in the rejects file: cut short, and storable anywhere."""
    text = text.rstrip("\r\n")
    text = text if len(text) <= limit else text[:limit] + "…"
    return text.encode("utf-8", errors="replace").decode("utf-8").replace("\x00", "\ufffd")


def _preview(data: bytes, limit: int = 200) -> str:
    return data[:limit].decode("utf-8", errors="replace")


def record_to_item(values: Mapping[str, Any], location: str) -> RawItem | Rejected:
    """One record in Écoute's import format (a JSON object, as in a JSONL line) as an item, or a
    reject naming the field — for records that arrive by other ways than a file (the REST API)."""
    mapping = ColumnMapping()
    columns = [str(key) for key in values]
    plan = _plan(columns, mapping.resolve(columns, location, strict=False), mapping)
    return _item(values, plan, location, json.dumps(values, ensure_ascii=False, default=str)[:2000])
