"""What reading a review listing costs: a Google Business Profile location and a Trustpilot
business unit with many reviews, served by the local fakes, read by their connectors.

    python benchmarks/review_polling.py                 # 5,000 reviews each
    python benchmarks/review_polling.py --reviews 10000

For each platform: the first poll (the whole listing: 100 pages of 50 on Google, 50 of 100 on
Trustpilot), a poll with nothing new (one page), and a poll that reads the whole listing again
to hear removals (one review removed). We report the polling thread's CPU time per review
(``time.thread_time``: the fake server answers on other threads and is not counted), the wall
time, and the cursor's size in bytes (it keeps the listed ids to tell removals).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ecoute.settings import Settings  # noqa: E402
from ecoute.sources.credentials import seal_secrets  # noqa: E402
from ecoute.sources.google_reviews import GoogleReviewsSource  # noqa: E402
from ecoute.sources.trustpilot import TrustpilotSource  # noqa: E402
from fake_google_reviews import ACCESS_TOKEN, ACCOUNT, LOCATION, FakeGoogleReviews  # noqa: E402
from fake_google_reviews import fixture as google_fixture  # noqa: E402
from fake_platform import running  # noqa: E402
from fake_trustpilot import API_KEY, DOMAIN, FakeTrustpilot  # noqa: E402
from fake_trustpilot import fixture as trustpilot_fixture  # noqa: E402

APP = Settings(overrides={"secret_key": "b" * 40, "user_agent": "EcouteBench/1.0"}, environ={})


def google(count: int) -> FakeGoogleReviews:
    server = FakeGoogleReviews()
    template = google_fixture("reviews__location.json")["reviews"]
    for n in range(count):
        review = copy.deepcopy(template[n % len(template)])
        review["reviewId"] = f"Bench{n:07d}"
        review["updateTime"] = review["createTime"] = (
            f"2026-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00Z"
        )
        server.reviews[review["reviewId"]] = review
    return server


def trustpilot(count: int) -> FakeTrustpilot:
    server = FakeTrustpilot()
    template = trustpilot_fixture("reviews__business_unit.json")["reviews"]
    reviews = []
    for n in range(count):
        review = copy.deepcopy(template[n % len(template)])
        review["id"] = f"{n:024x}"
        review["createdAt"] = f"2026-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z"
        reviews.append(review)
    server.add(*reviews)
    return server


def measure(name: str, connector, settings: dict, due: dict, server, remove, count: int) -> None:
    def timed(label: str, run):
        wall, cpu = time.perf_counter(), time.thread_time()
        result = run()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        items = len(result.items)
        per = (
            f"{cpu / count * 1e6:.0f} µs CPU per listed review"
            if label != "nothing new"
            else f"{cpu * 1e3:.1f} ms CPU"
        )
        print(
            f"{name:11} {label:22} {items:6} items {len(result.deleted):2} removed  "
            f"{wall:6.2f} s wall  {per}  cursor {len(json.dumps(result.cursor)):,} bytes"
        )
        return result

    first = timed("first poll (all)", lambda: connector.poll(settings, {}))
    timed("nothing new", lambda: connector.poll(settings, first.cursor))
    remove(server)
    timed("full listing again", lambda: connector.poll(due, first.cursor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("ECOUTE_HTTP_RETRIES", "1")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with running(google(args.reviews)) as server:
        base = {
            "account_id": ACCOUNT,
            "location_id": LOCATION,
            "access_token": ACCESS_TOKEN,
            "api_base": server.api_base,
        }
        measure(
            "google",
            GoogleReviewsSource(APP),
            seal_secrets(base, APP),
            seal_secrets({**base, "relist_hours": "0"}, APP),
            server,
            lambda s: s.delete("Bench0000007"),
            args.reviews,
        )
    with running(trustpilot(args.reviews)) as server:
        base = {"api_key": API_KEY, "domain": DOMAIN, "api_base": server.url}
        measure(
            "trustpilot",
            TrustpilotSource(APP),
            seal_secrets(base, APP),
            seal_secrets({**base, "relist_hours": "0"}, APP),
            server,
            lambda s: s.delete(f"{7:024x}"),
            args.reviews,
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
