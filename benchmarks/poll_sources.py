"""Polling 50 sources at once: items per second, each source's time to its first item and to its
whole backlog, and whether any source starved the others.

    python benchmarks/poll_sources.py                   # 50 sources, the default poll threads
    python benchmarks/poll_sources.py --poll-threads 1 --max-wait 60   # as before the poll queue

Local platform servers (the tests' fake Mastodon and feed server, one server per source so each
can be slow or fail on its own) hold a backlog each: 40 Mastodon accounts with ``--backlog``
mentions (paged 40 at a time, ``min_id`` from the start, as a source that fell behind) and 10
RSS feeds of 50 entries. Five Mastodon servers answer every request after ``--slow`` seconds, one
answers its first request 429 with ``Retry-After: 30``, one answers 503 until it has failed a
whole poll. The real path runs: the workers of ``ecoute serve`` in this process (Huey on its
SQLite queue, the scheduler's first tick fanning out one ``source.poll`` job per due source,
the poll threads), storing through the one ingest path into SQLite (analysis off). The
benchmark samples the stored mentions per source every 0.2 s.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

from fake_mastodon import TOKEN, FakeMastodon, fixture  # noqa: E402
from fake_platform import running  # noqa: E402
from feedserver import FeedServer, running_feed_server  # noqa: E402

MASTODON, RSS, SLOW, RSS_ENTRIES = 40, 10, 5, 50


class SlowMastodon(FakeMastodon):
    """A Mastodon instance that takes ``delay`` seconds before each answer."""

    delay = 0.0

    def finish_request(self, request: Any, client_address: Any) -> None:
        time.sleep(self.delay)
        super().finish_request(request, client_address)


def notifications(source: int, count: int) -> list[dict[str, Any]]:
    template = fixture("notifications__mentions.json")[0]
    made = []
    for n in range(count):
        item = copy.deepcopy(template)
        status_id = str(113600000000000000 + source * 100_000 + n)
        item["id"] = str(10_000_000 + n)
        item["status"].update(
            id=status_id,
            uri=f"https://bench.example/users/u{source}/statuses/{status_id}",
            url=f"https://bench.example/@u{source}/{status_id}",
            content=f"<p>@cafe_lumiere commande {n} de la source {source} : toujours rien reçu</p>",
        )
        made.append(item)
    return made


def feed(source: int) -> bytes:
    entries = "".join(
        f"<item><title>Avis {n}</title><link>https://blog{source}.example/{n}</link>"
        f"<guid>https://blog{source}.example/{n}</guid>"
        f"<description>Le café {n} du blog {source}</description>"
        f"<pubDate>Wed, 05 Mar 2025 08:{n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(RSS_ENTRIES)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Blog {source}</title><link>https://blog{source}.example/</link>{entries}</channel></rss>"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backlog", type=int, default=200, help="mentions per Mastodon source")
    parser.add_argument("--slow", type=float, default=0.5, help="seconds the slow servers take per answer")
    parser.add_argument(
        "--poll-threads", type=int, default=None, help="poll threads (default: the product's)"
    )
    parser.add_argument("--max-wait", type=float, default=None, help="Retry-After slept in a poll, at most")
    parser.add_argument("--timeout", type=float, default=150.0, help="give up after this many seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            ECOUTE_DATA_DIR=str(Path(tmp) / "data"),
            ECOUTE_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
            ECOUTE_ANALYSIS="off",
            ECOUTE_QUEUE_URL="",
        )
        os.environ.pop("ECOUTE_QUEUE_URL")
        json.dump(run(args, Path(tmp)), sys.stdout, indent=2)
        print()


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    from ecoute.jobs.workers import DEFAULT_CONCURRENCY, WorkerPlan, Workers
    from ecoute.settings import Settings
    from ecoute.sources import jobs as source_jobs
    from ecoute.sources.credentials import seal_secrets
    from ecoute.store import repo
    from ecoute.store.db import Database
    from ecoute.store.models import Mention

    if args.max_wait is not None:
        source_jobs.POLL_MAX_WAIT_S = args.max_wait
    settings = Settings()
    db = Database.open(os.environ["ECOUTE_DATABASE_URL"])
    expected: dict[str, int] = {}
    roles: dict[str, str] = {}
    with ExitStack() as stack:
        setup = ExitStack()  # the sources' transaction, committed before the workers start
        session = setup.enter_context(db.session())
        workspace = repo.create_workspace(session, "bench", "Bench")
        for n in range(MASTODON):
            server = SlowMastodon()
            role = "normal"
            if n < SLOW:
                server.delay, role = args.slow, "slow"
            elif n == SLOW:
                server.fail_with(429, {"Retry-After": "30"})
                role = "429 Retry-After 30"
            elif n == SLOW + 1:
                for _ in range(3):
                    server.fail_with(503)
                role = "503"
            server.token = TOKEN
            server.add_notifications(notifications(n, args.backlog))
            stack.enter_context(running(server))
            sealed = seal_secrets(
                {"instance": server.url, "access_token": TOKEN, "keep_unmatched": True}, settings
            )
            source = repo.ensure_source(
                session, workspace.id, f"mastodon-{n}", kind="mastodon", platform="mastodon", settings=sealed
            )
            source.cursor = {"notifications": "0"}  # behind: the whole backlog to page through
            expected[f"mastodon-{n}"], roles[f"mastodon-{n}"] = args.backlog, role
        for n in range(RSS):
            feeds: FeedServer = stack.enter_context(running_feed_server())
            feeds.body, feeds.content_type = feed(n), "application/rss+xml"
            repo.ensure_source(
                session,
                workspace.id,
                f"rss-{n}",
                kind="rss",
                platform="rss",
                settings={"url": feeds.url, "keep_unmatched": True},
            )
            expected[f"rss-{n}"], roles[f"rss-{n}"] = RSS_ENTRIES, "rss"
        ids = {s.id: s.name for s in repo.list_sources(session, workspace.id)}
        setup.close()
        concurrency = dict(DEFAULT_CONCURRENCY)
        if args.poll_threads:
            concurrency["poll"] = args.poll_threads
        workers = Workers(db, settings, WorkerPlan(concurrency=concurrency, scheduler=True))
        load_before = os.getloadavg()
        cpu0, started = time.process_time(), time.perf_counter()
        workers.start()
        first: dict[str, float] = {}
        done: dict[str, float] = {}
        try:
            while time.perf_counter() - started < args.timeout and len(done) < len(expected):
                time.sleep(0.2)
                now = time.perf_counter() - started
                with db.session() as reading:
                    counts = dict(
                        reading.execute(
                            select(Mention.source_id, func.count()).group_by(Mention.source_id)
                        ).all()
                    )
                for source_id, count in counts.items():
                    name = ids.get(source_id)
                    if name is None:
                        continue
                    first.setdefault(name, now)
                    if count >= expected[name]:
                        done.setdefault(name, now)
        finally:
            workers.stop(graceful=False)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu0
        with db.session() as reading:
            stored = reading.scalar(select(func.count()).select_from(Mention)) or 0
    db.dispose()
    return report(args, expected, roles, first, done, stored, elapsed, cpu, load_before, concurrency["poll"])


def report(
    args: argparse.Namespace,
    expected: dict[str, int],
    roles: dict[str, str],
    first: dict[str, float],
    done: dict[str, float],
    stored: int,
    elapsed: float,
    cpu: float,
    load: tuple[float, float, float],
    threads: int,
) -> dict[str, Any]:
    by_role: dict[str, list[str]] = {}
    for name, role in roles.items():
        by_role.setdefault(role, []).append(name)

    def summary(names: list[str], times: dict[str, float]) -> dict[str, Any]:
        seen = [times[n] for n in names if n in times]
        if not seen:
            return {"sources": len(names), "reached": 0}
        return {
            "sources": len(names),
            "reached": len(seen),
            "median_s": round(statistics.median(seen), 1),
            "max_s": round(max(seen), 1),
        }

    normal = by_role["normal"] + by_role["rss"]
    last_normal = max((done[n] for n in normal if n in done), default=None)
    until_normal = [done[n] for n in normal if n in done]
    return {
        "poll_threads": threads,
        "retry_after_slept_at_most_s": args.max_wait if args.max_wait is not None else "product default",
        "sources": len(expected),
        "items_expected": sum(expected.values()),
        "items_stored": stored,
        "seconds": round(elapsed, 1),
        "items_per_s_until_normal_sources_done": round(
            sum(expected[n] for n in normal if n in done) / last_normal, 1
        )
        if last_normal
        else None,
        "process_cpu_s": round(cpu, 1),
        "load_average_at_start": [round(x, 2) for x in load],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "time_to_first_item": {role: summary(names, first) for role, names in by_role.items()},
        "time_to_complete": {role: summary(names, done) for role, names in by_role.items()},
        "starved": sorted(n for n in normal if n not in done),
        "normal_sources_done_by_s": round(max(until_normal), 1) if until_normal else None,
    }


if __name__ == "__main__":
    main()
