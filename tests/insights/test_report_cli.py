"""``ecoute report`` in a real subprocess: JSON and CSV carry the library's figures, the table reads
well, bad options are one-line errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import metrics_data
from ecoute.insights.export import report_records
from ecoute.insights.response_metrics import response_report
from ecoute.store.models import Workspace


def ecoute(args: list[str], db_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ECOUTE_DATABASE_URL": db_url,
        "ECOUTE_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "220",
    }
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def library_records(db, workspace, **options) -> list[dict]:
    with db.session() as session:
        return report_records(response_report(session, session.get(Workspace, workspace.id), **options))


def test_json_and_csv_carry_the_same_figures_as_the_library(db_url, db, workspace, tmp_path):
    metrics_data.generate(db, workspace, conversations=40, seed=3)
    path = tmp_path / "metrics.csv"

    done = ecoute(
        [
            "report",
            "-w",
            "acme",
            "--by",
            "agent",
            "--from",
            "2026-10-05",
            "--to",
            "2026-10-25",
            "--json",
            "--csv",
            str(path),
        ],
        db_url,
        tmp_path,
    )

    expected = library_records(db, workspace, since=date(2026, 10, 5), until=date(2026, 10, 25), by="agent")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["from"], data["to"], data["by"], data["timezone"]) == (
        "2026-10-05",
        "2026-10-25",
        "agent",
        "Europe/Paris",
    )
    assert data["rows"] == expected
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["key"] for r in rows] == [r["key"] for r in expected]
    assert [float(r["response_rate"]) for r in rows] == [r["response_rate"] for r in expected]
    assert [r["first_response_business_p90_s"] for r in rows] == [
        "" if r["first_response_business_p90_s"] is None else repr(r["first_response_business_p90_s"])
        for r in expected
    ]


def test_the_table_names_groups_rates_and_times(db_url, db, workspace, tmp_path):
    metrics_data.generate(db, workspace, conversations=40, seed=4)

    done = ecoute(["report", "-w", "acme", "--by", "brand"], db_url, tmp_path)

    assert done.returncode == 0, done.stderr
    assert "Responses · acme · all time" in done.stdout
    assert "Cyclune" in done.stdout
    assert "Veloxa" in done.stdout
    assert "All" in done.stdout
    assert "%" in done.stdout


def test_a_period_ending_before_it_starts_is_a_one_line_error(db_url, workspace, tmp_path):
    done = ecoute(["report", "-w", "acme", "--from", "2026-10-10", "--to", "2026-10-01"], db_url, tmp_path)

    assert done.returncode == 2
    assert done.stderr.strip() == "error: --to is before --from"


def test_an_unknown_grouping_or_workspace_is_refused(db_url, workspace, tmp_path):
    grouping = ecoute(["report", "-w", "acme", "--by", "colour"], db_url, tmp_path)
    missing = ecoute(["report", "-w", "nowhere"], db_url, tmp_path)

    assert grouping.returncode == 2
    assert "colour" in grouping.stderr
    assert missing.returncode == 2
    assert "no workspace 'nowhere'" in missing.stderr
