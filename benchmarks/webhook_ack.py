"""How fast a signed webhook is acknowledged: requests signed the Standard Webhooks way, sent at a
steady pace to a webhook source of the real server, and nothing lost.

    python benchmarks/webhook_ack.py                        # 300 requests/s for 60 s, SQLite
    python benchmarks/webhook_ack.py --rate 300 --seconds 30
    python benchmarks/webhook_ack.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The real server (``ecoute serve``: uvicorn, one web process, the background workers in the same
process as with the default SQLite queue, analysis off) runs as a subprocess on 127.0.0.1 over a
fresh database with one workspace and one webhook source. Every request (one item each) is built
beforehand and signed as it leaves, open-loop: request *i* leaves at start + i / rate, whatever
the answers before it, each on its own asyncio task, so a slow answer cannot slow the pace down
and hide itself (latency is counted from the moment a request was due, not from when it left).
We report the answers by status, the rate achieved, and p50/p95/p99/max acknowledgement time in milliseconds.
With ``--separate-worker`` the server only acknowledges (``ECOUTE_WEB_WORKERS=off``) and an
``ecoute worker`` started after the run stores the items. Then we wait (at most ``--drain``
seconds) until every acknowledged item is stored and count the mentions: "nothing lost" means
one stored mention per 202. Target: p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import bulk_loaders
import httpx
from api_load import SECRET, Server
from sqlalchemy import func, select

from ecoute.settings import Settings
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Mention
from ecoute.webhooks.signing import standard_sign

SCHEMA = "ecoute_webhook_bench"
HOOK_SECRET = "whsec_" + base64.b64encode(b"benchmark-webhook-secret-bytes!!").decode()
TARGET_P99_MS = 50.0


def prepare(url: str, data_dir: str) -> None:
    db = Database.open(url)
    with db.session() as session:
        workspace = repo.create_workspace(session, "bench", "Bench")
        settings = Settings(overrides={"secret_key": SECRET, "data_dir": data_dir}, environ={})
        sealed = seal_secrets({"secret": HOOK_SECRET, "keep_unmatched": True}, settings)
        repo.ensure_source(session, workspace.id, "shop", kind="webhook", platform="webhook", settings=sealed)
    db.dispose()


def bodies(count: int) -> list[bytes]:
    records = (
        {"id": f"review-{n}", "text": f"Avis {n} : livraison rapide", "created_at": "2026-12-01T10:00:00Z"}
        for n in range(count)
    )
    return [json.dumps({"items": [record]}).encode() for record in records]


class Connections:
    """Keep-alive HTTP/1.1 connections to the server, opened as needed (at most ``limit``).

    Requests are written and answers read directly on asyncio streams: a general-purpose client
    spends more CPU per request than the server does and, once requests queue up inside it, more
    for every queued one, so that the sender, not the server, would set the figures."""

    def __init__(self, host: str, port: int, limit: int = 256):
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.free = asyncio.Semaphore(limit)

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> int:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nhost: {self.host}\r\ncontent-length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        async with self.free:
            while True:
                reused = bool(self.idle)
                if reused:
                    reader, writer = self.idle.pop()
                else:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                writer.write(request)
                try:
                    status, keep = await self._answer(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as error:
                    writer.close()
                    if reused and not getattr(error, "partial", b""):
                        continue  # the server had closed this idle connection: a fresh one
                    raise
                except BaseException:
                    writer.close()
                    raise
                break
            if keep:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return status

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, keep = 0, True
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                keep = False
        if length:
            await reader.readexactly(length)
        return status, keep

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()


async def send_all(base: str, prepared: list[bytes], rate: float) -> tuple[list[float], Counter]:
    """Open loop: request *i* is due at start + i / rate and leaves then, whatever the answers
    before it; it is signed when it leaves (the timestamp must be fresh) and its time is counted
    from when it was due."""
    key = base64.b64decode(HOOK_SECRET.removeprefix("whsec_"))
    address = httpx.URL(base)
    connections = Connections(address.host, address.port or 80)
    latencies: list[float] = []
    statuses: Counter = Counter()
    start = time.perf_counter() + 0.5

    async def one(index: int, body: bytes, due: float) -> None:
        stamp, message_id = int(time.time()), f"msg_{index}"
        headers = {
            "webhook-id": message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": standard_sign(key, message_id, stamp, body),
            "content-type": "application/json",
        }
        try:
            status = await asyncio.wait_for(connections.post("/hooks/bench/shop", headers, body), 30)
            statuses[status] += 1
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            statuses[type(error).__name__] += 1
        latencies.append((time.perf_counter() - due) * 1000)

    tasks = []
    for index, body in enumerate(prepared):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, body, due)))
    await asyncio.gather(*tasks)
    connections.close()
    return latencies, statuses


def stored(url: str) -> int:
    db = Database.open(url, run_migrations=False)
    try:
        with db.session() as session:
            return session.scalar(select(func.count()).select_from(Mention)) or 0
    finally:
        db.dispose()


def run(url: str, args: argparse.Namespace, data_dir: str) -> dict:
    prepare(url, data_dir)
    count = int(args.rate * args.seconds)
    prepared = bodies(count)
    env = {"ECOUTE_ANALYSIS": "off", "ECOUTE_WEB_PROCESSES": str(args.processes)}
    if args.separate_worker or args.worker_during is not None:
        env["ECOUTE_WEB_WORKERS"] = "off"  # the server only acknowledges; a worker stores the items
    server = Server(url, data_dir, Path(args.src) if args.src else None, env)
    worker = None

    def start_worker(niceness: int) -> subprocess.Popen:
        return subprocess.Popen(
            ["nice", "-n", str(niceness), sys.executable, "-m", "ecoute", "worker"],
            env={
                **os.environ,
                **env,
                "ECOUTE_DATABASE_URL": url,
                "ECOUTE_DATA_DIR": data_dir,
                "ECOUTE_SECRET_KEY": SECRET,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    try:
        if args.worker_during is not None:
            worker = start_worker(args.worker_during)
        print(f"sending {count} requests at {args.rate:g}/s", file=sys.stderr)
        load_before = os.getloadavg()
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        latencies, statuses = asyncio.run(send_all(server.base, prepared, args.rate))
        elapsed = time.perf_counter() - started
        server_cpu = server.cpu_seconds() - cpu_before
        load_after = os.getloadavg()
        print(f"sent in {elapsed:.1f} s: {dict(statuses)}; waiting for storage", file=sys.stderr)
        if args.separate_worker and worker is None:
            worker = start_worker(0)
        deadline = time.monotonic() + args.drain
        kept = stored(url)
        while kept < statuses.get(202, 0) and time.monotonic() < deadline:
            time.sleep(1)
            kept = stored(url)
    finally:
        server.stop()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {
        "requests": count,
        "rate_achieved": round(count / elapsed, 1),
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1], 1),
        "stored": kept,
        "lost": statuses.get(202, 0) - kept,
        "target_p99_ms": TARGET_P99_MS,
        "web_processes": args.processes,
        "server_cpu_ms_per_request": round(server_cpu / count * 1000, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send (bounded)")
    parser.add_argument(
        "--drain", type=float, default=120.0, help="seconds to wait for the items to be stored"
    )
    parser.add_argument(
        "--worker-during",
        type=int,
        metavar="NICENESS",
        help="the server only acknowledges; an `ecoute worker` at this niceness stores the items "
        "while the requests come",
    )
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="the server only acknowledges; an `ecoute worker` stores the items after the run",
    )
    parser.add_argument("--postgres", help="also run on this PostgreSQL (a throw-away schema)")
    parser.add_argument("--processes", type=int, default=1, help="web processes (ECOUTE_WEB_PROCESSES)")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--src", help="serve from this source tree (e.g. an earlier version's src/)")
    args = parser.parse_args()
    results = {}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results["sqlite"] = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args, str(Path(tmp) / "data"))
    if args.postgres:
        url = bulk_loaders.postgres_schema_url(args.postgres, SCHEMA)
        bulk_loaders.wipe(url, SCHEMA)
        with tempfile.TemporaryDirectory() as tmp:
            results["postgresql"] = run(url, args, str(Path(tmp) / "data"))
        bulk_loaders.wipe(url, SCHEMA)
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
