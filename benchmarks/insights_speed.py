"""Insights speed: the listening figures of a period (7, 30 and 90 days) and the whole Insights page
through the app in-process, on the seeded workspace of ``benchmarks/inbox_seed.py`` (540 days of
mentions ending on 2026-11-20), on SQLite and PostgreSQL.

    python benchmarks/insights_speed.py                          # SQLite, 1,000,000 mentions
    python benchmarks/insights_speed.py --mentions 100000 --sqlite /tmp/ecoute-load-bench.db
    python benchmarks/insights_speed.py --no-sqlite --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The seeded database is the one ``benchmarks/inbox_speed.py`` keeps and reuses (same path and
schema), so the two share their seeding. Each case runs ``--runs`` times after two warm-up calls;
we report p50 and p95 in milliseconds. The target is a p95 under 300 ms for the whole page on a
million mentions.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import bulk_loaders
import inbox_seed
from inbox_speed import SCHEMA, prepare, timed

from ecoute.insights.listening import Period, listening
from ecoute.settings import Settings
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.web.pages import insights as insights_page

TIMEZONE = "Europe/Paris"
TARGET_MS = 300


def page_case(db: Database, days: int) -> Any:
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
        response = client.get(f"/w/{inbox_seed.SLUG}/insights?days={days}")
        assert response.status_code == 200, response.status_code

    return call


def run(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"{name}:")
    db, _ = prepare(url, args.mentions, args.reseed)
    with db.session() as session:
        workspace_id = repo.require_workspace(session, inbox_seed.SLUG).id
    insights_page.current_time = lambda: inbox_seed.NOW  # the seeded data ends there
    results: dict[str, Any] = {}
    for days in (7, 30, 90):
        period = Period.ending(inbox_seed.NOW, days, TIMEZONE)

        def figures(_: int, period: Period = period) -> None:
            with db.session() as session:
                listening(session, workspace_id, period)

        with db.session() as session:
            counted = listening(session, workspace_id, period).total.mentions
        for label, call in (
            (f"listening figures, {days} days ({counted:,} mentions)", figures),
            (f"Insights page, {days} days (HTTP in-process)", page_case(db, days)),
        ):
            result = timed(call, args.runs)
            results[label] = result
            flag = "" if result["p95"] < TARGET_MS else "   <-- over the target"
            print(f"  {label:<58} p50 {result['p50']:>7.1f} ms   p95 {result['p95']:>7.1f} ms{flag}")
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
