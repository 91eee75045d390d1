"""Export speed and memory: 200,000 mentions (and their conversations) to CSV and XLSX on SQLite,
through the same code the inbox's Export menu, the API and ``ecoute export`` use.

    python benchmarks/export_speed.py                      # 200,000 mentions, SQLite
    python benchmarks/export_speed.py --mentions 50000 --sqlite /tmp/export-bench.db

Each export runs twice: once timed (rows per second of wall clock and of this process's CPU time,
which a busy shared machine does not distort; bytes written; the process's RSS growth), once
under ``tracemalloc`` for the peak of Python allocations while it runs (tracing slows
it, so that run is not timed). Rows stream in keyset batches, so the peak stays at a batch's worth
whatever the number of rows. Seeding (benchmarks/inbox_seed.py, not measured) is reused when the
database already holds as many mentions; ``--reseed`` starts again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import inbox_seed

from ecoute.inbox import exports
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.web.filters import parse_filters

SECRET = "bench-secret"


def prepare(path: Path, target: int, reseed: bool) -> Database:
    if reseed and path.exists():
        path.unlink()
    db = Database.open(f"sqlite:///{path}")
    with db.session() as session:
        workspace = repo.get_workspace(session, inbox_seed.SLUG)
        count = repo.count_mentions(session, workspace.id) if workspace else 0
    if workspace is not None and count == target:
        print(f"  reusing {path} ({count:,} mentions)")
        return db
    if workspace is not None:
        db.dispose()
        path.unlink()
        db = Database.open(f"sqlite:///{path}")
    print(f"  seeding {target:,} mentions …")
    inbox_seed.seed(db, target)
    return db


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def export_once(db: Database, workspace_id: int, kind: str, fmt: str) -> tuple[int, int]:
    """(rows, bytes) of one whole export, written to a temporary file as a download would be."""
    filters = parse_filters({}, me=None, default_open=False)
    counted = {"rows": 0}

    def batches() -> Any:
        for batch in exports.rows(db.session, workspace_id, kind, filters, secret=SECRET):
            counted["rows"] += len(batch)
            yield batch

    size = 0
    with tempfile.TemporaryFile() as sink:
        for chunk in exports.stream(kind, fmt, batches()):
            sink.write(chunk)
            size += len(chunk)
    return counted["rows"], size


def measure(call: Callable[[], tuple[int, int]]) -> dict[str, Any]:
    before = _rss_kib()
    started, cpu = time.perf_counter(), time.process_time()
    rows, size = call()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    grown = max(0, _rss_kib() - before)
    tracemalloc.start()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_cpu_s": round(rows / cpu_seconds),
        "mib_written": round(size / 2**20, 1),
        "python_peak_mib": round(peak / 2**20, 1),
        "rss_growth_mib": round(grown / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--sqlite", type=Path, default=Path(tempfile.gettempdir()) / "ecoute-export-bench.db")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    db = prepare(args.sqlite, args.mentions, args.reseed)
    with db.session() as session:
        workspace_id = repo.require_workspace(session, inbox_seed.SLUG).id
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        "max_rss_before_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cases": {},
    }
    for kind in ("mentions", "conversations"):
        for fmt in ("csv", "xlsx"):
            name = f"{kind}.{fmt}"
            results["cases"][name] = measure(lambda k=kind, f=fmt: export_once(db, workspace_id, k, f))
            print(f"  {name}: {json.dumps(results['cases'][name])}")
    print(json.dumps(results, indent=2))
    db.dispose()


if __name__ == "__main__":
    main()
