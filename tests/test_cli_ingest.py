"""``ecoute ingest`` end to end, in a real subprocess: summaries, exit status, rejects, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from ecoute.store.models import Conversation, Mention
from factories import row, write_jsonl


def _run(args: list[str], db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECOUTE_DATABASE_URL": db_url, "ECOUTE_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _count(db_url: str, query) -> int:
    engine = create_engine(db_url)
    with engine.connect() as connection:
        value = connection.execute(query).scalar_one()
    engine.dispose()
    return value


def test_ingest_keeps_good_lines_once_names_bad_ones_and_rerun_adds_nothing(db_url, tmp_path):
    path = write_jsonl(
        tmp_path / "export.jsonl",
        [
            row("1", "Livraison en retard", author="alice"),
            row("2", "Merci !", author="bob"),
            "{oops",
            {"id": "4", "text": "date", "created_at": "le 3 octobre"},
            row("1", "Livraison en retard", author="alice"),
            row("6", "Toujours rien", author="alice"),
        ],
    )
    rejects = tmp_path / "rejects.jsonl"

    first = _run(
        ["ingest", str(path), "--no-analysis", "--json", "--rejects", str(rejects)], db_url, tmp_path
    )
    second = _run(
        ["ingest", str(path), "--no-analysis", "--json", "--rejects", str(rejects)], db_url, tmp_path
    )

    summary, again = json.loads(first.stdout), json.loads(second.stdout)
    assert (first.returncode, summary["stored"], summary["duplicates"], summary["rejected"]) == (1, 3, 1, 2)
    assert [(r["location"], r["field"]) for r in summary["rejects"]] == [
        ("export.jsonl line 3", None),
        ("export.jsonl line 4", "created_at"),
    ]
    assert (again["stored"], again["duplicates"]) == (0, 4)
    assert [json.loads(line)["content"] for line in rejects.read_text().splitlines()][0] == "{oops"
    assert _count(db_url, select(func.count()).select_from(Mention)) == 3


def test_clean_file_exits_zero_and_prints_a_readable_summary(db_url, tmp_path):
    path = write_jsonl(tmp_path / "clean.jsonl", [row(str(n), f"message {n}") for n in range(5)])

    result = _run(["ingest", str(path), "--no-analysis"], db_url, tmp_path)

    assert result.returncode == 0
    assert "clean.jsonl: 5 read → 5 stored, 0 already there, 0 rejected" in result.stdout


def test_errors_are_one_line_without_traceback(db_url, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,contenu,date\n1,bonjour,2026-10-01T10:00:00Z\n")

    result = _run(["ingest", str(path), "--map", "text=Message", "--no-analysis"], db_url, tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: export.csv header: mapped column(s) 'Message' not in the file (columns: id, contenu, date)"
    ]


def test_kill_during_a_large_ingest_then_rerun_gives_the_exact_count(db_url, tmp_path):
    total = 40_000
    path = write_jsonl(
        tmp_path / "big.jsonl",
        (
            row(
                str(n),
                f"Message numéro {n} à propos de la livraison",
                author=f"user{n % 3000}",
                thread_id=None,
            )
            for n in range(total)
        ),
    )
    env = {**os.environ, "ECOUTE_DATABASE_URL": db_url, "ECOUTE_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "ecoute", "ingest", str(path), "--no-analysis", "--batch-size", "500"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and stored < 2_000:
        time.sleep(0.05)
        stored = _safe_count(db_url)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    after_kill = _safe_count(db_url)

    rerun = _run(["ingest", str(path), "--no-analysis", "--json"], db_url, tmp_path)

    summary = json.loads(rerun.stdout)
    assert 0 < after_kill < total  # the kill really landed mid-ingest
    assert (summary["stored"], summary["duplicates"]) == (total - after_kill, after_kill)
    assert _count(db_url, select(func.count()).select_from(Mention)) == total
    assert _count(db_url, select(func.count(func.distinct(Mention.external_id)))) == total
    assert _count(db_url, select(func.sum(Conversation.mention_count))) == total


def _safe_count(db_url: str) -> int:
    try:
        return _count(db_url, text("SELECT count(*) FROM mentions"))
    except Exception:  # noqa: BLE001 - the database may be mid-creation while the child starts
        return 0


def test_hostile_lines_exit_1_with_named_rejects_and_warnings_and_keep_every_good_line(db_url, tmp_path):
    path = tmp_path / "hostile.jsonl"
    lines = [
        json.dumps(row("1", "avant")),
        json.dumps(row("2"))[:-1] + ', "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps(row("3"))[:-1] + ', "likes": ' + "9" * 5000 + "}",
        json.dumps(row("4", "caf\ud800")),
        json.dumps(row("5", "nul\u0000", author_followers=2**63, url="javascript:alert(1)")),
        json.dumps(row("6", "après")),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"

    done = _run(["ingest", str(path), "--no-analysis", "--json", "--rejects", str(rejects)], db_url, tmp_path)

    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["stored"], summary["rejected"]) == (3, 3)
    assert [(r["location"], r["field"]) for r in summary["rejects"]] == [
        ("hostile.jsonl line 2", None),
        ("hostile.jsonl line 3", None),
        ("hostile.jsonl line 4", "text"),
    ]
    assert [(w["location"], w["field"]) for w in summary["warnings"]] == [
        ("hostile.jsonl line 5", "author_followers"),
        ("hostile.jsonl line 5", "url"),
    ]
    assert [json.loads(line)["location"] for line in rejects.read_text().splitlines()] == [
        "hostile.jsonl line 2",
        "hostile.jsonl line 3",
        "hostile.jsonl line 4",
    ]
    assert _count(db_url, select(func.count()).select_from(Mention)) == 3
    repaired = (
        select(func.count()).select_from(Mention).where(Mention.text == "nul\ufffd", Mention.url.is_(None))
    )
    assert _count(db_url, repaired) == 1
