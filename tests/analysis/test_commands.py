"""``ecoute analyze`` and ``ecoute train`` end to end, through the real CLI functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ecoute.analysis.commands import register

runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_analyze_keeps_order_and_reports_bad_lines(app: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_bytes(
        b'{"id": "a", "text": "@acme colis perdu, je veux un remboursement", "author_followers": 48000}\n'
        b"this line is not json\n"
        b'{"id": "c", "text": "\xf0\x9f\x98\x8d\xf0\x9f\x98\x8d"}\n'
        b'{"id": "d"}\n'
        b'{"id": "e", "text": "caf\xe9 froid, service lent"}\n'
        b'{"id": "f", "text": ""}\n'
    )
    output = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", str(source), "-o", str(output), "--locale", "en", "--json"])
    rows = read_jsonl(output)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.exit_code == 1
    assert [row["id"] for row in rows] == ["a", None, "c", "d", "e", "f"]
    assert rows[1] == {"id": None, "line": 2, "error": "line 2: not valid JSON (Expecting value at column 1)"}
    assert rows[3]["error"] == 'line 4: no "text" field'
    assert rows[0]["intent"] == "complaint"
    assert "48k followers" in rows[0]["reasons"]
    assert rows[2]["lang"] == "und"
    assert rows[4]["warnings"] == [
        "line 5: not valid UTF-8 (byte 25), undecodable bytes replaced with U+FFFD"
    ]
    assert {"lang", "sentiment", "sentiment_score", "intent", "needs_reply", "priority", "reasons"} <= set(
        rows[5]
    )
    assert (summary["lines"], summary["analysed"], len(summary["errors"]), len(summary["warnings"])) == (
        6,
        4,
        2,
        1,
    )
    assert "posts in" in result.stderr


def test_analyze_plain_text_exits_zero_when_every_line_is_analysed(app: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "posts.txt"
    source.write_text("Bravo pour le service !\n\nWhere is my parcel?\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", str(source), "-o", str(output)])
    rows = read_jsonl(output)
    assert result.exit_code == 0
    assert [row["id"] for row in rows] == [1, 2, 3]
    assert [row["lang"] for row in rows] == ["fr", "und", "en"]
    assert "3 posts in" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--locale", "de"], "must be one of fr, en"),
        (["--workspace", "nobody"], "no trained model"),
        (["--format", "xml"], "must be one of auto, jsonl, text"),
        (["--now", "yesterday"], "not an ISO date-time"),
    ],
)
def test_analyze_usage_errors_exit_2(
    app: typer.Typer, tmp_path: Path, arguments: list[str], message: str
) -> None:
    source = tmp_path / "posts.txt"
    source.write_text("hello\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(source), "-o", str(tmp_path / "out.jsonl"), *arguments])
    assert result.exit_code == 2
    assert message in result.stderr


def test_analyze_missing_input_exits_2(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2


# A workspace whose customers write "🍕" when they are unhappy about their order and "🌵" when they are
# happy: nothing the bundled posts could know.
WORKSPACE_POSTS = [
    *(
        {"text": f"🍕 commande {n} 🍕", "sentiment": "negative", "intent": "complaint", "needs_reply": True}
        for n in range(20)
    ),
    *(
        {"text": f"🌵 commande {n} 🌵", "sentiment": "positive", "intent": "praise", "needs_reply": False}
        for n in range(20)
    ),
    *(
        {"text": f"commande {n} ?", "sentiment": "neutral", "intent": "question", "needs_reply": True}
        for n in range(10)
    ),
    *(
        {"text": f"info {n}", "sentiment": "neutral", "intent": "other", "needs_reply": False}
        for n in range(10)
    ),
]


def test_train_a_workspace_then_analyze_with_its_heads(app: typer.Typer, tmp_path: Path) -> None:
    labelled = tmp_path / "labels.jsonl"
    labelled.write_text(
        "".join(json.dumps(row) + "\n" for row in WORKSPACE_POSTS) + "{oops\n", encoding="utf-8"
    )
    trained = runner.invoke(
        app, ["train", "--data", str(labelled), "--workspace", "pizzeria", "--bundled-weight", "0", "--json"]
    )
    report = json.loads(trained.stdout.strip().splitlines()[-1])
    probe = tmp_path / "probe.txt"
    probe.write_text("🍕 commande 99 🍕\n🌵 commande 98 🌵\n", encoding="utf-8")
    runner.invoke(app, ["analyze", str(probe), "-o", str(tmp_path / "default.jsonl")])
    own = runner.invoke(
        app, ["analyze", str(probe), "-o", str(tmp_path / "own.jsonl"), "--workspace", "pizzeria"]
    )
    assert trained.exit_code == 0
    assert "line 61: not valid JSON" in trained.stderr
    assert report["examples"] == 60
    assert report["heads"]["sentiment"]["held_out"] == 12
    assert report["heads"]["sentiment"]["macro_f1"] >= 0.9
    assert "macro-F1" in trained.stderr
    assert own.exit_code == 0
    assert [row["intent"] for row in read_jsonl(tmp_path / "own.jsonl")] == ["complaint", "praise"]
    assert [row["sentiment"] for row in read_jsonl(tmp_path / "own.jsonl")] == ["negative", "positive"]
    assert read_jsonl(tmp_path / "own.jsonl") != read_jsonl(tmp_path / "default.jsonl")


def test_train_refuses_a_file_without_usable_lines(app: typer.Typer, tmp_path: Path) -> None:
    labelled = tmp_path / "labels.jsonl"
    labelled.write_text('{"text": "no label"}\n', encoding="utf-8")
    result = runner.invoke(app, ["train", "--data", str(labelled), "--workspace", "w"])
    assert result.exit_code == 2
    assert "no usable labelled post" in result.stderr
