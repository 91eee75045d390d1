"""Insights speed: the listening figures of a period (7, 30 and 90 days) and the whole Insights page
through the app in-process, on the seeded workspace of ``benchmarks/inbox_seed.py`` (540 days of
mentions ending on 2026-11-20), on SQLite and PostgreSQL.

    python benchmarks/insights_speed.py                          # SQLite, 1,000,000 mentions
    python benchmarks/insights_speed.py --mentions 100000 --sqlite /tmp/ecoute-load-bench.db
    python benchmarks/insights_speed.py --no-sqlite --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The seeded database is the one ``benchmarks/inbox_speed.py`` keeps and reuses (same path and
schema, bulk inserts: ``executemany`` on SQLite, ``COPY`` on PostgreSQL), so the two share their
seeding. Before measuring, the daily roll-ups are brought up to date as the ``insights.rollup``
job does (the first build is timed and printed, then one run with nothing to do), so the page reads
whole days from them and counts only the last day from the mentions. ``--no-rollups`` measures the
direct counts instead. Each case runs ``--runs`` times after two warm-up calls; we report p50 and
p95 in milliseconds. The target is a p95 under 300 ms for the whole page on a million mentions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import bulk_loaders
import inbox_seed
import numpy as np
from inbox_speed import SCHEMA, prepare, timed
from sqlalchemy import func, insert, select, text

from ecoute.insights.listening import Period, listening
from ecoute.insights.rollups import MentionDaysBuilt, refresh
from ecoute.settings import Settings
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.topics.models import MentionVector, Topic
from ecoute.topics.packing import pack
from ecoute.web.pages import insights as insights_page

TIMEZONE = "Europe/Paris"
TARGET_MS = 300


def page_case(db: Database, days: int, drawn: bool = False) -> Any:
    """A GET of the page, logged in; with ``drawn``, its charts are drawn afresh each time (the
    rendered-chart cache emptied first), as after any change to the figures they show."""
    from fastapi.testclient import TestClient

    from ecoute.web.app import create_app

    client = TestClient(create_app(db, Settings({"secret_key": "x" * 32})), base_url="http://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login",
        data={"email": "agent0@bench.example", "password": inbox_seed.PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text

    def call(_: int) -> None:
        if drawn:
            insights_page.CHARTS.clear()
        response = client.get(f"/w/{inbox_seed.SLUG}/insights?days={days}")
        assert response.status_code == 200, response.status_code

    return call


def profile(call: Any, runs: int, label: str, top: int) -> None:
    """Where a call's CPU time goes: cProfile over ``runs`` calls, the ``top`` functions by own time
    and by cumulative time."""
    import fastapi.dependencies.utils
    import fastapi.routing

    profiler = cProfile.Profile(time.process_time)

    async def in_this_thread(func: Any, *args: Any, **kwargs: Any) -> Any:
        # The endpoint and its dependencies run in the event loop's thread, under the profiler
        # (in a worker thread, as usual, the profiler would not see them).
        profiler.enable()
        try:
            return func(*args, **kwargs)
        finally:
            profiler.disable()

    call(0)  # templates compiled, caches as a server's after its first page
    modules = (fastapi.routing, fastapi.dependencies.utils)
    usual = fastapi.routing.run_in_threadpool
    for module in modules:
        module.run_in_threadpool = in_this_thread  # type: ignore[attr-defined]
    try:
        for n in range(runs):
            call(n)
    finally:
        for module in modules:
            module.run_in_threadpool = usual  # type: ignore[attr-defined]
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(f"--- {label}: {runs} calls, by {order}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def seed_topics(db: Database, workspace_id: int, count: int, vector_days: int = 91) -> None:
    """Topics as a rebuild leaves them, in bulk: ``count`` topics, every mention in one (by id),
    and the stored vectors (near their topic's centre) of the last ``vector_days`` days' mentions,
    which the page reads for its typical posts. Done once; later runs reuse them."""
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(Topic).where(Topic.workspace_id == workspace_id)):
            return
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(count, 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    with db.session() as session:
        topics = [
            Topic(
                workspace_id=workspace_id, label=f"sujet {n} · topic {n}", size=0, centroid=pack(centres[n])
            )
            for n in range(count)
        ]
        session.add_all(topics)
        session.flush()
        first = topics[0].id
        session.execute(
            text(
                "INSERT INTO mention_topics (mention_id, workspace_id, topic_id) "
                "SELECT id, workspace_id, :first + id % :count FROM mentions WHERE workspace_id = :ws"
            ),
            {"first": first, "count": count, "ws": workspace_id},
        )
        recent = (
            session.execute(
                select(text("id"))
                .select_from(text("mentions"))
                .where(text("workspace_id = :ws AND created_at >= :since")),
                {"ws": workspace_id, "since": inbox_seed.NOW - timedelta(days=vector_days)},
            )
            .scalars()
            .all()
        )
        for start in range(0, len(recent), 20_000):
            ids = recent[start : start + 20_000]
            noise = rng.normal(scale=0.05, size=(len(ids), 384)).astype(np.float32)
            session.execute(
                insert(MentionVector),
                [
                    {"mention_id": i, "workspace_id": workspace_id, "encoder": "e5+use",
                     "vector": pack(centres[i % count] + noise[k])}
                    for k, i in enumerate(ids)
                ],
            )  # fmt: skip
    print(
        f"  topics seeded: {count} topics, {len(recent):,} vectors in {time.perf_counter() - started:.0f} s"
    )


def run(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"{name}:")
    db, _ = prepare(url, args.mentions, args.reseed)
    with db.session() as session:
        workspace = repo.require_workspace(session, inbox_seed.SLUG)
        workspace_id, timezone = workspace.id, workspace.timezone
    if args.topics:
        seed_topics(db, workspace_id, args.topics)
    results: dict[str, Any] = {}
    if args.no_rollups:
        with db.session() as session:
            session.query(MentionDaysBuilt).delete()
    else:
        for label in ("roll-ups brought up to date (s)", "roll-ups, nothing new (s)"):
            started = time.perf_counter()
            done = refresh(db, workspace_id, timezone, inbox_seed.NOW)
            results[label] = round(time.perf_counter() - started, 2)
            print(f"  {label:<58} {results[label]:>7.2f} s ({done.built} days built)")
    if db.dialect == "postgresql":
        # The topics, their vectors and the roll-ups came after the mentions' VACUUM ANALYZE:
        # without statistics on them (autovacuum's job a while after such a load) the planner
        # reads every vector for a page's typical posts (about 1 s at 90 days instead of 0.1–0.5 s).
        bulk_loaders.analyze(db)
    insights_page.current_time = lambda: inbox_seed.NOW  # the seeded data ends there
    for days in (7, 30, 90):
        period = Period.ending(inbox_seed.NOW, days, TIMEZONE)

        def figures(_: int, period: Period = period) -> None:
            with db.session() as session:
                listening(session, workspace_id, period)

        with db.session() as session:
            counted = listening(session, workspace_id, period).total.mentions
        page, drawn = page_case(db, days), page_case(db, days, drawn=True)
        if args.profile:
            profile(page, args.profile, f"Insights page, {days} days", args.profile_top)
            continue
        for label, call in (
            (f"listening figures, {days} days ({counted:,} mentions)", figures),
            (f"Insights page, {days} days (HTTP in-process)", page),
            (f"Insights page, {days} days, charts drawn afresh", drawn),
        ):
            result = timed(call, args.runs)
            results[label] = result
            flag = "" if result["p95"] < TARGET_MS else "   <-- over the target"
            print(f"  {label:<58} p50 {result['p50']:>7.1f} ms   p95 {result['p95']:>7.1f} ms{flag}")
        # CPU time of this process per call: what the page costs us, whatever else the shared box
        # runs meanwhile (on PostgreSQL the server's own time is not in it).
        for label, call in (("CPU time", page), ("CPU time, charts drawn afresh", drawn)):
            label = f"Insights page, {days} days, {label}"
            results[label] = cpu = timed(call, args.runs, clock=time.process_time)
            print(f"  {label:<58} p50 {cpu['p50']:>7.1f} ms   p95 {cpu['p95']:>7.1f} ms")
    db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sqlite", type=Path, default=Path("/tmp/ecoute-inbox-bench.db"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--postgres", default="")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--topics", type=int, default=40, help="topics to seed when there are none")
    parser.add_argument("--no-rollups", action="store_true", help="count every day from the mentions")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of timing, profile N page calls per period (cProfile, CPU time)",
    )
    parser.add_argument("--profile-top", type=int, default=30)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.no_sqlite:
        report["sqlite"] = run("SQLite", f"sqlite:///{args.sqlite}", args)
    if args.postgres:
        url = bulk_loaders.postgres_schema_url(args.postgres, SCHEMA)
        report["postgresql"] = run("PostgreSQL", url, args)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    if not report:
        sys.exit("nothing measured: give --postgres or leave SQLite on")


if __name__ == "__main__":
    main()
