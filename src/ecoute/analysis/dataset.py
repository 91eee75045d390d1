"""Labelled posts on disk: the bundled training data and a workspace's own JSONL file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .types import INTENTS, SENTIMENTS, LabelledExample

DATA_DIR = Path(__file__).parent / "data"
# Sorted, so the order (and the fingerprint) never depends on the file system.
BUNDLED_PATTERNS = ("train_*.jsonl", "extra_*.jsonl")
BOOLEANS: dict[object, bool] = {
    True: True,
    False: False,
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
}


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str

    def describe(self) -> str:
        return f"line {self.line}: {self.reason}"


def bundled_files() -> list[Path]:
    files: list[Path] = []
    for pattern in BUNDLED_PATTERNS:
        files += sorted(DATA_DIR.glob(pattern))
    return files


def bundled_examples() -> list[LabelledExample]:
    """The hand-written posts the shipped heads are trained on (see data/README.md)."""
    examples = []
    for path in bundled_files():
        for item in read_labelled(path):
            if isinstance(item, BadLine):
                raise ValueError(f"{path.name} {item.describe()}")
            examples.append(taxonomy(item))
    return examples


def taxonomy(example: LabelledExample) -> LabelledExample:
    """One reading of the intents across the bundled files, whoever wrote them.

    A question asked in anger ("why does every call drop after 40 minutes??") reports that
    something went wrong: Écoute files it as a complaint, so that it gets a complaint's priority
    and answer (an apology and a next step), as the complaint literature does.
    """
    if example.intent == "question" and example.sentiment == "negative":
        return replace(example, intent="complaint")
    return example


def read_labelled(path: Path) -> Iterator[LabelledExample | BadLine]:
    """Each line as an example, or a ``BadLine`` saying why it cannot be one."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield parse_labelled(json.loads(raw.decode("utf-8")))
            except UnicodeDecodeError as exc:
                yield BadLine(number, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
            except json.JSONDecodeError as exc:
                yield BadLine(number, f"not valid JSON ({exc.msg} at column {exc.colno})")
            except ValueError as exc:
                yield BadLine(number, str(exc))


def parse_labelled(row: object) -> LabelledExample:
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('no "text"')
    sentiment = _choice(row, "sentiment", SENTIMENTS)
    intent = _choice(row, "intent", INTENTS)
    needs_reply = row.get("needs_reply")
    if needs_reply is not None:
        if not isinstance(needs_reply, bool | str) or needs_reply not in BOOLEANS:
            raise ValueError(f'"needs_reply" must be true or false, not {needs_reply!r}')
        needs_reply = BOOLEANS[needs_reply]
    if sentiment is None and intent is None and needs_reply is None:
        raise ValueError('no label: give "sentiment", "intent" or "needs_reply"')
    weight = row.get("weight", 1.0)
    if not isinstance(weight, int | float) or weight <= 0:
        raise ValueError(f'"weight" must be a positive number, not {weight!r}')
    lang = row.get("lang")
    return LabelledExample(
        text, lang if isinstance(lang, str) and lang else None, sentiment, intent, needs_reply, float(weight)
    )


def _choice(row: dict[str, object], key: str, allowed: tuple[str, ...]) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in allowed:
        raise ValueError(f'"{key}" must be one of {", ".join(allowed)}, not {value!r}')
    return value.strip().lower()
