"""Cost of `ecoute secrets rotate`: re-sealing every stored secret with a new key.

A SQLite database in a temporary folder holds N sources with two sealed secrets each (a token and
a client secret, sealed with the old key) and N/10 outgoing webhook endpoints; `rotate()` runs
once (every value re-sealed) and again (every value already current). CPU time per value is the
figure to judge; wall time depends on the box's load.

    .venv/bin/python benchmarks/rotate_secrets.py [--sources 5000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from ecoute.ops.rotate_secrets import rotate
from ecoute.settings import Settings
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.people import WebhookEndpoint
from ecoute.webhooks.sealing import seal

OLD, NEW = "benchmark-old-key-" + "o" * 30, "benchmark-new-key-" + "n" * 30


def build(db: Database, sources: int) -> int:
    old = Settings({"secret_key": OLD})
    with db.session() as session:
        workspace = repo.create_workspace(session, "bench", "Bench")
        for n in range(sources):
            values = seal_secrets(
                {"refresh_token": f"rt-{n:06d}-" + "x" * 40, "client_secret": "s" * 30}, old
            )
            repo.ensure_source(
                session, workspace.id, f"s{n}", kind="reddit", platform="reddit", settings=values
            )
        for n in range(sources // 10):
            session.add(
                WebhookEndpoint(
                    workspace_id=workspace.id,
                    url=f"https://h{n}.example/",
                    secret=seal(OLD, "whsec_" + "k" * 24),
                )
            )
    return sources * 2 + sources // 10


def measure(db: Database, settings: Settings) -> tuple[object, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    report = rotate(db, settings)
    return report, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(f"sqlite:///{os.path.join(folder, 'bench.db')}")
        values = build(db, args.sources)
        settings = Settings({"secret_key": NEW, "secret_keys_old": OLD})
        for label in ("first run (all re-sealed)", "second run (all current)"):
            report, cpu, wall = measure(db, settings)
            print(
                f"{label}: {values} values, re-sealed {report.resealed}, current {report.current}; "
                f"CPU {cpu:.2f} s ({cpu / values * 1e6:.0f} µs/value), wall {wall:.2f} s; "
                f"load {os.getloadavg()[0]:.1f}"
            )
        db.dispose()


if __name__ == "__main__":
    main()
