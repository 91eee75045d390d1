"""What X's connector costs in CPU per operation: reading a full search page (100 posts with
their authors) into items, counting a reply's weighted length, and the Account Activity
webhook's answer to a forged request and to a good one (verified, parsed, its job recorded).

    python benchmarks/x_costs.py                # SQLite in a temporary folder
    python benchmarks/x_costs.py --repeat 500

CPU time (``time.process_time``) per operation, the median of 5 rounds, so that other work on a
shared machine weighs less than in wall-clock figures; the load average is printed beside them.
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
from collections.abc import Callable
from pathlib import Path

from ecoute.settings import Settings
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.x.length import weighted_length
from ecoute.sources.x.payload import Page, Post, to_item
from ecoute.sources.x.webhook import receive, sign
from ecoute.store import repo
from ecoute.store.db import Database

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "sources" / "fixtures" / "x"
SECRET = "benchmark-consumer-secret"


def per_call_ms(work: Callable[[int], object], repeat: int) -> float:
    rounds = []
    for _ in range(5):
        start = time.process_time()
        for n in range(repeat):
            work(n)
        rounds.append((time.process_time() - start) * 1000 / repeat)
    return statistics.median(rounds)


def search_page() -> dict:
    page = json.loads((FIXTURES / "search_recent__cafe_lumiere.json").read_text(encoding="utf-8"))
    posts = []
    for n in range(100):
        post = copy.deepcopy(page["data"][n % len(page["data"])])
        post["id"] = str(1865000000000100000 + n)
        post["edit_history_tweet_ids"] = [post["id"]]
        posts.append(post)
    return {**page, "data": posts}


def read_page(body: dict) -> int:
    parsed = Page.read(body, where="bench")
    return len(
        [
            to_item(p, parsed.users.get(p.author_id or ""), location="b")
            for p in parsed.posts
            if isinstance(p, Post)
        ]
    )


def event(n: int) -> bytes:
    document = json.loads((FIXTURES / "account_activity__tweet_create.json").read_text(encoding="utf-8"))
    post = document["tweet_create_events"][0]
    post["id_str"], post["id"] = str(1865000000009000000 + n), 1865000000009000000 + n
    return json.dumps(document).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("ECOUTE_ANALYSIS", "off")
    with tempfile.TemporaryDirectory() as folder:
        # jobs are recorded in a queue file no worker reads: only the acknowledgement is measured
        os.environ["ECOUTE_QUEUE_URL"] = f"sqlite:///{folder}/queue.db"
        os.environ["ECOUTE_DATA_DIR"] = folder
        settings = Settings(overrides={"secret_key": "b" * 40, "data_dir": folder}, environ={})
        db = Database.open(f"sqlite:///{folder}/bench.db")
        with db.session() as session:
            workspace = repo.create_workspace(session, "bench", "Bench")
            values = {"username": "cafelumiere", "user_id": "1", "consumer_secret": SECRET}
            sealed = seal_secrets({**values, "bearer_token": "b"}, settings)
            repo.ensure_source(session, workspace.id, "x", kind="x", platform="x", settings=sealed)
        body = search_page()
        text = ("Merci ! Voici le suivi https://suivi.example.fr/colis/FR123 😊 " * 4)[:270]
        forged = event(0)
        figures = {
            "search page of 100 posts → items": per_call_ms(
                lambda n: read_page(body), max(1, args.repeat // 10)
            ),
            "weighted length of a 270-character reply": per_call_ms(
                lambda n: weighted_length(text), args.repeat
            ),
            "webhook: forged request refused": per_call_ms(
                lambda n: receive(
                    db, settings, "bench", "x", {"x-twitter-webhooks-signature": "sha256=AAAA"}, forged
                ),
                args.repeat,
            ),
        }
        counter = iter(range(10**9))

        def good(_n: int) -> object:
            raw = event(next(counter) + 1)
            return receive(
                db, settings, "bench", "x", {"x-twitter-webhooks-signature": sign(SECRET, raw)}, raw
            )

        figures["webhook: good request accepted (job recorded)"] = per_call_ms(good, args.repeat)
        db.dispose()
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}  python {sys.version.split()[0]}")
    for name, ms in figures.items():
        print(f"{name:50s} {ms:8.3f} ms CPU")


if __name__ == "__main__":
    main()
