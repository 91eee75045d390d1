"""Workspaces, brands, sources, polling and search from the command line."""

from __future__ import annotations

import typer
from rich.table import Table

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace, ingest_options, print_summary
from ecoute.cli.output import console, print_json
from ecoute.ingest import IngestReport
from ecoute.listening import QuerySyntaxError, parse
from ecoute.sources import registry
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.jobs import pollable
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.webhooks.signing import new_standard_secret, standard_secret_bytes

workspace_app = typer.Typer(help="Create and list workspaces.", no_args_is_help=True)
brand_app = typer.Typer(help="Brands, competitors and their listening queries.", no_args_is_help=True)
source_app = typer.Typer(help="Sources Écoute polls (RSS/Atom feeds, platform APIs).", no_args_is_help=True)
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


@source_app.command("add")
def source_add(
    name: str,
    kind: str = typer.Option("rss", "--type", help="Source type (see: ecoute source types)."),
    settings: list[str] = typer.Option(
        [], "--set", help="KEY=VALUE setting, e.g. --set url=https://… (repeatable)."
    ),
    brand: str = typer.Option(None, "--brand", help="Attach every item of this source to BRAND."),
    workspace: str = WORKSPACE,
) -> None:
    try:
        registry.get(kind)
    except registry.UnknownSource as error:
        raise CliError(str(error)) from None
    values: dict[str, object] = {}
    for pair in settings:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--set {pair!r}: expected KEY=VALUE")
        values[key.strip()] = value.strip()
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        if brand:
            values["brand_id"] = repo.get_brand(session, ws.id, brand).id
        if repo.get_source(session, ws.id, name) is not None:
            raise CliError(f"source {name!r} already exists")
        platform = str(values.get("platform", kind))
        shown = _secrets_for(kind, values)
        sealed = seal_secrets(values, state.settings)
        repo.ensure_source(session, ws.id, name, kind=kind, platform=platform, settings=sealed)
    console.print(f"Source [bold]{name}[/] ({kind}) added.")
    if kind == "webhook":
        console.print(f"Send signed items to: POST /hooks/{ws.slug}/{name}")
        console.print(f"Its signing secret (shown once, kept encrypted): [bold]{shown}[/]")
    elif pollable(kind):
        console.print(f"Poll it with: ecoute poll -w {ws.slug} --source {name}")


def _secrets_for(kind: str, values: dict[str, object]) -> str | None:
    """Check a platform's required settings; a webhook source gets a new secret unless given one."""
    required = {"mastodon": ("instance", "access_token"), "bluesky": ("identifier", "app_password")}
    missing = [key for key in required.get(kind, ()) if not values.get(key)]
    if missing:
        raise CliError(
            f"a {kind} source needs --set {'=… --set '.join(missing)}=… (see docs/sources/{kind}.md)"
        )
    if kind != "webhook":
        return None
    values.setdefault("secret", new_standard_secret())
    try:
        standard_secret_bytes(str(values["secret"]))
    except ValueError as error:
        raise CliError(f"--set secret=…: {error}") from None
    return str(values["secret"])


@source_app.command("list")
def source_list(workspace: str = WORKSPACE, as_json: bool = typer.Option(False, "--json")) -> None:
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        sources = repo.list_sources(session, ws.id)
    rows = [
        {
            "name": s.name,
            "type": s.kind,
            "health": s.health,
            "last_run_at": s.last_run_at,
            "last_error": s.last_error,
        }
        for s in sources
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("name", "type", "health", "last run", "last error")
    for row in rows:
        table.add_row(
            row["name"], row["type"], row["health"], str(row["last_run_at"] or "—"), row["last_error"] or ""
        )
    console.print(table)


@source_app.command("types")
def source_types() -> None:
    """List installed source types (built-in and third-party plug-ins)."""
    for name, cls in registry.available().items():
        console.print(f"[bold]{name}[/]: {getattr(cls, 'description', '')}")


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
