"""Prometheus metrics. Two kinds:

- counted where they happen, in every process: HTTP request latency by route template, and job
  runs (latency, outcome). With several processes on one machine they are pooled through
  ``prometheus-client``'s multiprocess mode (``ecoute.ops.multiproc``);
- read from the database at scrape time: queue depth and oldest wait, jobs given up, workers seen,
  sources' health, mentions stored and the last ingest — the same in whichever process answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ecoute.jobs.runner import Outcome
from ecoute.ops import snapshot
from ecoute.ops.multiproc import ENV
from ecoute.store.db import Database

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)


class Instruments:
    """The counters and histograms this process updates."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_latency = Histogram(
            "ecoute_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.job_latency = Histogram(
            "ecoute_job_duration_seconds",
            "Time a background job's handler ran, by queue and kind.",
            ["queue", "kind"],
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self.job_runs = Counter(
            "ecoute_job_runs",
            "Job attempts by outcome: done, pending (to retry), dead (given up).",
            ["queue", "kind", "outcome"],
            registry=self.registry,
        )


@cache
def instruments() -> Instruments:
    return Instruments()


def record_job(outcome: Outcome) -> None:
    """A ``ecoute.jobs.runner`` listener."""
    if outcome.state == "skipped":
        return
    found = instruments()
    found.job_latency.labels(outcome.queue, outcome.kind).observe(outcome.seconds)
    found.job_runs.labels(outcome.queue, outcome.kind, outcome.state).inc()


def watch_jobs() -> None:
    from ecoute.jobs import runner

    if record_job not in runner.listeners:
        runner.listeners.append(record_job)


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels or [])


class LedgerCollector(Collector):
    """Gauges read from the database when Prometheus scrapes."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self) -> Iterator[Metric]:
        with self.db.session() as session:
            seen = snapshot.take(session)
        yield from _queue_metrics(seen)
        yield from _source_metrics(seen)
        workers = _gauge("ecoute_workers_seen", "Worker processes that started a job in the last 15 minutes.")
        workers.add_metric([], len(seen.workers))
        dead = _gauge("ecoute_jobs_dead", "Jobs given up after their last attempt, still kept.", ["kind"])
        for kind, count in sorted(seen.failed_jobs.items()):
            dead.add_metric([kind], count)
        mentions = _gauge("ecoute_mentions", "Mentions stored, per workspace.", ["workspace"])
        for slug, count in sorted(seen.mentions.items()):
            mentions.add_metric([slug], count)
        last = _gauge(
            "ecoute_last_ingest_timestamp_seconds", "When the latest mention was stored (0: never)."
        )
        last.add_metric([], seen.last_ingest_at.timestamp() if seen.last_ingest_at else 0.0)
        yield from (workers, dead, mentions, last)


def _queue_metrics(seen: snapshot.Snapshot) -> Iterator[Metric]:
    jobs = _gauge("ecoute_queue_jobs", "Jobs per queue and state (waiting: due now).", ["queue", "state"])
    oldest = _gauge(
        "ecoute_queue_oldest_wait_seconds", "How long a queue's oldest due job has waited.", ["queue"]
    )
    for g in seen.queues:
        counts = {"waiting": g.waiting, "scheduled": g.scheduled, "running": g.running, "dead": g.dead}
        for state, count in counts.items():
            jobs.add_metric([g.queue, state], count)
        oldest.add_metric([g.queue], g.oldest_wait_s)
    yield from (jobs, oldest)


def _source_metrics(seen: snapshot.Snapshot) -> Iterator[Metric]:
    labels = ["workspace", "source", "platform"]
    up = _gauge("ecoute_source_up", "0 when a source's last poll failed, else 1.", labels)
    failures = _gauge("ecoute_source_consecutive_failures", "Failed polls in a row.", labels)
    success = _gauge("ecoute_source_last_success_timestamp_seconds", "Last good poll (0: never).", labels)
    for s in seen.sources:
        key = [s.workspace, s.name, s.platform]
        up.add_metric(key, 1 if s.health in ("ok", "new") else 0)
        failures.add_metric(key, s.consecutive_failures)
        success.add_metric(key, s.last_success_at.timestamp() if s.last_success_at else 0.0)
    yield from (up, failures, success)


def render(db: Database) -> bytes:
    """The exposition text: this machine's counters (pooled across processes when shared), then
    the gauges read from the database."""
    if os.environ.get(ENV):
        pooled = CollectorRegistry()
        MultiProcessCollector(pooled)
        counted = generate_latest(pooled)
    else:
        counted = generate_latest(instruments().registry)
    ledger = CollectorRegistry()
    ledger.register(LedgerCollector(db))
    return counted + generate_latest(ledger)
