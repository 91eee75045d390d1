"""A kill -9 drill for the workers: N replies queued against a Mastodon-shaped platform that counts
what it really posted, real ``ecoute worker`` processes, one of them killed while the platform
holds back its answer to a post it already made."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from ecoute.ingest import IngestOptions, ingest
from ecoute.jobs.models import Job
from ecoute.respond.jobs import send_later
from ecoute.sources.base import RawItem
from ecoute.store.db import Database
from ecoute.store.models import Mention, Reply, Source, Workspace
from ecoute.store.reply_models import ReplyState
from ecoute.store.types import utcnow

TESTS = Path(__file__).resolve().parents[1]


def queue_replies(db: Database, workspace: Workspace, source: Source, count: int) -> None:
    """``count`` conversations from the source, each with a reply on its way (and its job)."""
    start = utcnow() - timedelta(hours=2)
    items = [
        RawItem(
            platform=source.platform,
            external_id=f"1100{n:06d}",
            text=f"@brand ma commande {n} n'est pas arrivée",
            created_at=start + timedelta(seconds=n),
            author=f"client{n}",
        )
        for n in range(count)
    ]
    ingest(db, workspace, items, source=source, options=IngestOptions(batch_size=1000))
    with db.session() as session:
        mentions = session.scalars(
            select(Mention).where(Mention.workspace_id == workspace.id).order_by(Mention.id)
        ).all()
        for n, mention in enumerate(mentions):
            reply = Reply(
                workspace_id=workspace.id,
                conversation_id=mention.conversation_id,
                in_reply_to_id=mention.id,
                text=f"Bonjour, nous regardons votre commande {n} tout de suite.",
                status="sending",
                idempotency_key=f"drill-{n}",
            )
            session.add(reply)
            session.flush()
            session.add(ReplyState(reply_id=reply.id, workspace_id=workspace.id))
            session.flush()
            send_later(session, reply, actor="drill")


def worker_env(base: dict[str, str], site: Path) -> dict[str, str]:
    env = {**os.environ, **base}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(TESTS), env.get("PYTHONPATH", "")])
    return env


@contextmanager
def worker(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "ecoute", "worker", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def kill_9(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def take_a_message(queue: str = "interactive") -> int:
    """Take the next message off the queue (the one the environment names) and drop it, as a
    worker killed between taking a message and claiming its job does. Returns the job it was for."""
    from ecoute.jobs.queues import queues_for
    from ecoute.settings import Settings

    task = queues_for(Settings()).huey(queue).dequeue()
    assert task is not None, f"the {queue} queue should still hold messages"
    return int(task.args[0])


def leases_run_out(db: Database) -> int:
    """Time passes for the jobs the killed worker held: their leases end (a worker alive would
    have renewed or finished them). Returns how many there were."""
    with db.session() as session:
        result = session.execute(
            update(Job).where(Job.state == "running").values(lease_until=utcnow() - timedelta(seconds=1))
        )
        return int(result.rowcount or 0)


def wait_until_sent(
    db: Database, workspace_id: int, count: int, stall: float, process=None, limit: float = 1200
) -> int:
    """Wait until ``count`` replies are sent, for as long as they keep going out: give up after
    ``stall`` seconds without a new one (or ``limit`` in all). On a loaded machine draining the
    queue takes longer, and a message the killed worker took off the queue before claiming its
    job only comes back once the queue is empty, at the scheduler's next minute."""
    started = last_progress = time.monotonic()
    sent = 0
    while time.monotonic() - last_progress < stall and time.monotonic() - started < limit:
        with db.session() as session:
            now_sent = (
                session.scalar(
                    select(func.count())
                    .select_from(Reply)
                    .where(Reply.workspace_id == workspace_id, Reply.status == "sent")
                )
                or 0
            )
        if now_sent > sent:
            sent, last_progress = now_sent, time.monotonic()
        if sent >= count:
            return sent
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker exited: {process.stderr.read().decode()[-3000:]}")
        time.sleep(0.5)
    return sent


def unsent(db: Database, workspace_id: int) -> list[tuple]:
    """The replies not sent, with their job's state: what to look at when a drill fails."""
    with db.session() as session:
        replies = session.execute(
            select(Reply.id, Reply.status).where(Reply.workspace_id == workspace_id, Reply.status != "sent")
        ).all()
        jobs = {
            int((job.payload or {}).get("reply_id", 0)): (job.state, job.attempts, job.run_at, job.last_error)
            for job in session.scalars(select(Job).where(Job.kind == "reply.send"))
        }
    return [(reply_id, status, jobs.get(reply_id)) for reply_id, status in replies]
