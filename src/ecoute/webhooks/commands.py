"""``ecoute webhooks deliver``: send the queued webhook deliveries that are due (once, or as a loop)."""

from __future__ import annotations

import time

import typer

from ecoute.cli.context import state
from ecoute.cli.output import console
from ecoute.webhooks.delivery import deliver_due

webhooks_app = typer.Typer(help="Outgoing webhooks: send what is queued.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("deliver")
def deliver_command(
    every: float = typer.Option(
        0, "--every", help="Keep running, checking the queue every N seconds (0: once, then exit)."
    ),
) -> None:
    """Send due deliveries; failures are retried later with back-off (see the admin's webhook page)."""
    db = state.database()
    while True:
        report = deliver_due(db, settings=state.settings)
        if report.delivered or report.retrying or report.failed or not every:
            console.print(
                f"delivered {report.delivered}, to retry {report.retrying}, given up {report.failed}"
            )
        if not every:
            return
        time.sleep(every)
