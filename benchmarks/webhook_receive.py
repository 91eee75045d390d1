"""The signed webhook's acknowledgement without HTTP: ``ecoute.webhooks.inbound.receive`` called
from as many threads as a web process's thread pool (40), as fast as they can, on the default
SQLite queue (no worker: the jobs stay queued), and the CPU it costs per request.

    python benchmarks/webhook_receive.py --requests 1500
    python benchmarks/webhook_receive.py --requests 1500 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    PYTHONPATH=/path/to/older/src python benchmarks/webhook_receive.py   # an earlier version, same machine

Wall-clock figures move with whatever else the machine runs; CPU milliseconds per request (all
threads of the process, the database's own work included on SQLite) move much less.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bulk_loaders

SCHEMA = "ecoute_webhook_receive_bench"
KEY = b"benchmark-webhook-secret-bytes!!"
HOOK_SECRET = "whsec_" + base64.b64encode(KEY).decode()


def measure(url: str, requests: int, threads: int) -> dict[str, object]:
    from ecoute.jobs import registry
    from ecoute.settings import Settings
    from ecoute.sources.credentials import seal_secrets
    from ecoute.store import repo
    from ecoute.store.db import Database
    from ecoute.webhooks.inbound import receive
    from ecoute.webhooks.signing import standard_sign

    registry.load()  # as the server does before its first request
    db = Database.open(url)
    settings = Settings()
    with db.session() as session:
        workspace = repo.create_workspace(session, "bench", "Bench")
        sealed = seal_secrets({"secret": HOOK_SECRET, "keep_unmatched": True}, settings)
        repo.ensure_source(session, workspace.id, "shop", kind="webhook", platform="webhook", settings=sealed)

    def one(n: int) -> tuple[int, float]:
        record = {
            "id": f"review-{n}",
            "text": f"Avis {n} : livraison rapide",
            "created_at": "2026-12-01T10:00:00Z",
        }
        body = json.dumps({"items": [record]}).encode()
        stamp, message_id = int(time.time()), f"msg_{n}"
        headers = {
            "webhook-id": message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": standard_sign(KEY, message_id, stamp, body),
        }
        started = time.perf_counter()
        answer = receive(db, settings, "bench", "shop", headers, body)
        return answer.status, time.perf_counter() - started

    load = os.getloadavg()
    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, range(requests)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    db.dispose()
    latencies = sorted(seconds for _status, seconds in results)
    statuses: dict[str, int] = {}
    for status, _seconds in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": requests,
        "threads": threads,
        "statuses": statuses,
        "per_s": round(requests / wall, 1),
        "cpu_ms_per_request": round(cpu / requests * 1000, 2),
        "p50_ms": round(latencies[requests // 2] * 1000, 1),
        "p99_ms": round(latencies[min(requests - 1, int(requests * 0.99))] * 1000, 1),
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--threads", type=int, default=40, help="concurrent callers (a web process's pool)")
    parser.add_argument("--postgres", help="measure this PostgreSQL (a throw-away schema) instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ECOUTE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("ECOUTE_SECRET_KEY", "webhook-receive-benchmark-" + "k" * 20)
        os.environ.pop("ECOUTE_QUEUE_URL", None)  # the default SQLite queue, as ``ecoute serve`` has
        if args.postgres:
            url = bulk_loaders.postgres_schema_url(args.postgres, SCHEMA)
            bulk_loaders.wipe(url, SCHEMA)
            try:
                result = {"postgresql": measure(url, args.requests, args.threads)}
            finally:
                bulk_loaders.wipe(url, SCHEMA)
        else:
            result = {"sqlite": measure(f"sqlite:///{Path(tmp) / 'bench.db'}", args.requests, args.threads)}
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
