"""``ecoute report``: response rate and time to first response, overall or per agent, brand,
source, intent or week, as a table, JSON or CSV; with ``--format``, the shareable report (HTML, PDF
or CSV) of a brand and a period written to a file (``report_file``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import console
from ecoute.cli.report_file import Format, write_report
from ecoute.insights.export import human_duration, percent, report_records, write_csv
from ecoute.insights.response_metrics import MetricRow, ResponseReport, response_report
from ecoute.keep_time.deadlines import KeepTime
from ecoute.store.repo import Invalid

DATE_FORMATS = ["%Y-%m-%d"]


class By(StrEnum):
    agent = "agent"
    brand = "brand"
    source = "source"
    intent = "intent"
    week = "week"


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    workspace: str = typer.Option("default", "--workspace", "-w", help="Workspace slug."),
    since: datetime = typer.Option(
        None, "--from", formats=DATE_FORMATS, help="First day (YYYY-MM-DD, the workspace's time zone)."
    ),
    until: datetime = typer.Option(None, "--to", formats=DATE_FORMATS, help="Last day, included."),
    by: By = typer.Option(None, "--by", help="One row per agent, brand, source, intent or ISO week."),
    csv_path: Path = typer.Option(None, "--csv", help="Also write the figures to this CSV file."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    fmt: Format = typer.Option(
        None, "--format", help="Write the shareable report (figures, charts, topics, posts, alerts) instead."
    ),
    output: Path = typer.Option(None, "--output", "-o", help="The file --format writes."),
    brand: str = typer.Option(
        None, "--brand", "-b", help="With --format: one brand (name or id); default all."
    ),
    lang: str = typer.Option(None, "--lang", help="With --format: fr or en (default: the workspace's)."),
) -> None:
    """Response rate, complaints answered, and time to first response (median, p90) in business
    and wall-clock time, for conversations that opened in the period (definitions: docs/metrics.md).

    With --format html|pdf|csv -o FILE: the whole report of the period (default: the last 30 days)
    for one brand or all (docs/reports.md)."""
    first, last = _day(since), _day(until)
    if first and last and last < first:
        raise CliError("--to is before --from")
    if fmt is not None:
        written = write_report(workspace, brand, first, last, fmt, output, lang)
        console.print(f"Report written to {written}")
        return
    db = state.database()
    ws = ensure_workspace(db, workspace)
    with db.session() as session:
        try:
            keep_time = KeepTime.of(ws)
        except (Invalid, ValueError) as error:
            raise CliError(f"workspace {ws.slug}: business hours: {error}") from None
        report = response_report(
            session, ws, since=first, until=last, by=by.value if by else None, keep_time=keep_time
        )
    if csv_path is not None:
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            write_csv(report, handle)
    if as_json:
        print(json.dumps(_json(report), ensure_ascii=False, indent=2))
        return
    console.print(_table(report))
    if csv_path is not None:
        console.print(f"CSV written to {csv_path}")


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _json(report: ResponseReport) -> dict[str, object]:
    return {
        "workspace": report.workspace,
        "timezone": report.timezone,
        "from": report.since.isoformat() if report.since else None,
        "to": report.until.isoformat() if report.until else None,
        "by": report.by,
        "rows": report_records(report),
    }


def _table(report: ResponseReport) -> Table:
    period = f"{report.since or '…'} → {report.until or '…'}" if report.since or report.until else "all time"
    table = Table(
        title=f"Responses · {report.workspace} · {period}",
        caption=(
            "Conversations that opened in the period. First response: business = within opening "
            "hours, elapsed = wall clock; median and 90th percentile. "
            f"Times in {report.timezone}; see docs/metrics.md."
        ),
    )
    table.add_column(report.by or "")
    for header in ("to answer", "answered", "rate", "complaints answered"):
        table.add_column(header, justify="right")
    for header in ("business median", "business p90", "elapsed median", "elapsed p90"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in report.groups:
        table.add_row(*_cells(row))
    if report.groups:
        table.add_section()
    table.add_row(*_cells(report.total), style="bold")
    return table


def _cells(row: MetricRow) -> list[str]:
    business, wall = row.first_response_business, row.first_response_wall
    return [
        row.label,
        f"{row.conversations:,}",
        f"{row.answered:,}",
        percent(row.response_rate),
        f"{row.complaints_answered}/{row.complaints} ({percent(row.complaints_answered_share)})",
        human_duration(business.median_seconds, days=False),
        human_duration(business.p90_seconds, days=False),
        human_duration(wall.median_seconds),
        human_duration(wall.p90_seconds),
    ]
