"""``ecoute report --format html|pdf|csv``: the shareable report of a workspace, a brand (or all)
and a period written to a file — the same document the app shows and shares."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from ecoute.cli.context import CliError, state
from ecoute.insights.report import build_report, find_brand
from ecoute.insights.report_csv import report_csv
from ecoute.insights.report_pdf import PdfUnavailable, html_to_pdf
from ecoute.store import repo
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import utcnow
from ecoute.web.i18n import LOCALES

DEFAULT_DAYS = 30


class Format(StrEnum):
    html = "html"
    pdf = "pdf"
    csv = "csv"


def write_report(
    workspace: str,
    brand: str | None,
    first: date | None,
    last: date | None,
    fmt: Format,
    output: Path | None,
    lang: str | None,
) -> Path:
    """Builds the report and writes it; returns the file written."""
    if output is None:
        raise CliError("--output/-o: give the file to write the report to")
    if lang is not None and lang not in LOCALES:
        raise CliError(f"--lang {lang!r}: use one of {', '.join(LOCALES)}")
    db = state.database()
    with db.session() as session:
        try:
            ws = repo.require_workspace(session, workspace)
            chosen = find_brand(session, ws.id, brand) if brand else None
            end = last or utcnow().astimezone(ZoneInfo(ws.timezone)).date()
            start = first or end - timedelta(days=DEFAULT_DAYS - 1)
            report = build_report(session, ws, start, end, chosen)
        except (NotFound, Invalid) as error:
            raise CliError(str(error)) from None
        locale = lang or (ws.locale if ws.locale in LOCALES else "en")
    if fmt is Format.csv:
        output.write_text(report_csv(report), encoding="utf-8")
        return output
    # Imported here: the page templates bring in the web app (FastAPI), which the other
    # ``ecoute`` commands need not load at start-up.
    from ecoute.web.pages.report_view import render_report

    html = render_report(report, locale)
    if fmt is Format.html:
        output.write_text(html, encoding="utf-8")
        return output
    try:
        output.write_bytes(html_to_pdf(html))
    except PdfUnavailable as error:
        raise CliError(str(error)) from None
    return output


def day(value: datetime | None) -> date | None:
    return value.date() if value else None
