"""Ingest speed: the full ingest path against a bare bulk insert of the same rows (the floor).

    python benchmarks/ingest_speed.py --rows 100000                      # SQLite
    python benchmarks/ingest_speed.py --rows 100000 --postgres postgresql+psycopg://postgres@127.0.0.1/test

The full path is ``ecoute.ingest.ingest`` fed by ``FileSource``, as ``ecoute ingest FILE
--no-analysis`` runs it less the CLI's progress bar and after-store hooks (the workspace's rules
and webhooks, which the benchmark workspace has none of): it reads a JSONL file, validates and
normalises every row, dedupes on (workspace, platform, id), matches three brand listening
queries, groups conversations, upserts authors and stores mentions, brand links and
conversation totals (with the full-text index maintained by the database), in 1,000-row
transactions. The floor inserts the same rows into the
same ``mentions`` table (same indexes, same FTS triggers, same batch size and commits) with the
database driver alone. Analysis (the annotator ``ecoute ingest`` runs unless --no-analysis) is
off here: at about 100 posts/s it would bound the rate by itself; its speed is measured by
analysis_speed.py. On SQLite the script also prints the ratio of CPU times (the database runs in
this process), which other jobs on the machine disturb less than wall time.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ecoute.ingest import IngestOptions, ingest
from ecoute.sources.file import ColumnMapping, FileSource
from ecoute.store import repo
from ecoute.store.db import Database

BATCH = 1000
PHRASES_FR = [
    "Ma commande {order} n'est toujours pas arrivée, ça fait {n} jours",
    "Super accueil à la boutique de {city}, merci {brand} !",
    "Quelqu'un sait si {brand} livre à {city} ? Je regarde aussi {rival}",
    "La batterie de mon vélo {brand} est morte après {n} semaines, remboursement svp",
    "Franchement {rival} c'est mieux que {brand} pour le SAV",
    "Article du jour : {brand} ouvre une nouvelle boutique à {city}",
    "Application {brand} en panne depuis ce matin, impossible de déverrouiller",
]
PHRASES_EN = [
    "Order {order} still not delivered after {n} days @{handle}",
    "Loving my new {brand} e-bike, the ride through {city} was amazing",
    "Is {brand} or {rival} better for commuting? Asking for a friend",
    "Customer support at {brand} has not answered me in {n} days, seriously?",
]
CITIES = ["Lyon", "Paris", "Bordeaux", "Nantes", "Lille", "Marseille"]
PLATFORMS = ["x", "facebook", "instagram", "reddit", "mastodon", "bluesky", "google_reviews"]


def generate_rows(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    rows = []
    for n in range(count):
        template = rng.choice(PHRASES_FR if rng.random() < 0.7 else PHRASES_EN)
        brand = rng.choice(["Velora", "Velora", "Velora", "Cyclia", "RoueLibre", "un vélo"])
        text = template.format(
            order=f"#VL-{rng.randint(10000, 99999)}",
            n=rng.randint(2, 30),
            city=rng.choice(CITIES),
            brand=brand,
            rival=rng.choice(["Cyclia", "RoueLibre"]),
            handle="velora_fr",
        )
        platform = rng.choice(PLATFORMS)
        row: dict[str, Any] = {
            "id": f"{platform[:2]}{n}",
            "platform": platform,
            "text": text,
            "created_at": (start + timedelta(seconds=n * 37)).isoformat(),
            "author": f"user{rng.randint(1, count // 5 or 1)}",
            "author_followers": rng.choice([12, 150, 900, 4_000, 48_000]),
            "likes": rng.randint(0, 40),
            "url": f"https://example.org/{platform}/{n}",
        }
        if n > 10 and rng.random() < 0.2:  # a reply in an earlier thread
            parent = rows[rng.randint(max(0, n - 500), n - 1)]
            row["parent_id"] = parent["id"]
            row["thread_id"] = parent.get("thread_id", parent["id"])
            row["platform"] = parent["platform"]
            row["id"] = f"{parent['platform'][:2]}{n}"
        rows.append(row)
    return rows


def _setup(db: Database, handles: Sequence[str] = ()) -> Any:
    with db.session() as session:
        workspace = repo.create_workspace(session, f"bench-{uuid.uuid4().hex[:8]}", "Bench")
        repo.add_brand(
            session, workspace.id, "Velora", query='velora OR @velora_fr OR "velo ra"', handles=handles
        )
        repo.add_brand(session, workspace.id, "Cyclia", query="cyclia", competitor_of="Velora")
        repo.add_brand(
            session, workspace.id, "RoueLibre", query='rouelibre OR "roue libre"', competitor_of="Velora"
        )
    return workspace


def full_path(url: str, path: Path, handles: Sequence[str] = ()) -> tuple[float, int, float, float]:
    db = Database.open(url)
    workspace = _setup(db, handles)
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest(
        db, workspace, FileSource(ColumnMapping()).read(path), options=IngestOptions(batch_size=BATCH)
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    again = ingest(
        db, workspace, FileSource(ColumnMapping()).read(path), options=IngestOptions(batch_size=BATCH)
    )
    rerun = time.perf_counter() - started
    assert report.stored + report.duplicates == report.received and not report.rejected
    assert again.stored == 0
    db.dispose()
    return elapsed, report.stored, rerun, cpu


def _bare_rows(rows: list[dict[str, Any]], workspace_id: int, conversation_id: int) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return [
        (
            workspace_id,
            conversation_id,
            r["platform"],
            r["id"],
            r["url"],
            r["text"],
            "post",
            r.get("parent_id"),
            r.get("thread_id"),
            r["likes"],
            0,
            0,
            r["created_at"],
            now,
            "{}",
            "[]",
            "{}",
            False,
        )
        for r in rows
    ]


BARE_SQL = (
    "INSERT INTO mentions (workspace_id, conversation_id, platform, external_id, url, text, kind, "
    "parent_external_id, thread_external_id, likes, shares, replies_count, created_at, collected_at, raw, "
    "reasons, analysis, hidden) VALUES ({})"
)


def bare_sqlite(path: Path, rows: list[dict[str, Any]]) -> tuple[float, float]:
    db = Database.open(f"sqlite:///{path}")
    workspace, conversation = _bare_fixture(db)
    db.dispose()
    connection = sqlite3.connect(path)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    values = _bare_rows(rows, workspace, conversation)
    sql = BARE_SQL.format(", ".join("?" * 18))
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(values), BATCH):
        connection.executemany(sql, values[i : i + BATCH])
        connection.commit()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    connection.close()
    return elapsed, cpu


def bare_postgres(url: str, rows: list[dict[str, Any]]) -> tuple[float, None]:
    import psycopg

    db = Database.open(url)
    workspace, conversation = _bare_fixture(db)
    db.dispose()
    values = _bare_rows(rows, workspace, conversation)
    sql = BARE_SQL.format(", ".join(["%s"] * 18))
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        started = time.perf_counter()
        for i in range(0, len(values), BATCH):
            with connection.cursor() as cursor:
                cursor.executemany(sql, values[i : i + BATCH])
            connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("DELETE FROM mentions WHERE workspace_id = %s", (workspace,))
        connection.commit()
    return elapsed, None  # the work happens in the server process: CPU time here means nothing


def _bare_fixture(db: Database) -> tuple[int, int]:
    from ecoute.store.models import Conversation

    workspace = _setup(db)
    with db.session() as session:
        now = datetime.now(UTC)
        conversation = Conversation(
            workspace_id=workspace.id, key="bench", platform="x", first_mention_at=now, last_mention_at=now
        )
        session.add(conversation)
        session.flush()
        return workspace.id, conversation.id


def _private_schema(url: str) -> tuple[str, Any]:
    """A throw-away schema, so the benchmark neither sees nor leaves other data in the database."""
    import psycopg

    schema = f"ecoute_bench_{uuid.uuid4().hex[:8]}"
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="", help="PostgreSQL URL to measure as well")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument(
        "--handles",
        action="store_true",
        help="declare the brand's account (@velora_fr): replies are then also checked for threads it started",
    )
    args = parser.parse_args()

    rows = generate_rows(args.rows)
    results: dict[str, Any] = {"rows": args.rows}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "mentions.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        targets = [("sqlite", f"sqlite:///{folder / 'full.db'}")]
        if args.postgres:
            targets.append(("postgresql", args.postgres))
        for name, url in targets:
            if name == "postgresql":
                url, drop = _private_schema(url)
            bare, bare_cpu = (
                bare_sqlite(folder / "bare.db", rows) if name == "sqlite" else bare_postgres(url, rows)
            )
            elapsed, stored, rerun, cpu = full_path(url, source, ["velora_fr"] if args.handles else ())
            results[name] = {
                "bare_insert_rows_per_s": round(len(rows) / bare),
                "full_path_rows_per_s": round(stored / elapsed),
                "ratio": round(bare / elapsed, 3),
                "rerun_all_duplicates_rows_per_s": round(len(rows) / rerun),
            }
            if bare_cpu is not None:  # SQLite runs in this process: CPU time does not depend on other load
                results[name]["cpu_ratio"] = round(bare_cpu / cpu, 3)
            if name == "postgresql":
                drop()
            r = results[name]
            print(
                f"{name:<10} bare insert {r['bare_insert_rows_per_s']:>8,}/s | full ingest path "
                f"{r['full_path_rows_per_s']:>8,}/s ({r['ratio']:.0%} of bare) | re-run (all duplicates) "
                f"{r['rerun_all_duplicates_rows_per_s']:>8,}/s"
                + (f" | CPU time ratio {r['cpu_ratio']:.0%}" if "cpu_ratio" in r else "")
            )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
