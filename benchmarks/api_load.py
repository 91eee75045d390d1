"""The web server under load: 20 concurrent clients on the REST API list and on the inbox page, a
password-guessing flood against the login form while two agents work, and how long the login form
takes to answer for a known and for an unknown e-mail (account enumeration).

    python benchmarks/api_load.py                           # SQLite, 100,000 mentions
    python benchmarks/api_load.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python benchmarks/api_load.py --src /path/to/other/checkout/src   # serve another version

The real server (``ecoute serve``, uvicorn) runs as a subprocess on 127.0.0.1 over a database seeded
by ``benchmarks/inbox_seed.py`` (kept and reused: ``--sqlite`` path, PostgreSQL schema
``ecoute_load``). Clients are asyncio tasks in this process, each with its own connection, its own
API token or login session (made in the database beforehand, so no password hashing happens outside
the flood), looping for ``--seconds`` after a short warm-up. We report the number of requests, the
rate, p50/p95/p99/max latency in milliseconds, the server's CPU time per request (all its
processes, from /proc: the figure other load on the machine disturbs least), and each web process's
share of that CPU and of the clients' connections (how evenly the processes took them; the run
starts once every web process answers). Target: p95 under 300 ms for the API list and for the inbox
page at 20 clients. By default each client sends its next request as soon as the answer comes (the
server saturated); ``--pace 1`` gives each client one request a second (20 people clicking as fast
as they read).

Scenarios (``--scenarios``, comma-separated):

- ``api``: every client GETs ``/api/v1/conversations`` (first pages of several filters).
- ``inbox``: every client GETs the inbox page ``/w/bench/`` (logged-in session).
- ``flood``: ``--clients`` attackers POST wrong passwords to ``/login`` (each from its own address,
  sent in ``X-Forwarded-For``, which the server trusts from 127.0.0.1 only for this run) while two
  agents load the inbox; we report the agents' latency and what the attackers got back.
- ``spread-flood``: the same, but every guess is for a new e-mail from a new address, so that no
  throttle applies: only the bound on password hashing protects the agents.
- ``enumeration``: one client at a time, wrong passwords for existing accounts against unknown
  e-mails (each from a fresh address so the throttle does not answer instead); we report the
  median time of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bulk_loaders
import httpx
import inbox_seed
from sqlalchemy import create_engine, text

import ecoute
from ecoute.auth import api_tokens, sessions, users
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import User

SCHEMA = "ecoute_load"
SECRET = "load-bench-secret"
TARGET_MS = 300.0
PROBE_USERS = 10
PROBE_PASSWORD = "probe-password-123"
API_PATHS = (
    "/api/v1/conversations",
    "/api/v1/conversations?status=open",
    "/api/v1/conversations?sentiment=negative",
    "/api/v1/conversations?intent=complaint",
)


@dataclass
class Credentials:
    api_token: str
    session_cookies: list[str]


@dataclass
class Samples:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0

    def summary(self, seconds: float) -> dict[str, Any]:
        values = sorted(self.latencies_ms)
        if not values:
            return {"requests": 0, "errors": self.errors}

        def q(p: float) -> float:
            return round(values[min(len(values) - 1, round(p * (len(values) - 1)))], 1)

        return {
            "requests": len(values),
            "per_second": round(len(values) / seconds, 1),
            "p50": q(0.50),
            "p95": q(0.95),
            "p99": q(0.99),
            "max": round(values[-1], 1),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": self.errors,
        }


# --- the database ---------------------------------------------------------------------------------


def prepare(url: str, mentions: int, reseed: bool, schema: str = SCHEMA) -> None:
    """Seed the ``bench`` workspace (or reuse it) and add the probe users of the enumeration case."""
    if reseed:
        bulk_loaders.wipe(url, schema)
    db = Database.open(url)
    with db.session() as session:
        workspace = repo.get_workspace(session, inbox_seed.SLUG)
        count = repo.count_mentions(session, workspace.id) if workspace else 0
    if workspace is None or count != mentions:
        db.dispose()
        bulk_loaders.wipe(url, schema)
        db = Database.open(url)
        print(f"  seeding {mentions:,} mentions …")
        inbox_seed.seed(db, mentions, log=lambda _line: None)
        if db.dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    with db.session() as session:
        for n in range(PROBE_USERS):
            if users.get_user_by_email(session, f"probe{n}@bench.example") is None:
                users.create_user(session, f"probe{n}@bench.example", PROBE_PASSWORD)
    db.dispose()


def credentials(url: str, clients: int) -> Credentials:
    db = Database.open(url, run_migrations=False)
    with db.session() as session:
        workspace = repo.require_workspace(session, inbox_seed.SLUG)
        token, _ = api_tokens.create_token(session, workspace.id, name="load benchmark", role="admin")
        agent = users.get_user_by_email(session, "agent0@bench.example")
        assert isinstance(agent, User)
        cookies = [sessions.create_session(session, agent)[0] for _ in range(clients)]
    db.dispose()
    return Credentials(token, cookies)


def forget_login_failures(url: str) -> None:
    """Each scenario starts with no failed logins remembered (a version without a throttle has none)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        exists = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'login_throttle'"
            if url.startswith("sqlite")
            else "SELECT to_regclass('login_throttle')::text"
        ).scalar()
        if exists:
            connection.exec_driver_sql("DELETE FROM login_throttle")
    engine.dispose()


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``ecoute serve`` in a subprocess, on a free port, until ``stop``."""

    def __init__(self, url: str, data_dir: str, src: Path | None, extra_env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = url
        env = {
            **os.environ,
            "ECOUTE_DATABASE_URL": url,
            "ECOUTE_DATA_DIR": data_dir,
            "ECOUTE_SECRET_KEY": SECRET,
            **extra_env,
        }
        if src is not None:
            env["PYTHONPATH"] = str(src)
        command = [sys.executable, "-m", "ecoute", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 300  # a busy machine starts it slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped: {self.process.stderr.read().decode()[-2000:]}")
            try:
                if (
                    httpx.get(f"{self.base}/login", timeout=2).status_code == 200
                    and self._every_process_answers()
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()  # not left running behind the benchmark
        raise SystemExit("the server did not answer within 300 s")

    def _every_process_answers(self) -> bool:
        """Whether every web process has built its app and accepts connections: a few fresh
        connections, each answered, and each web process holding at least one of them. Otherwise
        the clients would all connect to the first process ready, and stay there."""
        clients = [httpx.Client(base_url=self.base, timeout=10) for _ in range(8)]
        try:
            for client in clients:
                client.get("/login")
            return all(self.connections_per_process().values())
        finally:
            for client in clients:
                client.close()

    def connections_per_process(self) -> dict[int, int]:
        """How many of the connections open to the server each web process holds (Linux /proc:
        which process has the socket of each established connection on the server's port)."""
        held = {pid: socket_inodes(pid) for pid in self.web_process_cpu()}
        counts = dict.fromkeys(held, 0)
        for inode in server_sockets(self.port):
            for pid, inodes in held.items():
                if inode in inodes:
                    counts[pid] += 1
        return counts

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and its worker processes so far (Linux /proc)."""
        pids = [self.process.pid] + [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent(entry) == self.process.pid
        ]
        ticks = os.sysconf("SC_CLK_TCK")
        return sum(_cpu_ticks(pid) for pid in pids) / ticks

    def web_process_cpu(self) -> dict[int, float]:
        """CPU seconds so far of each web process (the children uvicorn spawns; none when the server
        runs a single process, in its main one)."""
        ticks = os.sysconf("SC_CLK_TCK")
        return {
            int(entry.name): _cpu_ticks(int(entry.name)) / ticks
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent(entry) == self.process.pid and _spawned(entry)
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _stat(pid: int | Path) -> list[str]:
    path = pid / "stat" if isinstance(pid, Path) else Path(f"/proc/{pid}/stat")
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return []


def _parent(entry: Path) -> int:
    fields = _stat(entry)
    return int(fields[1]) if fields else -1


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds open (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def server_sockets(port: int, state: str = "01") -> list[str]:
    """Inodes of the IPv4 TCP sockets whose local end is ``port`` (the server's side) in ``state``
    (as /proc/net/tcp writes it: 01 established, 0A listening)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    ours = (fields for fields in map(str.split, rows) if int(fields[1].rsplit(":", 1)[1], 16) == port)
    return [fields[9] for fields in ours if fields[3] == state]


def _spawned(entry: Path) -> bool:
    try:
        return b"spawn_main" in (entry / "cmdline").read_bytes()
    except OSError:
        return False


def cpu_shares(before: dict[int, float], after: dict[int, float]) -> list[float]:
    """Each web process's part of the CPU the web processes spent between two readings, largest
    first: how evenly the load was spread (the same requests cost the same wherever they run)."""
    spent = sorted((after[pid] - before.get(pid, 0.0) for pid in after), reverse=True)
    total = sum(spent)
    return [round(part / total, 2) for part in spent] if total else []


def database_cpu_seconds() -> float:
    """CPU time so far of the PostgreSQL server's processes on this machine (0 when none runs here):
    the database's own share of each request, next to the web processes' and the clients'."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        total += _cpu_ticks(int(entry.name))
    return total / ticks


def _cpu_ticks(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime, stime


# --- the clients ----------------------------------------------------------------------------------


async def timed(samples: Samples, call: Awaitable[httpx.Response]) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError:
        samples.errors += 1
        return None
    samples.latencies_ms.append((time.perf_counter() - started) * 1000)
    samples.statuses[response.status_code] += 1
    return response


async def loop_until(deadline: float, step: Callable[[int], Awaitable[Any]]) -> None:
    n = 0
    while time.monotonic() < deadline:
        await step(n)
        n += 1


async def paced(samples: Samples, call: Awaitable[httpx.Response], pace: float) -> None:
    """One request, then (with ``--pace``) the rest of the client's turn: a person reading the page
    before the next click, rather than a script firing as fast as answers come."""
    started = time.monotonic()
    await timed(samples, call)
    if pace:
        await asyncio.sleep(max(0.0, pace - (time.monotonic() - started)))


async def run_clients(
    make_client: Callable[[int], httpx.AsyncClient],
    path_of: Callable[[int, int], str],
    server: Server,
    args: argparse.Namespace,
) -> dict[str, Any]:
    samples, warm = Samples(), Samples()
    clients = [make_client(i) for i in range(args.clients)]
    cpu, per_process, own, database = 0.0, {}, 0.0, 0.0
    try:
        for into, span in ((warm, 3.0), (samples, args.seconds)):
            cpu, per_process = server.cpu_seconds(), server.web_process_cpu()
            own, database = time.process_time(), database_cpu_seconds()
            until = time.monotonic() + span
            await asyncio.gather(
                *(
                    loop_until(
                        until, lambda n, c=c, i=i, into=into: paced(into, c.get(path_of(i, n)), args.pace)
                    )
                    for i, c in enumerate(clients)
                )
            )
        cpu = server.cpu_seconds() - cpu
        own, database = time.process_time() - own, database_cpu_seconds() - database
        shares = cpu_shares(per_process, server.web_process_cpu())
        connections = sorted(server.connections_per_process().values(), reverse=True)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    summary = samples.summary(args.seconds)
    answered = max(1, len(samples.latencies_ms))
    summary["server_cpu_ms_per_request"] = round(1000 * cpu / answered, 1)
    # The clients run on the same cores: what they and the database spend is CPU the server lacks.
    summary["client_cpu_ms_per_request"] = round(1000 * own / answered, 1)
    if "postgresql" in server.url:
        summary["database_cpu_ms_per_request"] = round(1000 * database / answered, 1)
    summary["web_process_cpu_shares"] = shares
    summary["connections_per_web_process"] = connections
    return summary


def api_scenario(server: Server, creds: Credentials, args: argparse.Namespace) -> dict[str, Any]:
    def make(_: int) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {creds.api_token}"}
        return httpx.AsyncClient(base_url=server.base, headers=headers, timeout=60)

    return asyncio.run(run_clients(make, lambda i, n: API_PATHS[(i + n) % len(API_PATHS)], server, args))


def inbox_client(server: Server, cookie: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.base, cookies={"ecoute_session": cookie}, timeout=60)


def inbox_scenario(server: Server, creds: Credentials, args: argparse.Namespace) -> dict[str, Any]:
    return asyncio.run(
        run_clients(
            lambda i: inbox_client(server, creds.session_cookies[i]),
            lambda _i, _n: f"/w/{inbox_seed.SLUG}/",
            server,
            args,
        )
    )


async def _login_form(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


async def _flood(
    server: Server, creds: Credentials, args: argparse.Namespace, spread: bool
) -> dict[str, Any]:
    attackers = [httpx.AsyncClient(base_url=server.base, timeout=60) for _ in range(args.clients)]
    agents = [inbox_client(server, cookie) for cookie in creds.session_cookies[:2]]
    tokens = [await _login_form(a) for a in attackers]
    baseline, during, guesses = Samples(), Samples(), Samples()
    until = time.monotonic() + min(args.seconds, 10)
    await asyncio.gather(
        *(loop_until(until, lambda _n, a=a: timed(baseline, a.get(f"/w/{inbox_seed.SLUG}/"))) for a in agents)
    )

    def guess(i: int, n: int) -> Awaitable[httpx.Response | None]:
        # One account from 20 addresses, or (spread) a new e-mail each time from a new address: no
        # account or address ever reaches its allowance, only the hashing slots hold the flood.
        email = f"user{i}-{n}@bench.example" if spread else "agent0@bench.example"
        form = {"email": email, "password": f"guess-{i}-{n}", "csrf_token": tokens[i]}
        address = f"10.{i}.{n // 250 % 250}.{n % 250 + 1}" if spread else f"198.51.100.{i + 1}"
        headers = {"X-Forwarded-For": address}
        return timed(guesses, attackers[i].post("/login", data=form, headers=headers))

    until = time.monotonic() + args.seconds
    await asyncio.gather(
        *(loop_until(until, lambda n, i=i: guess(i, n)) for i in range(len(attackers))),
        *(loop_until(until, lambda _n, a=a: timed(during, a.get(f"/w/{inbox_seed.SLUG}/"))) for a in agents),
    )
    await asyncio.gather(*(c.aclose() for c in attackers + agents))
    return {
        "agents_before_flood": baseline.summary(min(args.seconds, 10)),
        "agents_during_flood": during.summary(args.seconds),
        "login_attempts": guesses.summary(args.seconds),
    }


def flood_scenario(server: Server, creds: Credentials, args: argparse.Namespace) -> dict[str, Any]:
    return asyncio.run(_flood(server, creds, args, spread=False))


def spread_flood_scenario(server: Server, creds: Credentials, args: argparse.Namespace) -> dict[str, Any]:
    return asyncio.run(_flood(server, creds, args, spread=True))


async def _enumeration(server: Server, rounds: int) -> dict[str, Any]:
    known, unknown = Samples(), Samples()
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        token = await _login_form(client)
        for n in range(rounds):
            for samples, email in (
                (known, f"probe{n % PROBE_USERS}@bench.example"),
                (unknown, f"nobody{n}@bench.example"),
            ):
                form = {"email": email, "password": "not-the-password", "csrf_token": token}
                headers = {"X-Forwarded-For": f"203.0.113.{(2 * n + len(unknown.latencies_ms)) % 250 + 1}"}
                await timed(samples, client.post("/login", data=form, headers=headers))
    return {
        "known_email_median_ms": round(statistics.median(known.latencies_ms), 1),
        "unknown_email_median_ms": round(statistics.median(unknown.latencies_ms), 1),
        "known": known.summary(1),
        "unknown": unknown.summary(1),
    }


def enumeration_scenario(server: Server, _creds: Credentials, args: argparse.Namespace) -> dict[str, Any]:
    # Three tries per probe account: under any sensible per-account allowance.
    return asyncio.run(_enumeration(server, min(3 * PROBE_USERS, args.enumeration_rounds)))


SCENARIOS: dict[str, Callable[[Server, Credentials, argparse.Namespace], dict[str, Any]]] = {
    "enumeration": enumeration_scenario,
    "api": api_scenario,
    "inbox": inbox_scenario,
    "flood": flood_scenario,
    "spread-flood": spread_flood_scenario,
}


def run(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"{name}:")
    prepare(url, args.mentions, args.reseed, args.schema)
    creds = credentials(url, args.clients)
    results: dict[str, Any] = {}
    env = {"ECOUTE_TRUSTED_PROXIES": "127.0.0.1", "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    env.update(dict(pair.split("=", 1) for pair in args.env))
    with tempfile.TemporaryDirectory() as data_dir:
        for scenario in args.scenarios.split(","):
            forget_login_failures(url)
            server = Server(url, data_dir, args.src, env)
            try:
                results[scenario] = SCENARIOS[scenario](server, creds, args)
            finally:
                server.stop()
            print(f"  {scenario}: {json.dumps(results[scenario])}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time of each scenario")
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="seconds between one client's requests (0: the next as soon as the answer comes)",
    )
    parser.add_argument("--scenarios", default="enumeration,api,inbox,flood,spread-flood")
    parser.add_argument("--enumeration-rounds", type=int, default=30)
    parser.add_argument("--sqlite", type=Path, default=Path(tempfile.gettempdir()) / "ecoute-load-bench.db")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--postgres", default="", help="PostgreSQL URL to measure as well")
    parser.add_argument("--schema", default=SCHEMA, help="PostgreSQL schema of the seeded data")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--src", type=Path, help="serve the Écoute found in this source folder instead")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    if args.src is not None and Path(ecoute.__file__).resolve().parents[1] != args.src.resolve():
        # Seed and migrate with the same version that is served: start again with it first on the path.
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONPATH": str(args.src)})
    results: dict[str, Any] = {}
    if not args.no_sqlite:
        results["sqlite"] = run("SQLite", f"sqlite:///{args.sqlite}", args)
    if args.postgres:
        url = bulk_loaders.postgres_schema_url(args.postgres, args.schema)
        results["postgresql"] = run("PostgreSQL", url, args)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    over = [
        (db, scenario, r["p95"])
        for db, scenarios in results.items()
        for scenario, r in scenarios.items()
        if scenario in ("api", "inbox") and r.get("p95", 0) >= TARGET_MS
    ]
    if over:
        print(f"over the {TARGET_MS:.0f} ms target at p95: {over}")
        sys.exit(1)


if __name__ == "__main__":
    main()
