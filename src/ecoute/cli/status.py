"""``ecoute status``: the installation at a glance, for a person — readiness, queues, workers
seen lately, sources and the last ingest (what ``/readyz`` and ``/metrics`` give machines)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from ecoute.cli.context import state
from ecoute.cli.output import console, print_json
from ecoute.ops import snapshot
from ecoute.ops.readiness import readiness


def register(app: typer.Typer) -> None:
    app.command("status")(status_command)


def status_command(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Is it ready; what waits in each queue; which workers ran jobs lately; how the sources are."""
    db = state.database()
    checks = readiness(db, state.settings)
    with db.session() as session:
        seen = snapshot.take(session)
    if as_json:
        print_json(_as_json(checks, seen))
        return
    for check in checks:
        mark = "[green]ok[/]" if check.ok else "[red]NOT READY[/]"
        console.print(f"{check.name}: {mark} — {check.detail}")
    queues = Table("queue", "waiting", "oldest waits", "scheduled", "running", "given up", title="Queues")
    for g in seen.queues:
        queues.add_row(
            g.queue, str(g.waiting), f"{g.oldest_wait_s:.0f} s", str(g.scheduled), str(g.running), str(g.dead)
        )
    console.print(queues)
    minutes = int(snapshot.WORKER_WINDOW.total_seconds() // 60)
    if seen.workers:
        console.print(f"Workers seen in the last {minutes} min: " + ", ".join(w.name for w in seen.workers))
    else:
        console.print(f"Workers seen in the last {minutes} min: none (no job started)")
    sources = Table(
        "workspace", "source", "platform", "health", "failures in a row", "last success", title="Sources"
    )
    for s in seen.sources:
        health = "paused" if s.paused else s.health
        sources.add_row(
            s.workspace, s.name, s.platform, health, str(s.consecutive_failures), _when(s.last_success_at)
        )
    console.print(sources)
    console.print(
        f"Mentions stored: {sum(seen.mentions.values())}; last ingest: {_when(seen.last_ingest_at)}"
    )


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


def _as_json(checks: list[Any], seen: snapshot.Snapshot) -> dict[str, Any]:
    return {
        "ready": all(c.ok for c in checks),
        "checks": {c.name: c.as_json() for c in checks},
        "queues": [g.__dict__ for g in seen.queues],
        "workers": [{"name": w.name, "last_started_at": w.last_started_at.isoformat()} for w in seen.workers],
        "sources": [{**s.__dict__, "last_success_at": _when(s.last_success_at)} for s in seen.sources],
        "mentions": seen.mentions,
        "last_ingest_at": seen.last_ingest_at.isoformat() if seen.last_ingest_at else None,
        "jobs_given_up": seen.failed_jobs,
    }
