"""How ``ecoute serve`` spreads connections over its web processes. The real server (two web
processes by default, an empty SQLite database, workers off) runs as a subprocess; ``--trials``
times, ``--connections`` clients connect at once and each GETs the login page on its own kept-alive
connection, and we count how many of those connections each web process holds (Linux /proc: which
process has the server's socket of each connection), largest first.

    python benchmarks/connection_spread.py                                  # this checkout
    python benchmarks/connection_spread.py --src /path/to/other/checkout/src   # another version

On one listening socket shared by the processes, the process that wakes first accepts a whole
burst and keeps those connections while the clients keep them alive; with a socket per process
(SO_REUSEPORT) the kernel spreads them. Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import api_load
import httpx


async def trial(server: api_load.Server, connections: int) -> list[int]:
    """Connections held by each web process, largest first, while ``connections`` clients are open."""
    clients = [httpx.AsyncClient(base_url=server.base, timeout=60) for _ in range(connections)]
    try:
        answers = await asyncio.gather(*(client.get("/login") for client in clients))
        if any(answer.status_code != 200 for answer in answers):
            raise SystemExit(f"unexpected answers: {[answer.status_code for answer in answers]}")
        return sorted(server.connections_per_process().values(), reverse=True)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--src", type=Path, help="serve the Écoute found in this source folder instead")
    args = parser.parse_args()
    env = {"ECOUTE_WEB_PROCESSES": str(args.processes), "ECOUTE_WEB_WORKERS": "off"}
    with tempfile.TemporaryDirectory() as data_dir:
        server = api_load.Server(f"sqlite:///{data_dir}/spread.db", data_dir, args.src, env)
        try:
            spreads = []
            for _ in range(args.trials):
                spreads.append(asyncio.run(trial(server, args.connections)))
                time.sleep(0.5)  # the server closes its side of the connections just closed
        finally:
            server.stop()
    for spread in spreads:
        print(f"  {spread}")
    largest = [spread[0] / sum(spread) for spread in spreads]
    even = 1 / args.processes
    print(
        f"largest share of the connections per trial: median {statistics.median(largest):.0%}, "
        f"worst {max(largest):.0%} (even: {even:.0%}); trials with one process holding every "
        f"connection: {sum(share == 1 for share in largest)} of {args.trials}"
    )


if __name__ == "__main__":
    main()
