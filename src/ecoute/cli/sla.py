"""``ecoute sla``: business hours and response targets (show, set), conversations about to miss
their target, and the alerts sent when a high-priority one is."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.table import Table

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import console, print_json
from ecoute.insights.export import human_duration
from ecoute.keep_time.config import load_config, save_config
from ecoute.keep_time.deadlines import KeepTime, about_to_breach, conversation_deadlines
from ecoute.keep_time.notify import notify_breaches
from ecoute.store import repo
from ecoute.store.repo import Invalid
from ecoute.store.types import utcnow

sla_app = typer.Typer(help="Business hours, response targets and deadlines.", no_args_is_help=True)
WORKSPACE = typer.Option("default", "--workspace", "-w", help="Workspace slug.")


def register(app: typer.Typer) -> None:
    app.add_typer(sla_app, name="sla")


@sla_app.command("show")
def show_command(workspace: str = WORKSPACE) -> None:
    """Print the workspace's time-keeping settings (defaults filled in) as JSON."""
    ws = ensure_workspace(state.database(), workspace)
    try:
        config = load_config(ws)
    except Invalid as error:
        raise CliError(f"stored settings are invalid: {error}") from None
    print_json({"timezone": ws.timezone, **config.model_dump(mode="json")})


@sla_app.command("set")
def set_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON file (see: ecoute sla show)."),
    workspace: str = WORKSPACE,
) -> None:
    """Replace the workspace's time-keeping settings with FILE's (validated; audited)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CliError(f"{file}: line {error.lineno}: {error.msg}") from None
    if isinstance(data, dict):
        data.pop("timezone", None)  # shown by `show` for reading; set with the workspace itself
    db = state.database()
    ensure_workspace(db, workspace)
    with db.session() as session:
        ws = repo.require_workspace(session, workspace)
        try:
            save_config(session, ws, data, actor="cli")
        except Invalid as error:
            raise CliError(f"{file}: {error}") from None
    console.print(f"Time-keeping settings of [bold]{workspace}[/] saved.")


@sla_app.command("due")
def due_command(
    workspace: str = WORKSPACE,
    show_all: bool = typer.Option(False, "--all", help="Every running clock, not only due soon or late."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Conversations waiting for a first answer that are due soon or late, soonest first."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    now = utcnow()
    with db.session() as session:
        keep_time = KeepTime.of(ws)
        if show_all:
            found = conversation_deadlines(session, ws, now, keep_time=keep_time)
        else:
            found = about_to_breach(session, ws, now, keep_time=keep_time)
    zone = keep_time.calendar.timezone
    rows = [
        {
            "conversation": d.conversation_id,
            "priority": d.status.deadline.priority,
            "state": str(d.state),
            "due_at": d.status.due_at.isoformat(),
            "remaining_business_seconds": int(d.status.remaining.total_seconds()),
        }
        for d in found
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("conversation", "priority", "state", f"due ({zone.key})", "business time left")
    for d in found:
        left = d.status.remaining
        table.add_row(
            f"#{d.conversation_id}",
            str(d.status.deadline.priority),
            str(d.state),
            d.status.due_at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M"),
            human_duration(left.total_seconds()) if left.total_seconds() > 0 else "late",
        )
    console.print(table)


@sla_app.command("notify")
def notify_command(
    every: float = typer.Option(0, "--every", help="Keep running, checking every N seconds (0: once)."),
) -> None:
    """Announce (webhook event conversation.breach_soon, e-mail) each high-priority conversation
    about to miss its target, once; webhooks go out with `ecoute webhooks deliver`."""
    db = state.database()
    while True:
        report = notify_breaches(db, state.settings)
        if report.notices or report.email_failures or not every:
            console.print(
                f"notices {report.notices}, webhook deliveries queued {report.webhooks_queued}, "
                f"e-mailed {report.emails_sent}, e-mail failures {report.email_failures}"
            )
        if not every:
            return
        time.sleep(every)
