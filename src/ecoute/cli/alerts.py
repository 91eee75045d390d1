"""``ecoute alerts``: the detectors' evaluation contracts, run on files outside the database."""

from __future__ import annotations

from pathlib import Path

import typer

from ecoute.cli.context import CliError
from ecoute.cli.output import err_console
from ecoute.warn.series import SeriesError, scan_series

alerts_app = typer.Typer(help="Spike and impersonation detectors run on files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


@alerts_app.command("scan-series")
def scan_series_command(
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with 'timestamp,value' rows."),
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="CSV to write."),
) -> None:
    """Run the spike detector (default settings) over SOURCE in time order; write each row with
    its anomaly_score (0 to 1) and alert (1 where an episode starts)."""
    partial = output.with_name(output.name + ".partial")
    try:
        with (
            source.open(newline="", encoding="utf-8-sig") as reader,
            partial.open("w", encoding="utf-8") as writer,
        ):
            raised = scan_series(reader, writer, name=str(source))
    except SeriesError as error:
        partial.unlink(missing_ok=True)
        raise CliError(str(error)) from None
    except UnicodeDecodeError as error:
        partial.unlink(missing_ok=True)
        raise CliError(f"{source}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    partial.replace(output)
    err_console.print(f"{raised} alert(s) written to {output}")
