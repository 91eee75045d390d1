"""``ecoute ingest FILE``: load JSONL/CSV exports through the one ingest path."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from ecoute.cli.context import CliError, state
from ecoute.cli.output import console, err_console, print_json, progress_bar
from ecoute.inbox.rule_engine import rules_hook
from ecoute.ingest import IngestOptions, IngestReport, compose_hooks, ingest
from ecoute.sources.base import RawItem, Rejected
from ecoute.sources.file import FIELDS, ColumnMapping, FileSource, MappingError
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.webhooks.events import enqueue_high_priority


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)


def ingest_command(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="JSONL or CSV files."),
    workspace: str = typer.Option("default", "--workspace", "-w", help="Workspace slug."),
    platform: str = typer.Option(None, "--platform", help="Platform of rows that do not name one."),
    maps: list[str] = typer.Option([], "--map", help="FIELD=COLUMN, e.g. --map text=Message (repeatable)."),
    defaults: list[str] = typer.Option([], "--default", help="FIELD=VALUE for every row (repeatable)."),
    mapping_file: Path = typer.Option(None, "--mapping", exists=True, help="TOML/JSON column mapping file."),
    source_name: str = typer.Option(
        None, "--source", help="Record items under this source (default: file:NAME)."
    ),
    brand: str = typer.Option(None, "--brand", help="Attach every item to this brand, matched or not."),
    rejects: Path = typer.Option(None, "--rejects", help="Where to write rejected lines (JSONL)."),
    batch_size: int = typer.Option(None, "--batch-size", min=1, max=50_000),
    analysis: bool = typer.Option(None, "--analysis/--no-analysis", help="Annotate while ingesting."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Import mentions from files. Exit status: 0 all rows stored or already there, 1 some rows rejected."""
    mapping = _mapping(mapping_file, maps, defaults, platform)
    db = state.database()
    ws = ensure_workspace(db, workspace)
    brand_id = _brand_id(db, ws, brand)
    reject_path = rejects or _default_rejects_path(files[0])
    total = IngestReport()
    with reject_path.open("w", encoding="utf-8") as reject_file:
        for path in files:
            source = _file_source(db, ws, source_name or f"file:{path.name}", brand_id)
            try:
                stream = FileSource(mapping).read(path)
            except MappingError as error:
                raise CliError(str(error)) from None
            report = run_ingest(
                db,
                ws,
                stream,
                source=source,
                label=path.name,
                total=count_lines(path),
                batch_size=batch_size,
                analysis=analysis,
                reject_file=reject_file,
            )
            _add(total, report)
            if not as_json:
                print_summary(report, path.name)
    if not total.rejected:
        reject_path.unlink(missing_ok=True)
    if as_json:
        print_json(
            {
                **total.as_dict(),
                "workspace": ws.slug,
                "rejects_file": str(reject_path) if total.rejected else None,
            }
        )
    elif total.rejected:
        console.print(f"Rejected lines written to [bold]{reject_path}[/]", soft_wrap=True)
    if total.rejected:
        raise typer.Exit(1)


def run_ingest(
    db: Database,
    workspace: Workspace,
    stream: Iterable[RawItem | Rejected],
    *,
    source: Source | None,
    label: str,
    total: int | None,
    batch_size: int | None = None,
    analysis: bool | None = None,
    reject_file: Any = None,
) -> IngestReport:
    with ingest_options(workspace, label, total, batch_size, analysis, reject_file) as options:
        return ingest(db, workspace, stream, source=source, options=options)


