"""The state of each written thread (tests/data/threads.jsonl) after the real ingest path."""

from __future__ import annotations

import os
from pathlib import Path

from ecoute.store.db import Database
from ecoute.store.models import Workspace
from thread_set import UNSEEN, load_threads, run_set, summary

# The share of threads whose state must come out right (docs/benchmarks.md has the figures);
# the second set was written after the reading, in other trades.
FLOOR = 0.9
UNSEEN_FLOOR = 0.85


def test_written_threads_end_in_the_expected_state(db: Database, workspace: Workspace) -> None:
    threads = load_threads()
    assert len(threads) >= 150
    outcomes = run_set(db, workspace, threads)
    report = summary(outcomes)
    if os.environ.get("ECOUTE_THREAD_REPORT"):
        Path(os.environ["ECOUTE_THREAD_REPORT"]).write_text(report + "\n", encoding="utf-8")
    right = sum(1 for outcome in outcomes if not outcome.wrong())
    assert right / len(outcomes) >= FLOOR, report


def test_threads_written_after_the_reading_end_in_the_expected_state(
    db: Database, workspace: Workspace
) -> None:
    threads = load_threads(UNSEEN)
    outcomes = run_set(db, workspace, threads)
    report = summary(outcomes)
    if os.environ.get("ECOUTE_THREAD_REPORT"):
        Path(os.environ["ECOUTE_THREAD_REPORT"] + ".unseen").write_text(report + "\n", encoding="utf-8")
    right = sum(1 for outcome in outcomes if not outcome.wrong())
    assert right / len(outcomes) >= UNSEEN_FLOOR, report
