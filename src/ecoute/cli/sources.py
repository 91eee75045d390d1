"""``ecoute source``: add, list (the figures the Sources page shows), test, pause, resume and
remove a workspace's sources."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import console, print_json
from ecoute.sources import checks, manage, registry, status
from ecoute.sources.jobs import pollable
from ecoute.store.models import Source
from ecoute.store.repo import NotFound

source_app = typer.Typer(
    help="Sources Écoute hears from (RSS/Atom feeds, platform APIs, webhooks).", no_args_is_help=True
)
WORKSPACE = typer.Option("default", "--workspace", "-w", help="Workspace slug.")
ACTOR = "cli"


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
    """Add a source; its settings are checked, its secrets kept encrypted (see docs/sources/)."""
    values: dict[str, object] = {}
    for pair in settings:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CliError(f"--set {pair!r}: expected KEY=VALUE")
        values[key.strip()] = value.strip()
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        try:
            added = manage.add_source(
                session, ws.id, name, kind, values, settings=state.settings, actor=ACTOR, brand=brand
            )
        except manage.SettingInvalid as error:
            raise CliError(_option_error(error)) from None
    console.print(f"Source [bold]{name}[/] ({kind}) added.")
    if added.shown_secret:
        console.print(f"Send signed items to: POST /hooks/{ws.slug}/{name}")
        console.print(f"Its signing secret (shown once, kept encrypted): [bold]{added.shown_secret}[/]")
    elif pollable(kind):
        console.print(f"Poll it with: ecoute poll -w {ws.slug} --source {name}")
    if kind in ("facebook", "instagram"):
        console.print(f"Meta webhooks callback (GET and POST): /hooks/meta/{ws.slug}/{name}")


def _option_error(error: manage.SettingInvalid) -> str:
    """The refused setting as it is written on the command line."""
    if error.field == "name":
        return f"source name: {error.reason}"
    if error.field in ("type", "brand"):
        return f"--{error.field}: {error.reason}"
    return f"--set {error.field}=…: {error.reason}"


@source_app.command("list")
def source_list(workspace: str = WORKSPACE, as_json: bool = typer.Option(False, "--json")) -> None:
    """Each source's state, last success, items stored today, next poll and last error."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        rows = status.statuses(session, ws)
    if as_json:
        print_json([{**asdict(row), "type": row.kind, "words": status.describe(row)} for row in rows])
        return
    table = Table("name", "type", "state", "last success", "items today", "next poll", "last error")
    for row in rows:
        table.add_row(
            row.name,
            row.kind if row.platform == row.kind else f"{row.kind} ({row.platform})",
            status.describe(row),
            _when(row.last_success_at),
            str(row.items_today),
            "paused" if row.paused else _when(row.next_poll_at) if pollable(row.kind) else "—",
            row.last_error or "",
        )
    console.print(table)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "—"


@source_app.command("test")
def source_test(name: str, workspace: str = WORKSPACE) -> None:
    """Check a source against its platform (nothing stored). Exit status 1 when the check fails."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        source = _named(session, ws.id, name)
        kind, values = source.kind, dict(source.settings or {})
    result = checks.check_source(kind, values, state.settings)
    if result.ok:
        console.print(f"[green]✓[/] {name}: {result.message}")
        return
    console.print(f"[red]✗[/] {name} ({result.kind or 'not testable'}): {result.message}")
    raise typer.Exit(1)


@source_app.command("pause")
def source_pause(name: str, workspace: str = WORKSPACE) -> None:
    """Stop polling a source until it is resumed."""
    _set_paused(name, workspace, True)


@source_app.command("resume")
def source_resume(name: str, workspace: str = WORKSPACE) -> None:
    """Poll a paused source again (at once)."""
    _set_paused(name, workspace, False)


def _set_paused(name: str, workspace: str, paused: bool) -> None:
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        manage.set_paused(session, _named(session, ws.id, name), paused, actor=ACTOR)
    console.print(f"Source [bold]{name}[/] {'paused' if paused else 'resumed'}.")


@source_app.command("remove")
def source_remove(
    name: str,
    workspace: str = WORKSPACE,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove a source. The mentions it brought stay."""
    if not yes and not typer.confirm(f"Remove the source {name!r}? (its mentions stay)"):
        raise typer.Exit(1)
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        manage.remove_source(session, _named(session, ws.id, name), actor=ACTOR)
    console.print(f"Source [bold]{name}[/] removed; its mentions stay.")


@source_app.command("types")
def source_types() -> None:
    """List installed source types (built-in and third-party plug-ins)."""
    for name, cls in registry.available().items():
        console.print(f"[bold]{name}[/]: {getattr(cls, 'description', '')}")


def _named(session: Session, workspace_id: int, name: str) -> Source:
    try:
        return manage.source_named(session, workspace_id, name)
    except NotFound as error:
        raise CliError(str(error)) from None
