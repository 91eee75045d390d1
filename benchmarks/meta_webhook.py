"""What acknowledging a Meta webhook costs: ``ecoute.sources.meta.webhook.receive`` called
in-process on a Facebook source, for signed notifications (verified, parsed, recorded as an
``ingest.items`` job in the default SQLite queue) and for forged ones (refused before parsing).

    python benchmarks/meta_webhook.py                  # 300 of each, SQLite
    python benchmarks/meta_webhook.py --requests 1000

We report CPU time (``time.process_time``) and wall time per request for each kind, and check
that every signed notification was recorded as a job and no forged one was.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

SECRET_KEY = "benchmark-secret-key-0123456789abcdef"
APP_SECRET = "benchmark-app-secret"
PAGE_ID = "104233391234567"


def notification(n: int) -> bytes:
    value = {
        "from": {"id": "7055512345678901", "name": "Lucie Bernard"},
        "message": f"Commande {n} arrivée froide, c'est dommage.",
        "post_id": f"{PAGE_ID}_802211",
        "comment_id": f"802211_{n}",
        "created_time": 1764672300,
        "item": "comment",
        "parent_id": f"{PAGE_ID}_802211",
        "verb": "add",
    }
    entry = {"id": PAGE_ID, "time": 1764672300, "changes": [{"field": "feed", "value": value}]}
    return json.dumps({"object": "page", "entry": [entry]}, ensure_ascii=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="ecoute-meta-bench-")
    os.environ.update(ECOUTE_DATA_DIR=data_dir, ECOUTE_SECRET_KEY=SECRET_KEY, ECOUTE_ANALYSIS="off")
    os.environ.pop("ECOUTE_QUEUE_URL", None)

    from ecoute.jobs.models import Job
    from ecoute.settings import Settings
    from ecoute.sources.credentials import seal_secrets
    from ecoute.sources.meta.webhook import receive
    from ecoute.store import repo
    from ecoute.store.db import Database

    db = Database.open(f"sqlite:///{Path(data_dir) / 'bench.db'}")
    settings = Settings(overrides={"secret_key": SECRET_KEY, "data_dir": data_dir}, environ={})
    with db.session() as session:
        workspace = repo.create_workspace(session, "bench", "Bench")
        sealed = seal_secrets({"page_id": PAGE_ID, "access_token": "t", "app_secret": APP_SECRET}, settings)
        repo.ensure_source(
            session, workspace.id, "page", kind="facebook", platform="facebook", settings=sealed
        )

    def sign(body: bytes, secret: str) -> dict[str, str]:
        return {
            "x-hub-signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        }

    results = {}
    for kind, secret, offset in (("signed", APP_SECRET, 0), ("forged", "not-the-secret", 10**6)):
        requests = [(body := notification(offset + n), sign(body, secret)) for n in range(args.requests)]
        statuses = []
        cpu, wall = time.process_time(), time.perf_counter()
        for body, headers in requests:
            statuses.append(receive(db, settings, "bench", "page", headers, body).status)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        results[kind] = (statuses, cpu, wall)
        per_cpu, per_wall = 1000 * cpu / args.requests, 1000 * wall / args.requests
        print(
            f"{kind}: {args.requests} requests, answers {sorted(set(statuses))}, "
            f"{per_cpu:.2f} ms CPU and {per_wall:.2f} ms wall per request"
        )
    with db.session() as session:
        jobs = session.scalar(select(func.count()).select_from(Job).where(Job.kind == "ingest.items"))
    print(f"ingest.items jobs recorded: {jobs} (expected {args.requests})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ok = jobs == args.requests and set(results["signed"][0]) == {200} and set(results["forged"][0]) == {401}
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
