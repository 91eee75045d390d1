"""``ecoute alerts``: the detectors' evaluation contracts, run on files outside the database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from ecoute.cli.context import CliError
from ecoute.cli.output import err_console
from ecoute.warn.accounts import AccountsError, scan_accounts
from ecoute.warn.impersonation import Brand
from ecoute.warn.series import SeriesError, scan_series
from ecoute.warn.wording import LANGUAGES

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


@alerts_app.command("scan-accounts")
def scan_accounts_command(
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON Lines, one account per line."),
    brand_handle: list[str] = typer.Option(..., "--brand-handle", help="The brand's own handle (repeat)."),
    brand_name: str = typer.Option(..., "--brand-name", help="The brand's name as people write it."),
    partner_handle: list[str] = typer.Option([], "--partner-handle", help="A declared partner (repeat)."),
    tagged_by: Path | None = typer.Option(
        None, "--tagged-by", dir_okay=False, help="Handles of people who tagged the brand, one a line."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Date ages are counted at (default now)."),
    lang: str = typer.Option("en", "--lang", help="Language of the reasons: en or fr."),
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="JSON Lines to write."),
) -> None:
    """Flag accounts imitating the brand; write each line back with impersonation, score, reasons."""
    if lang not in LANGUAGES:
        raise CliError(f"--lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    brand = Brand(brand_name, tuple(brand_handle), tuple(partner_handle))
    now = _as_of(as_of)
    tagged = None
    if tagged_by is not None:
        tagged = [line.strip() for line in tagged_by.read_text(encoding="utf-8").splitlines() if line.strip()]
    partial = output.with_name(output.name + ".partial")
    try:
        with source.open(encoding="utf-8-sig") as reader, partial.open("w", encoding="utf-8") as writer:
            flagged = scan_accounts(reader, writer, brand, now, tagged, name=str(source), lang=lang)
    except AccountsError as error:
        partial.unlink(missing_ok=True)
        raise CliError(str(error)) from None
    partial.replace(output)
    err_console.print(f"{flagged} account(s) flagged, written to {output}")


def _as_of(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"--as-of: {text!r} is not an ISO 8601 date") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
