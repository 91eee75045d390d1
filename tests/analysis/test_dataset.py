"""Labelled posts: the bundled training data and a workspace's own file."""

from __future__ import annotations

from pathlib import Path

from ecoute.analysis.dataset import BadLine, bundled_examples, bundled_files, read_labelled
from ecoute.analysis.types import INTENTS, SENTIMENTS

INTENT_ONLY = "extra_support_en.jsonl"


def test_bundled_data_is_complete_and_labelled() -> None:
    examples = bundled_examples()
    assert {path.name for path in bundled_files()} >= {"train_fr.jsonl", "train_en.jsonl"}
    assert len(examples) >= 2800
    assert {ex.sentiment for ex in examples} == {*SENTIMENTS, None}
    assert {ex.intent for ex in examples} == set(INTENTS)
    assert {ex.lang for ex in examples} == {"fr", "en"}
    assert all(ex.needs_reply is not None and ex.intent is not None for ex in examples)
    # Every file gives every label, but for the support posts, written for intent and needs-reply
    # only: their sentiment is left to the other files (data/README.md says why).
    for path in bundled_files():
        sentiments = {item.sentiment is None for item in read_labelled(path)}
        assert sentiments == ({True} if path.name == INTENT_ONLY else {False}), path.name


def test_bundled_texts_are_unique_per_language() -> None:
    examples = bundled_examples()
    assert len({(ex.lang, ex.text) for ex in examples}) == len(examples)


def test_workspace_file_keeps_good_lines_and_names_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"id": 1, "text": "Nul, colis perdu", "sentiment": "negative", "intent": "complaint"}\n'
        '{"id": 2, "text": "Merci !", "sentiment": "POSITIVE"}\n'
        '{"id": 3, "text": "ok", "sentiment": "angry"}\n'
        '{"id": 4, "text": "pas de label"}\n'
        '{"id": 5, "text": "x", "intent": "question", "needs_reply": "maybe"}\n'
        "{broken\n",
        encoding="utf-8",
    )
    items = list(read_labelled(path))
    assert [item.sentiment for item in items[:2]] == ["negative", "positive"]
    assert [item.describe() for item in items[2:] if isinstance(item, BadLine)] == [
        "line 3: \"sentiment\" must be one of negative, neutral, positive, not 'angry'",
        'line 4: no label: give "sentiment", "intent" or "needs_reply"',
        "line 5: \"needs_reply\" must be true or false, not 'maybe'",
        "line 6: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
    ]
