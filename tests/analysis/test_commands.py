"""``ecoute analyze`` and ``ecoute train`` end to end, through the real CLI functions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from dateutil import parser as dateparser
from typer.testing import CliRunner

from ecoute.analysis import batchio
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


# Posts of every shape the speed work touched: both date forms and dateutil's others, reach,
# duplicates (the per-text cache), blank and bad lines, French and English.
FIXED_POSTS = [
    {
        "id": "t1",
        "text": "@acme colis perdu depuis 5 jours, toujours pas remboursé !!",
        "author_followers": 48000,
        "created_at": "Tue Oct 31 22:10:47 +0000 2017",
    },
    {
        "id": "t2",
        "text": "@acme where is my order #4411? nobody answers",
        "created_at": "2017-11-01T10:00:00Z",
        "likes": 12,
        "shares": 3,
    },
    {
        "id": "t3",
        "text": "Merci @acme, livraison rapide et soignée 👏",
        "created_at": "2017-11-01 08:30:00",
        "author_verified": True,
    },
    {
        "id": "t4",
        "text": "@acme where is my order #4411? nobody answers",
        "created_at": "Wed Nov 01 02:03:04 -0530 2017",
    },
    {
        "id": "t5",
        "text": "RT @acme: nouvelle boutique à Lille",
        "created_at": "01/11/2017 10:00",
        "platform": "x",
    },
    {
        "id": "t6",
        "text": "app keeps crashing when I open my playlist",
        "created_at": "2017-11-01T10:00:00.123+02:00",
        "addressed_to_brand": True,
    },
    {"id": "t7", "text": "", "created_at": "2017-11-01"},
    {"id": "t8", "text": "how do I change my plan?", "created_at": 1509530000, "replies": 2},
    {"id": "t9", "text": "le service client est nul, 1h d'attente", "created_at": "soon"},
]


def write_fixed(path: Path) -> None:
    lines = [json.dumps(post, ensure_ascii=False) for post in FIXED_POSTS]
    path.write_text("\n".join([*lines[:5], "{not json", *lines[5:]]) + "\n", encoding="utf-8")


def test_analyze_output_is_the_same_as_the_slow_path(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte for byte: ``python -m ecoute analyze`` (analysis commands only, dates read without dateutil)
    against the commands on their own app with every date read by dateutil, as they were before."""
    source = tmp_path / "posts.jsonl"
    write_fixed(source)
    options = ["--now", "2017-12-01T00:00:00+00:00", "--locale", "en", "--batch-size", "4"]
    fast = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecoute",
            "analyze",
            str(source),
            "-o",
            str(tmp_path / "fast.jsonl"),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    monkeypatch.setattr(batchio, "parse_date", dateparser.parse)
    slow = runner.invoke(app, ["analyze", str(source), "-o", str(tmp_path / "slow.jsonl"), *options])
    assert (fast.returncode, slow.exit_code) == (1, 1), fast.stderr
    assert (tmp_path / "fast.jsonl").read_bytes() == (tmp_path / "slow.jsonl").read_bytes()
    rows = read_jsonl(tmp_path / "fast.jsonl")
    assert len(rows) == len(FIXED_POSTS) + 1
    assert "48k followers" in rows[0]["reasons"]
    assert rows[9]["warnings"] == ["line 10: \"created_at\" is not a date ('soon'), ignored"]


def test_analyze_starts_without_the_database_the_web_app_or_nltk() -> None:
    probe = (
        "import sys; from ecoute.cli import build_app; build_app('analyze'); "
        "from ecoute.analysis.lexicon import get_lexicons; get_lexicons(); "
        "heavy = ('sqlalchemy', 'fastapi', 'sklearn', 'alembic', 'textblob', 'nltk'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    light = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    whole = subprocess.run(
        [sys.executable, "-m", "ecoute", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert light.stdout.strip() == "[]"
    assert all(f" {command} " in whole.stdout for command in ("analyze", "train", "ingest", "serve", "demo"))
