"""CPU time per request of the API list and the inbox page, in-process, with a profile of where it goes.

    python benchmarks/page_cpu.py --sqlite /tmp/ecoute-load-bench.db          # after api_load.py seeded it
    python benchmarks/page_cpu.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/page_cpu.py --profile inbox --top 30          # where the CPU goes (needs yappi)

The database is the one ``benchmarks/api_load.py`` seeds (100,000 mentions, workspace ``bench``).
The app is built in this process (``create_app``) and called through Starlette's test client, with
an API token and a logged-in agent's session like the load benchmark's clients. Each case runs
``--runs`` times after a warm-up; we report the CPU time per request (``time.process_time``: the
figure that other load on the machine disturbs least) and the wall-clock median. What the served
figure adds on top (HTTP parsing, the event loop, other work in the server's processes) is measured
by ``api_load.py``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import api_load
import bulk_loaders
import inbox_seed
from fastapi.testclient import TestClient

from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.web.app import create_app, settle_memory


def cases(url: str) -> dict[str, Callable[[int], None]]:
    creds = api_load.credentials(url, 1)
    db = Database.open(url, run_migrations=False, pool_size=10)
    client = TestClient(create_app(db, Settings({"secret_key": api_load.SECRET})), follow_redirects=False)
    settle_memory()
    bearer = {"Authorization": f"Bearer {creds.api_token}"}

    def api(n: int) -> None:
        response = client.get(api_load.API_PATHS[n % len(api_load.API_PATHS)], headers=bearer)
        assert response.status_code == 200, response.text[:300]

    def inbox(_n: int) -> None:
        response = client.get(f"/w/{inbox_seed.SLUG}/", cookies={"ecoute_session": creds.session_cookies[0]})
        assert response.status_code == 200, response.status_code

    return {"api": api, "inbox": inbox}


def measure(call: Callable[[int], None], runs: int) -> dict[str, float]:
    for n in range(5):
        call(n)
    cpu, wall = [], []
    for n in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call(n)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return {
        "cpu_ms_per_request": round(sum(cpu) / runs, 2),
        "cpu_ms_p50": round(statistics.median(cpu), 2),
        "wall_ms_p50": round(statistics.median(wall), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite", type=Path, default=Path(tempfile.gettempdir()) / "ecoute-load-bench.db")
    parser.add_argument("--postgres", default="", help="measure this PostgreSQL instead")
    parser.add_argument("--schema", default=api_load.SCHEMA, help="its schema, as given to api_load.py")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", choices=("api", "inbox"), help="profile this case instead")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    url = (
        bulk_loaders.postgres_schema_url(args.postgres, args.schema)
        if args.postgres
        else f"sqlite:///{args.sqlite}"
    )
    calls = cases(url)
    if args.profile:
        call = calls[args.profile]
        for n in range(5):
            call(n)
        # The app runs in the test client's threads: a profiler of every thread, in CPU time.
        import yappi

        yappi.set_clock_type("cpu")
        yappi.start()
        for n in range(args.runs):
            call(n)
        yappi.stop()
        stats = yappi.get_func_stats()
        for order in ("ttot", "tsub"):
            print(f"--- by {order} (seconds over {args.runs} requests)")
            for item in list(stats.sort(order))[: args.top]:
                where = f"{Path(item.module).name}:{item.lineno}"
                print(f"{item.ttot:8.3f} {item.tsub:8.3f} {item.ncall:8d}  {item.name} ({where})")
        return
    for name, call in calls.items():
        print(name, measure(call, args.runs))


if __name__ == "__main__":
    main()
