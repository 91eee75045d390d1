"""Workspaces, brands, sources, polling and search from the command line."""

from __future__ import annotations

import typer
from rich.table import Table

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace, ingest_options, print_summary
from ecoute.cli.output import console, print_json
from ecoute.cli.sources import source_app
from ecoute.ingest import IngestReport
from ecoute.listening import QuerySyntaxError, parse
from ecoute.sources.base import SourceError
from ecoute.sources.jobs import pollable
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace

workspace_app = typer.Typer(help="Create and list workspaces.", no_args_is_help=True)
brand_app = typer.Typer(help="Brands, competitors and their listening queries.", no_args_is_help=True)
WORKSPACE = typer.Option("default", "--workspace", "-w", help="Workspace slug.")


def register(app: typer.Typer) -> None:
    app.add_typer(workspace_app, name="workspace")
    app.add_typer(brand_app, name="brand")
    app.add_typer(source_app, name="source")
    app.command("poll")(poll_command)
    app.command("search")(search_command)


@workspace_app.command("create")
def workspace_create(
    slug: str,
    name: str = typer.Option(None, help="Display name (default: the slug)."),
    locale: str = typer.Option("fr", help="fr or en: language of reasons, drafts and reports."),
    timezone: str = typer.Option("Europe/Paris", help="IANA time zone for business hours and dates."),
) -> None:
    with state.database().session() as session:
        try:
            repo.create_workspace(session, slug, name or slug, locale=locale, timezone=timezone)
        except repo.Invalid as error:
            raise CliError(str(error)) from None
    console.print(f"Workspace [bold]{slug}[/] created.")


@workspace_app.command("list")
def workspace_list(as_json: bool = typer.Option(False, "--json")) -> None:
    with state.database().session() as session:
        rows = [(w.slug, w.name, repo.count_mentions(session, w.id)) for w in repo.list_workspaces(session)]
    if as_json:
        print_json([{"slug": s, "name": n, "mentions": c} for s, n, c in rows])
        return
    table = Table("slug", "name", "mentions")
    for slug, name, count in rows:
        table.add_row(slug, name, f"{count:,}")
    console.print(table)


@brand_app.command("add")
def brand_add(
    name: str,
    query: str = typer.Option(
        "", "--query", "-q", help="Listening query, e.g. 'velora OR \"velo ra\" -job'."
    ),
    handles: list[str] = typer.Option([], "--handle", help="The brand's own account handle (repeatable)."),
    competitor_of: str = typer.Option(None, "--competitor-of", help="Record this as a competitor of BRAND."),
    workspace: str = WORKSPACE,
) -> None:
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        try:
            repo.add_brand(session, ws.id, name, query=query, handles=handles, competitor_of=competitor_of)
        except QuerySyntaxError as error:
            raise CliError(f"listening query, {error}\n{error.pointer(query)}") from None
        except (repo.Invalid, repo.NotFound) as error:
            raise CliError(str(error)) from None
    console.print(
        f"Brand [bold]{name}[/] added" + (f" as a competitor of {competitor_of}." if competitor_of else ".")
    )


@brand_app.command("list")
def brand_list(workspace: str = WORKSPACE, as_json: bool = typer.Option(False, "--json")) -> None:
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        brands = repo.list_brands(session, ws.id)
        names = {b.id: b.name for b in brands}
        rows = [
            (b.name, b.query, ", ".join(b.handles), names.get(b.competitor_of_id or 0, "")) for b in brands
        ]
    if as_json:
        print_json([{"name": n, "query": q, "handles": h, "competitor_of": c or None} for n, q, h, c in rows])
        return
    table = Table("brand", "query", "handles", "competitor of")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@brand_app.command("check")
def brand_check(query: str) -> None:
    """Parse a listening query and show how it was understood (or where it is wrong)."""
    try:
        console.print(f"understood as: [bold]{parse(query)}[/]")
    except QuerySyntaxError as error:
        raise CliError(f"{error}\n{error.pointer(query)}") from None


def poll_command(
    workspace: str = WORKSPACE,
    name: str = typer.Option(None, "--source", help="Poll only this source."),
    analysis: bool = typer.Option(None, "--analysis/--no-analysis"),
) -> None:
    """Poll every pollable source of the workspace once. Exit status 1 if any source failed."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        sources = [
            s for s in repo.list_sources(session, ws.id) if pollable(s.kind) and (not name or s.name == name)
        ]
    if not sources:
        raise CliError(f"no source to poll in workspace {ws.slug!r}" + (f" named {name!r}" if name else ""))
    failed = 0
    for source in sources:
        try:
            report = _poll_one(db, ws, source, analysis)
        except SourceError as error:
            failed += 1
            console.print(f"[red]✗[/] {source.name}: {error}")
            continue
        print_summary(report, source.name)
    if failed:
        raise typer.Exit(1)


def _poll_one(db: Database, ws: Workspace, source: Source, analysis: bool | None) -> IngestReport:
    from ecoute.polling import poll_source

    with ingest_options(ws, source.name, None, analysis=analysis) as options:
        return poll_source(db, ws, source, options)


def search_command(
    query: str,
    workspace: str = WORKSPACE,
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Full-text search over mention text (accents and case folded; word* for prefixes)."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        mentions = repo.search_mentions(session, ws.id, query, limit=limit)
    if as_json:
        print_json(
            [
                {
                    "id": m.id,
                    "platform": m.platform,
                    "external_id": m.external_id,
                    "created_at": m.created_at,
                    "text": m.text,
                }
                for m in mentions
            ]
        )
        return
    for mention in mentions:
        console.print(f"[dim]{mention.created_at:%Y-%m-%d %H:%M} {mention.platform}[/] {mention.text[:160]}")
    console.print(f"{len(mentions)} result(s)")
