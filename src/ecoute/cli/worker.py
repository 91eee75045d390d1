"""``ecoute worker`` (take jobs from the queues, in this process) and ``ecoute jobs …`` (look at the
ledger, run what is due once, give a dead job another chance)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer
from rich.table import Table
from sqlalchemy import select, update

from ecoute.cli.context import CliError, state
from ecoute.cli.output import console, print_json
from ecoute.jobs import ledger, registry
from ecoute.jobs.models import JOB_STATES, Job
from ecoute.jobs.queues import QueueConfigError
from ecoute.jobs.runner import run_due
from ecoute.jobs.scheduler import tick
from ecoute.jobs.workers import WorkerPlan, Workers
from ecoute.ops.multiproc import share_metrics
from ecoute.store.types import utcnow

jobs_app = typer.Typer(help="Background jobs: what waits, what ran, what failed.", no_args_is_help=True)
HEALTH_CHECK_S = 10.0


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
    app.add_typer(jobs_app, name="jobs")


def worker_command(
    queues: str = typer.Option(
        None,
        "--queues",
        "-q",
        help=f"Queues to work, comma-separated (default: all of {', '.join(registry.QUEUES)}).",
    ),
    concurrency: int = typer.Option(
        None,
        "--concurrency",
        "-c",
        help="Threads per queue (default: interactive 2, delivery 4, poll 4, ingest 1, bulk 1).",
    ),
    scheduler: bool = typer.Option(
        False,
        "--scheduler/--no-scheduler",
        help="Also run the scheduler (periodic work, the sweep): in exactly one process of the installation.",
    ),
) -> None:
    """Take jobs from the queue store (ECOUTE_QUEUE_URL) until Ctrl+C or SIGTERM; finish the jobs
    in hand before exiting. Run as many as you like, on any machine sharing the database and the
    queue store; one of them (or `ecoute serve` on one machine) with --scheduler."""
    share_metrics(state.settings, fresh=False)  # counted with `ecoute serve`'s on this machine
    try:
        plan = WorkerPlan.parse(queues, concurrency, scheduler)
        workers = Workers(state.database(), state.settings, plan)
    except (ValueError, QueueConfigError) as error:
        raise CliError(str(error)) from None
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    workers.start()
    console.print("Écoute worker started — " + "; ".join(workers.describe()) + "  (Ctrl+C to stop)")
    while not stop.wait(HEALTH_CHECK_S):
        workers.check_health()
    console.print("stopping: finishing the jobs in hand…")
    workers.stop(graceful=True)


@jobs_app.command("status")
def status_command(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Per queue: jobs waiting (and for how long the oldest has), scheduled, running, given up."""
    with state.database().session() as session:
        gauges = ledger.gauges(session)
    if as_json:
        print_json([g.__dict__ for g in gauges])
        return
    table = Table("queue", "waiting", "oldest waits", "scheduled", "running", "given up")
    for g in gauges:
        table.add_row(
            g.queue, str(g.waiting), f"{g.oldest_wait_s:.0f} s", str(g.scheduled), str(g.running), str(g.dead)
        )
    console.print(table)


@jobs_app.command("list")
def list_command(
    job_state: str = typer.Option("dead", "--state", help=f"One of {', '.join(JOB_STATES)}."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The latest jobs in a state (by default those given up, with their last error)."""
    if job_state not in JOB_STATES:
        raise CliError(f"--state {job_state!r}: use {', '.join(JOB_STATES)}")
    with state.database().session() as session:
        jobs = session.scalars(
            select(Job).where(Job.state == job_state).order_by(Job.id.desc()).limit(limit)
        ).all()
        rows = [
            {
                "id": j.id,
                "kind": j.kind,
                "queue": j.queue,
                "workspace_id": j.workspace_id,
                "attempts": j.attempts,
                "run_at": j.run_at.isoformat(),
                "last_error": j.last_error,
            }
            for j in jobs
        ]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "kind", "queue", "attempts", "run at", "last error")
    for r in rows:
        table.add_row(
            str(r["id"]), r["kind"], r["queue"], str(r["attempts"]), r["run_at"], (r["last_error"] or "")[:80]
        )
    console.print(table)


@jobs_app.command("retry")
def retry_command(
    job_id: int = typer.Argument(..., help="The id of a job given up (see `ecoute jobs list`)."),
) -> None:
    """Give a job that was given up ("dead") its attempts back, and queue it again."""
    db = state.database()
    with db.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise CliError(f"no job #{job_id}")
        if job.state != "dead":
            raise CliError(f"job #{job_id} is {job.state}, not given up: nothing to retry")
        now = utcnow()
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "dead")
            .values(state="pending", attempts=0, run_at=now, kicked_at=now, finished_at=None)
        )
        session.info.setdefault(ledger.KICKS, []).append(ledger.Kick(job_id, job.queue, now))
    console.print(f"job #{job_id} ({job.kind}) queued again.")


@jobs_app.command("run")
def run_command(
    queues: str = typer.Option(None, "--queues", "-q", help="Only these queues (comma-separated)."),
    with_tick: bool = typer.Option(
        True, "--tick/--no-tick", help="First defer the periodic work that is due."
    ),
) -> None:
    """Run, in this process, every job that is due now, then exit (for installations that drive
    background work from cron instead of running `ecoute worker`)."""
    db, settings = state.database(), state.settings
    chosen = tuple(q for q in (queues or ",".join(registry.QUEUES)).split(",") if q)
    if with_tick:
        tick(db, settings)
    total = 0
    while outcomes := run_due(db, settings, queues=chosen):
        ran = [o for o in outcomes if o.state != "skipped"]
        total += len(ran)
        if not ran:
            break
    console.print(f"ran {total} job(s)")
