"""``ecoute secrets rotate``: seal every stored secret again with the current ECOUTE_SECRET_KEY."""

from __future__ import annotations

import typer

from ecoute.cli.context import CliError, state
from ecoute.cli.output import console
from ecoute.ops.rotate_secrets import rotate

secrets_app = typer.Typer(help="Sealed secrets: key rotation.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(secrets_app, name="secrets")


@secrets_app.command("rotate")
def rotate_command() -> None:
    """Re-seal with ECOUTE_SECRET_KEY what ECOUTE_SECRET_KEYS_OLD sealed; safe to run again.

    Set the new key as ECOUTE_SECRET_KEY and the previous one in ECOUTE_SECRET_KEYS_OLD, run this,
    then drop the old key."""
    report = rotate(state.database(), state.settings)
    console.print(
        f"re-sealed {report.resealed}, already current {report.current}, unreadable {len(report.unreadable)}"
    )
    if report.unreadable:
        for where in report.unreadable:
            console.print(f"  cannot be decrypted with any key: {where}")
        raise CliError(
            "some sealed values open with no key: give their key in ECOUTE_SECRET_KEYS_OLD, "
            "or reconnect those sources and add those endpoints again",
            exit_code=1,
        )
