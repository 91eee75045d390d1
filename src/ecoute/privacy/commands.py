"""``ecoute privacy …`` (export, erase, retention) and ``ecoute backup`` / ``ecoute restore``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import console
from ecoute.privacy import backup as backups
from ecoute.privacy.erase import erase_person, scrub_free_pages
from ecoute.privacy.export import audit_export, export_person
from ecoute.privacy.person import find_person
from ecoute.privacy.retention import apply_retention, retention_months, set_retention
from ecoute.store import repo
from ecoute.store.models import Workspace
from ecoute.store.types import utcnow

privacy_app = typer.Typer(help="People's data: export, erase, retention.", no_args_is_help=True)
WORKSPACE = typer.Option("default", "--workspace", "-w", help="Workspace slug.")
AUTHOR = typer.Option(..., "--author", help="The person's handle on the platform, e.g. @marie_d.")
PLATFORM = typer.Option(None, "--platform", help="Only this platform (default: every platform).")
CLI_ACTOR = "cli"


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


@privacy_app.command("export")
def export_command(
    author: str = AUTHOR,
    platform: str = PLATFORM,
    workspace: str = WORKSPACE,
    output: Path = typer.Option(None, "--output", "-o", help="Write the JSON here (default: stdout)."),
) -> None:
    """Everything held about a person, as JSON (an access request); audited."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        try:
            person = find_person(session, ws.id, author, platform)
        except (repo.NotFound, repo.Invalid) as error:
            raise CliError(str(error)) from None
        document = export_person(session, session.get(Workspace, ws.id), person)
        audit_export(session, ws.id, person, actor=CLI_ACTOR, secret_key=state.settings.secret_key)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    console.print(f"{len(document['mentions'])} mention(s) of @{person.handle} written to {output}.")


@privacy_app.command("erase")
def erase_command(
    author: str = AUTHOR,
    platform: str = PLATFORM,
    workspace: str = WORKSPACE,
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Remove or pseudonymise a person's data (an erasure request); audited. Cannot be undone."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        try:
            person = find_person(session, ws.id, author, platform)
        except (repo.NotFound, repo.Invalid) as error:
            raise CliError(str(error)) from None
        if not yes and not typer.confirm(
            f"Erase @{person.handle}: {len(person.mentions)} mention(s), their conversations, the "
            "replies and notes about them? This cannot be undone"
        ):
            raise CliError("nothing erased", exit_code=1)
        report = erase_person(session, ws.id, person, secret_key=state.settings.secret_key, actor=CLI_ACTOR)
    scrub_free_pages(db)
    console.print(
        f"Erased @{person.handle} (now {report.pseudonym}): {report.mentions} mention(s), "
        f"{report.replies} reply(ies), {report.notes} note(s); handle replaced in "
        f"{report.handle_replaced_in} other text(s). Backups made before now still hold their data "
        "(see docs/deploy.md)."
    )


@privacy_app.command("retention")
def retention_command(
    months: int = typer.Option(None, "--months", min=0, help="Keep mentions this many months (0: off)."),
    workspace: str = WORKSPACE,
) -> None:
    """Show or set how long the workspace keeps mentions (off by default); audited."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        row = session.get(Workspace, ws.id)
        if months is not None:
            try:
                set_retention(session, row, months, actor=CLI_ACTOR)
            except repo.Invalid as error:
                raise CliError(str(error)) from None
        current = retention_months(row)
    console.print(f"Retention in {ws.slug}: " + (f"{current} month(s)" if current else "off"))


@privacy_app.command("apply-retention")
def apply_retention_command() -> None:
    """Drop, now, the mentions older than each workspace's retention (the task queue does it daily)."""
    report = apply_retention(state.database(), utcnow())
    for slug, count in report.mentions.items():
        console.print(f"{slug}: {count} mention(s) and {report.conversations[slug]} conversation(s) dropped")
    if not report.mentions:
        console.print("No workspace has a retention period.")


def backup_command(
    path: Path = typer.Argument(..., help="Where to write the backup (an SQLite file)."),
    force: bool = typer.Option(False, "--force", help="Replace PATH if it exists."),
) -> None:
    """Copy the SQLite database while Écoute runs (for PostgreSQL this says how to use pg_dump)."""
    try:
        copied = backups.backup(state.settings.database_url, path, overwrite=force)
    except backups.BackupError as error:
        raise CliError(str(error)) from None
    console.print(f"Backup written to {copied.path} ({copied.bytes:,} bytes).")


def restore_command(
    path: Path = typer.Argument(..., help="A file written by ecoute backup."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Replace the SQLite database's content with a backup (stop `ecoute serve` first)."""
    if not yes and not typer.confirm(f"Replace everything in the database with {path}?"):
        raise CliError("nothing restored", exit_code=1)
    try:
        copied = backups.restore(state.settings.database_url, path)
    except backups.BackupError as error:
        raise CliError(str(error)) from None
    state.database()  # brings an older backup's schema up to date
    console.print(
        f"Restored {path} into {copied.path}. People erased since that backup was made are back in "
        "it: erase them again (the audit log of the old database, or your records, lists them)."
    )
