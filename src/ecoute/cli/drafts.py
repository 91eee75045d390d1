"""``ecoute drafts``: the drafts' sector, the business's own words and wordings (show, set), the
sectors to choose from, and the drafts a typed message would get."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import typer
from rich.table import Table

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import console, print_json
from ecoute.respond import sectors
from ecoute.respond.composer_data import brand_name
from ecoute.respond.tryout import KINDS, try_drafts
from ecoute.store import repo
from ecoute.store.repo import Invalid

drafts_app = typer.Typer(help="Reply drafts: your sector, your words, your wordings.", no_args_is_help=True)
WORKSPACE = typer.Option("default", "--workspace", "-w", help="Workspace slug.")


def register(app: typer.Typer) -> None:
    app.add_typer(drafts_app, name="drafts")


@drafts_app.command("show")
def show_command(workspace: str = WORKSPACE) -> None:
    """Print the workspace's drafts settings (defaults filled in) as JSON."""
    ws = ensure_workspace(state.database(), workspace)
    try:
        settings = sectors.load_settings(ws)
    except Invalid as error:
        raise CliError(f"stored settings are invalid: {error}") from None
    print_json(settings.model_dump(mode="json"))


@drafts_app.command("sectors")
def sectors_command() -> None:
    """The sectors to choose from and the words each uses by default."""
    table = Table("sector", "lang", "reference", "venue", "team")
    for sector in sectors.SECTORS:
        for lang in ("fr", "en"):
            words = sectors.sector_words(sector, lang)
            table.add_row(sector, lang, words["reference"], words["venue"], words["team"])
    console.print(table)


@drafts_app.command("set")
def set_command(
    file: Path = typer.Argument(None, exists=True, dir_okay=False, help="JSON, as 'drafts show' prints."),
    sector: str = typer.Option(None, "--sector", help=f"Only the sector ({', '.join(sectors.SECTORS)})."),
    wordings: Path = typer.Option(
        None, "--wordings", exists=True, dir_okay=False, help="Only the own wordings, from this TOML file."
    ),
    workspace: str = WORKSPACE,
) -> None:
    """Replace the settings with FILE's, or change only the sector or the wordings (validated; audited)."""
    if file is None and sector is None and wordings is None:
        raise CliError("give a JSON file, --sector or --wordings")
    db = state.database()
    ensure_workspace(db, workspace)
    with db.session() as session:
        ws = repo.require_workspace(session, workspace)
        data = _read_json(file) if file else sectors.load_settings(ws).model_dump(mode="json")
        if sector is not None:
            data["sector"] = sector
        if wordings is not None:
            data["wordings"] = _read_toml(wordings)
        try:
            saved = sectors.save_settings(session, ws, data, actor="cli")
        except Invalid as error:
            raise CliError(f"{file or wordings or 'settings'}: {error}") from None
    console.print(f"Drafts settings of [bold]{workspace}[/] saved (sector: {saved.sector}).")


@drafts_app.command("try")
def try_command(
    text: str = typer.Argument(..., help="A message as a customer would write it."),
    kind: str = typer.Option("complaint", "--kind", help=f"What it is: {', '.join(KINDS)}."),
    lang: str = typer.Option("fr", "--lang", help="fr or en."),
    platform: str = typer.Option("facebook", "--platform"),
    workspace: str = WORKSPACE,
) -> None:
    """Print the drafts TEXT would get with the workspace's saved settings (nothing is stored)."""
    if kind not in KINDS:
        raise CliError(f"--kind {kind!r}: choose among {', '.join(KINDS)}")
    if lang not in ("fr", "en"):
        raise CliError(f"--lang {lang!r}: choose fr or en")
    db = state.database()
    ensure_workspace(db, workspace)
    with db.session() as session:
        ws = repo.require_workspace(session, workspace)
        drafts = try_drafts(
            text,
            kind=kind,  # type: ignore[arg-type]  (checked above)
            lang=lang,
            catalogue=sectors.catalogue_of(ws),
            brand_name=brand_name(session, ws),
            platform=platform,
            timezone=ws.timezone,
        )
    for draft in drafts:
        console.print(f"[bold]{draft.strategy}[/] ({len(draft.text)}/{draft.limit})", highlight=False)
        console.print(draft.text, highlight=False, markup=False)
        console.print()


def _read_json(file: Path) -> dict[str, object]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CliError(f"{file}: line {error.lineno}: {error.msg}") from None
    if not isinstance(data, dict):
        raise CliError(f"{file}: expected a JSON object")
    return data


def _read_toml(file: Path) -> str:
    text = file.read_text(encoding="utf-8")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CliError(f"{file}: {error}") from None
    return text
