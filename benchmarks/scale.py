"""Scale: web and worker processes on PostgreSQL + Redis, measured from the outside.

    python benchmarks/scale.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test \
        --redis redis://127.0.0.1:6379/14 [--items 2000] [--backlog 100000] [--workers 1,2,4]

Everything runs as real processes on 127.0.0.1: two ``ecoute serve`` (no embedded workers), one
``ecoute worker --queues interactive,delivery,bulk --scheduler``, and 1, 2 or 4 ``ecoute worker
--queues ingest``, sharing a fresh PostgreSQL schema and a Redis queue under a fresh prefix.
Items are pushed through ``POST /api/v1/mentions`` (alternating between the two web processes);
analysis is on, as in production. Replies go to a Mastodon-shaped local server (tests/
reply_platform.py) that counts the statuses it really created.

1. Throughput: for each worker count, a burst of ``--items`` items; items stored and analysed per
   second, from the first push to the last row (each worker warmed up first: model loading is not
   counted), and the scaling efficiency from 1 to 2 workers.
2. End-to-end delay at a steady rate (2 ingest workers): items pushed in small batches at about half
   the measured throughput; per item, the time from its push to its row (``collected_at``).
3. Replies during a backlog: ``--backlog`` items pushed at once, then one reply a second through the
   API while the ingest workers work through it; per reply, the time until the platform's answer is
   stored (``sent``).
4. A kill -9 drill: a burst with 2 ingest workers, one killed with SIGKILL midway and replaced, and
   replies sent meanwhile; the counts that show nothing was lost or stored twice.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import create_engine, func, select, text

from ecoute.auth.api_tokens import create_token
from ecoute.jobs.models import Job
from ecoute.store import repo
from ecoute.store.db import Database, make_engine, migrate
from ecoute.store.models import Mention, Reply, Source

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_speed import generate_rows  # noqa: E402

from reply_platform import ENTRY_POINT, fake_mastodon  # noqa: E402

BATCH = 100


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """The processes of one run and what they share."""

    db_url: str
    env: dict[str, str]
    token: str
    web: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ingest: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: Path = Path(".")

    def start(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        command = [sys.executable, "-m", "ecoute", *args]
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def start_ingest_worker(self, number: int) -> subprocess.Popen[bytes]:
        process = self.start("worker", "--queues", "ingest", name=f"ingest-{number}")
        self.ingest.append(process)
        return process

    def stop_ingest_workers(self) -> None:
        for process in self.ingest:
            stop(process)
        self.ingest.clear()

    def stop_all(self) -> None:
        for process in self.processes:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def push(cluster: Cluster, rows: list[dict[str, Any]], turn: int, source: str | None = None) -> None:
    base = cluster.web[turn % len(cluster.web)]
    body: dict[str, Any] = {"items": rows, "key": f"bench-{uuid.uuid4().hex}"}
    if source:
        body["source"] = source
    headers = {"Authorization": f"Bearer {cluster.token}"}
    response = httpx.post(f"{base}/api/v1/mentions", json=body, headers=headers, timeout=120)
    if response.status_code != 202:
        raise RuntimeError(f"push refused: {response.status_code} {response.text[:300]}")


def items(prefix: str, count: int, seed: int) -> list[dict[str, Any]]:
    rows = generate_rows(count, seed=seed)
    for n, row in enumerate(rows):
        row["id"] = f"{prefix}-{n}"
        row["platform"] = "x"
    return rows


def stored(db: Database, prefix: str, pattern: str = "{}-%") -> int:
    """Rows stored whose id starts with ``prefix`` and a dash (``pattern``: another LIKE form)."""
    with db.session() as session:
        like = Mention.external_id.like(pattern.format(prefix))
        return int(session.scalar(select(func.count()).select_from(Mention).where(like)) or 0)


def wait_stored(db: Database, prefix: str, count: int, timeout: float, pattern: str = "{}-%") -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stored(db, prefix, pattern) >= count:
            return time.time()
        time.sleep(0.25)
    raise RuntimeError(f"{prefix}: {stored(db, prefix, pattern)}/{count} stored after {timeout:.0f} s")


def burst(cluster: Cluster, db: Database, prefix: str, count: int, seed: int) -> dict[str, float]:
    rows = items(prefix, count, seed)
    started = time.time()
    for turn, start in enumerate(range(0, count, BATCH)):
        push(cluster, rows[start : start + BATCH], turn)
    pushed = time.time()
    finished = wait_stored(db, prefix, count, timeout=3600)
    return {
        "items": count,
        "push_s": round(pushed - started, 2),
        "elapsed_s": round(finished - started, 2),
        "items_per_s": round(count / (finished - started), 1),
    }


def warm_up(cluster: Cluster, db: Database, workers: int) -> None:
    """Every ingest worker loads its models on its first job: give each one a small job first."""
    for n in range(workers * 3):
        prefix = f"warm{workers}x{n}"
        push(cluster, items(prefix, 5, seed=900 + n), n)
    for n in range(workers * 3):
        wait_stored(db, f"warm{workers}x{n}", 5, timeout=600)


def steady(cluster: Cluster, db: Database, rate: float, seconds: float) -> dict[str, float]:
    """Push small batches at ``rate`` items/s; per item, push → stored row."""
    prefix = f"steady{uuid.uuid4().hex[:6]}"
    per_batch = 10
    pushes: dict[str, float] = {}
    count, turn = 0, 0
    started = time.time()
    while time.time() - started < seconds:
        rows = items(f"{prefix}x{turn}", per_batch, seed=turn)
        at = time.time()
        push(cluster, rows, turn)
        for row in rows:
            pushes[row["id"]] = at
        count += per_batch
        turn += 1
        time.sleep(max(0.0, per_batch / rate - (time.time() - at)))
    wait_stored(db, prefix, count, timeout=600, pattern="{}x%")
    with db.session() as session:
        rows = session.execute(
            select(Mention.external_id, Mention.collected_at).where(Mention.external_id.like(f"{prefix}%"))
        ).all()
    delays = [collected.timestamp() - pushes[external] for external, collected in rows if external in pushes]
    return {
        "rate_items_per_s": rate,
        "items": len(delays),
        "p50_s": round(quantile(delays, 0.5), 2),
        "p95_s": round(quantile(delays, 0.95), 2),
        "max_s": round(max(delays), 2),
    }


def reply_targets(cluster: Cluster, db: Database, count: int) -> list[int]:
    """Conversations from the Mastodon-shaped source, to answer."""
    prefix = f"m{uuid.uuid4().hex[:6]}"
    rows = items(prefix, count, seed=5)
    for n, row in enumerate(rows):
        row["platform"] = "mastodon"
        row["author"] = f"{prefix}client{n}"  # one conversation each
        row.pop("parent_id", None)
        row.pop("thread_id", None)
        row["text"] = "@brand " + row["text"]
    push(cluster, rows, 0, source="mastodon")
    wait_stored(db, prefix, count, timeout=600)
    with db.session() as session:
        query = select(Mention.conversation_id).where(Mention.external_id.like(f"{prefix}-%"))
        return sorted(set(session.scalars(query)))


def send_replies(cluster: Cluster, db: Database, conversations: list[int], every: float) -> list[float]:
    """One reply per conversation, one every ``every`` seconds; per reply, request → ``sent``."""
    delays: list[float] = []
    for n, conversation in enumerate(conversations):
        at = time.time()
        response = httpx.post(
            f"{cluster.web[n % 2]}/api/v1/conversations/{conversation}/replies",
            json={"text": f"Bonjour, nous regardons cela tout de suite (réf. {n}).", "confirm_similar": True},
            headers={
                "Authorization": f"Bearer {cluster.token}",
                "Idempotency-Key": f"scale-{uuid.uuid4().hex}",
            },
            timeout=60,
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"reply refused: {response.status_code} {response.text[:300]}")
        reply_id = response.json()["id"]
        while True:
            with db.session() as session:
                status = session.scalar(select(Reply.status).where(Reply.id == reply_id))
            if status != "sending":
                break
            time.sleep(0.05)
        delays.append(time.time() - at)
        time.sleep(max(0.0, every - (time.time() - at)))
    return delays


def backlog_and_replies(cluster: Cluster, db: Database, backlog: int, replies: int) -> dict[str, Any]:
    targets = reply_targets(cluster, db, replies)
    rows = items("backlog", backlog, seed=77)
    started = time.time()
    for turn, start in enumerate(range(0, backlog, 1000)):
        push(cluster, rows[start : start + 1000], turn)
    pushed = time.time()
    delays = send_replies(cluster, db, targets, every=1.0)
    done = stored(db, "backlog")
    return {
        "backlog_items": backlog,
        "push_s": round(pushed - started, 1),
        "replies": len(delays),
        "reply_p50_s": round(quantile(delays, 0.5), 2),
        "reply_p95_s": round(quantile(delays, 0.95), 2),
        "reply_max_s": round(max(delays), 2),
        "backlog_stored_meanwhile": done,
        "backlog_left": backlog - done,
    }


def kill_drill(cluster: Cluster, db: Database, count: int, server: Any) -> dict[str, Any]:
    targets = reply_targets(cluster, db, 30)
    statuses_before = len(server.statuses)
    rows = items("drill", count, seed=31)
    started = time.time()
    for turn, start in enumerate(range(0, count, BATCH)):
        push(cluster, rows[start : start + BATCH], turn)
    while stored(db, "drill") < count // 2:
        time.sleep(0.2)
    victim = cluster.ingest[0]
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    killed_at = time.time()
    cluster.ingest.remove(victim)
    cluster.start_ingest_worker(99)
    replies_thread_delays: list[float] = []
    sender = threading.Thread(
        target=lambda: replies_thread_delays.extend(send_replies(cluster, db, targets, 0.5))
    )
    sender.start()
    finished = wait_stored(db, "drill", count, timeout=1800)
    sender.join()
    with db.session() as session:
        jobs = dict(
            session.execute(
                select(Job.state, func.count()).where(Job.kind == "ingest.items").group_by(Job.state)
            ).all()
        )
        ids = session.scalars(select(Mention.external_id).where(Mention.external_id.like("drill-%"))).all()
        sent = session.scalar(select(func.count()).select_from(Reply).where(Reply.status == "sent"))
    return {
        "items_pushed": count,
        "items_stored": len(ids),
        "items_stored_twice": len(ids) - len(set(ids)),
        "items_missing": count - len(set(ids)),
        "ingest_jobs_by_state": jobs,
        "seconds_from_kill_to_last_item": round(finished - killed_at, 1),
        "elapsed_s": round(finished - started, 1),
        "replies_sent_meanwhile": len(replies_thread_delays),
        "platform_statuses_created": len(server.statuses) - statuses_before,
        "replies_in_state_sent": sent,
    }


@contextmanager
def cluster_of(args: argparse.Namespace, site: Path, mastodon_url: str) -> Iterator[tuple[Cluster, Database]]:
    schema = f"ecoute_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in args.postgres else "?"
    url = f"{args.postgres}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    db = Database(engine)
    with db.session() as session:
        workspace = repo.create_workspace(session, "scale", "Scale", locale="fr", timezone="Europe/Paris")
        session.add(
            Source(
                workspace_id=workspace.id,
                name="mastodon",
                platform="mastodon",
                kind=ENTRY_POINT,
                settings={"instance": mastodon_url},
                paused=True,  # it only sends replies here: nothing to poll
            )
        )
        token, _ = create_token(session, workspace.id, name="scale", role="owner")
    prefix = f"scale{uuid.uuid4().hex[:8]}"
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "ECOUTE_DATABASE_URL": url,
        "ECOUTE_QUEUE_URL": args.redis,
        "ECOUTE_QUEUE_PREFIX": prefix,
        "ECOUTE_WEB_WORKERS": "off",
        "ECOUTE_WEB_PROCESSES": "1",  # two servers of one process each, as described above
        "ECOUTE_DATA_DIR": str(logs / "data"),
        "ECOUTE_SECRET_KEY": "scale-benchmark-secret-key-0123456789",
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]),
    }
    cluster = Cluster(url, env, token, logs=logs)
    try:
        for n in range(2):
            port = free_port()
            cluster.start("serve", "--port", str(port), name=f"web-{n}")
            cluster.web.append(f"http://127.0.0.1:{port}")
        for base in cluster.web:
            wait_http(f"{base}/login")
        cluster.start("worker", "--queues", "interactive,delivery,bulk", "--scheduler", name="worker-rest")
        yield cluster, db
    finally:
        cluster.stop_all()
        db.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        client = redis.Redis.from_url(args.redis)
        keys = list(client.scan_iter(match=f"huey.*{prefix}*"))
        if keys:
            client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--replies", type=int, default=60)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--logs", default="benchmarks/out/scale")
    parser.add_argument(
        "--steady-rate",
        type=float,
        default=0.0,
        help="items/s of the steady part (0: half the 2-worker burst)",
    )
    parser.add_argument("--skip", default="", help="Parts to skip: throughput,steady,backlog,drill")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    started = datetime.now().isoformat(timespec="seconds")
    results: dict[str, Any] = {"started": started, "load": os.getloadavg()}
    site = Path(args.logs).resolve() / "site-root"
    with fake_mastodon(site) as server, cluster_of(args, site / "site", server.url) as (cluster, db):
        throughput: dict[int, dict[str, float]] = {}
        for count in (int(w) for w in args.workers.split(",")) if "throughput" not in skip else ():
            for n in range(count):
                cluster.start_ingest_worker(n)
            warm_up(cluster, db, count)
            throughput[count] = burst(cluster, db, f"burst{count}", args.items, seed=count)
            print(f"{count} ingest worker(s): {json.dumps(throughput[count])}", flush=True)
            cluster.stop_ingest_workers()
        results["throughput"] = throughput
        if 1 in throughput and 2 in throughput:
            results["efficiency_1_to_2"] = round(
                throughput[2]["items_per_s"] / (2 * throughput[1]["items_per_s"]), 2
            )
        for n in range(2):
            cluster.start_ingest_worker(100 + n)
        warm_up(cluster, db, 2)
        if "steady" not in skip:
            rate = args.steady_rate or max(5.0, 0.5 * throughput.get(2, {}).get("items_per_s", 10.0))
            results["steady"] = steady(cluster, db, rate=round(rate), seconds=60)
            print(f"steady: {json.dumps(results['steady'])}", flush=True)
        if "drill" not in skip:
            results["drill"] = kill_drill(cluster, db, args.items, server)
            print(f"drill: {json.dumps(results['drill'])}", flush=True)
        if "backlog" not in skip:
            results["backlog"] = backlog_and_replies(cluster, db, args.backlog, args.replies)
            print(f"backlog: {json.dumps(results['backlog'])}", flush=True)
    results["load_after"] = os.getloadavg()
    results["cpu_count"] = os.cpu_count()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