@contextmanager
def ingest_options(
    workspace: Workspace,
    label: str,
    total: int | None,
    batch_size: int | None = None,
    analysis: bool | None = None,
    reject_file: Any = None,
) -> Iterator[IngestOptions]:
    """Options for one ingest run from the CLI: progress bar, analysis, the workspace's rules
    (applied to each stored batch), and a rejects file."""
    settings = state.settings
    annotate = None
    if analysis if analysis is not None else settings.flag("analysis"):
        from ecoute.analysis_bridge import annotator
        from ecoute.learning.retrain import sync

        sync(state.database(), settings, workspace.id, workspace.slug)
        annotate = annotator(workspace, settings)

    def on_reject(rejected: Rejected) -> None:
        if reject_file is not None:
            record = {
                "location": rejected.location,
                "field": rejected.field,
                "reason": rejected.reason,
                "content": rejected.content,
            }
            reject_file.write(json.dumps(record, ensure_ascii=False) + "\n")
            reject_file.flush()

    with progress_bar("ingest") as progress:
        task = progress.add_task(label, total=total, status="")

        def on_batch(report: IngestReport) -> None:
            status = f"{report.stored:,} new · {report.duplicates:,} dup · {len(report.rejected):,} rejected"
            progress.update(task, completed=report.received, status=status)

        yield IngestOptions(
            batch_size=batch_size or settings.int("batch_size"),
            annotate=annotate,
            on_batch=on_batch,
            on_reject=on_reject,
            # Rules first, so webhooks see the priority and status the rules left.
            after_store=compose_hooks(rules_hook(), enqueue_high_priority),
        )


def print_summary(report: IngestReport, label: str) -> None:
    rate = f" ({report.rate:,.0f} items/s)" if report.elapsed_s > 0.5 else ""
    console.print(
        f"[bold]{label}[/]: {report.received:,} read → [green]{report.stored:,} stored[/], "
        f"{report.duplicates:,} already there, [{'red' if report.rejected else 'green'}]"
        f"{len(report.rejected):,} rejected[/] in {report.elapsed_s:.1f} s{rate}"
    )
    if report.unmatched:
        console.print(f"  {report.unmatched:,} skipped: they match no brand's listening query")
    _print_some(report.rejected, "[red]✗[/]", "(see the rejects file)")
    if report.warnings:
        console.print(f"  {len(report.warnings):,} value(s) repaired or dropped, their mentions stored:")
    _print_some(report.warnings, "[yellow]![/]", "")


def _print_some(entries: list[Rejected], mark: str, more: str) -> None:
    for entry in entries[:20]:
        err_console.print(f"  {mark} {escape(entry.describe())}", highlight=False)
    if len(entries) > 20:
        err_console.print(f"  … and {len(entries) - 20:,} more {more}".rstrip())


def ensure_workspace(db: Database, slug: str) -> Workspace:
    with db.session() as session:
        workspace = repo.get_workspace(session, slug)
        if workspace is None and slug == "default":
            workspace = repo.create_workspace(session, "default", "Default workspace")
        if workspace is None:
            raise CliError(f"no workspace {slug!r} (create it with: ecoute workspace create {slug})")
        return workspace


def count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count - (1 if path.suffix.lower() in {".csv", ".tsv"} else 0)


def _mapping(
    mapping_file: Path | None, maps: list[str], defaults: list[str], platform: str | None
) -> ColumnMapping:
    try:
        base = ColumnMapping.load(mapping_file) if mapping_file else ColumnMapping()
        default_values: dict[str, Any] = _pairs(defaults, "--default")
        if platform:
            default_values["platform"] = platform
        return base.merged(_pairs(maps, "--map"), default_values)
    except MappingError as error:
        raise CliError(str(error)) from None


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, column = value.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise CliError(f"{flag} {value!r}: expected FIELD=VALUE (fields: {', '.join(FIELDS)})")
        pairs[name.strip()] = column.strip()
    return pairs


def _brand_id(db: Database, workspace: Workspace, name: str | None) -> int | None:
    if not name:
        return None
    with db.session() as session:
        try:
            return repo.get_brand(session, workspace.id, name).id
        except repo.NotFound as error:
            raise CliError(str(error)) from None


def _file_source(db: Database, workspace: Workspace, name: str, brand_id: int | None) -> Source:
    with db.session() as session:
        settings = {"brand_id": brand_id} if brand_id else {}
        return repo.ensure_source(
            session, workspace.id, name, kind="file", platform="file", settings=settings
        )


def _default_rejects_path(first: Path) -> Path:
    folder = state.settings.data_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return folder / f"{first.stem}-{stamp}.rejects.jsonl"


def _add(total: IngestReport, report: IngestReport) -> None:
    total.received += report.received
    total.stored += report.stored
    total.duplicates += report.duplicates
    total.unmatched += report.unmatched
    total.rejected.extend(report.rejected)
    total.warnings.extend(report.warnings)
    total.conversations_created += report.conversations_created
    total.elapsed_s += report.elapsed_s
