"""Response metrics as flat records: one shape for the CLI's ``--json`` and ``--csv``, and the API's CSV."""

from __future__ import annotations

import csv
import io
from typing import Any, TextIO

from ecoute.insights.response_metrics import MetricRow, ResponseReport

CSV_COLUMNS: tuple[str, ...] = (
    "group",
    "key",
    "label",
    "conversations",
    "answered",
    "response_rate",
    "complaints",
    "complaints_answered",
    "complaints_answered_share",
    "first_response_business_median_s",
    "first_response_business_p90_s",
    "first_response_wall_median_s",
    "first_response_wall_p90_s",
)


def row_record(row: MetricRow, group: str) -> dict[str, Any]:
    return {
        "group": group,
        "key": row.key,
        "label": row.label,
        "conversations": row.conversations,
        "answered": row.answered,
        "response_rate": row.response_rate,
        "complaints": row.complaints,
        "complaints_answered": row.complaints_answered,
        "complaints_answered_share": row.complaints_answered_share,
        "first_response_business_median_s": row.first_response_business.median_seconds,
        "first_response_business_p90_s": row.first_response_business.p90_seconds,
        "first_response_wall_median_s": row.first_response_wall.median_seconds,
        "first_response_wall_p90_s": row.first_response_wall.p90_seconds,
    }


def report_records(report: ResponseReport) -> list[dict[str, Any]]:
    """The total first (group ``total``), then one record per group (group = the ``by`` dimension)."""
    return [row_record(report.total, "total")] + [row_record(g, report.by or "") for g in report.groups]


def write_csv(report: ResponseReport, handle: TextIO) -> None:
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in report_records(report):
        writer.writerow(
            {k: "" if v is None else (repr(v) if isinstance(v, float) else v) for k, v in record.items()}
        )


def csv_text(report: ResponseReport) -> str:
    buffer = io.StringIO()
    write_csv(report, buffer)
    return buffer.getvalue()


def human_duration(seconds: float | None, *, days: bool = True) -> str:
    """``42 s``, ``12 min``, ``3 h 05``, ``2 d 4 h`` (``days=False``: ``52 h 10``); ``—`` for nothing."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400 or not days:
        return f"{whole // 3600} h {whole % 3600 // 60:02d}"
    return f"{whole // 86400} d {whole % 86400 // 3600} h"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"
