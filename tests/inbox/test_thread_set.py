"""The state of each written thread (tests/data/threads.jsonl) after the real ingest path."""

from __future__ import annotations

import os
from pathlib import Path

from ecoute.store.db import Database
from ecoute.store.models import Workspace
from thread_set import load_threads, run_set, summary

# The share of threads whose state must come out right (docs/benchmarks.md has the figures).
FLOOR = 0.9


def test_written_threads_end_in_the_expected_state(db: Database, workspace: Workspace) -> None:
    threads = load_threads()
    assert len(threads) >= 150
    outcomes = run_set(db, workspace, threads)
    report = summary(outcomes)
    if os.environ.get("ECOUTE_THREAD_REPORT"):
        Path(os.environ["ECOUTE_THREAD_REPORT"]).write_text(report + "\n", encoding="utf-8")
    right = sum(1 for outcome in outcomes if not outcome.wrong())
    assert right / len(outcomes) >= FLOOR, report
