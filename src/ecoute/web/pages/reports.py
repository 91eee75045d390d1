"""Reports in the app: the report of a brand (or all) and a period as a self-contained HTML page, a
PDF or a CSV; share links that open it without logging in (``/r/{token}``) until they expire or are
revoked. Any member reads reports; agents and up make and revoke share links.

A shared report never shows anything of another workspace: the link holds its workspace, brand and
period, and an unknown, expired or revoked token is a plain 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ecoute.auth.permissions import Action
from ecoute.insights import report_links
from ecoute.insights.report import Report, build_report, find_brand, report_period
from ecoute.insights.report_csv import report_csv
from ecoute.insights.report_pdf import PdfUnavailable, html_to_pdf
from ecoute.store import repo
from ecoute.store.models import Brand, Workspace
from ecoute.store.repo import Invalid, NotFound
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.i18n import LOCALES
from ecoute.web.pages import page_router
from ecoute.web.pages.deadline_view import current_time
from ecoute.web.pages.report_view import Toolbar, render_report
from ecoute.web.security import csp_nonce
from ecoute.web.templating import render

router = page_router()
Reader = Annotated[WorkspaceContext, require(Action.VIEW)]
Sharer = Annotated[WorkspaceContext, require(Action.SHARE_REPORTS)]
FORMATS = ("html", "pdf", "csv")
DEFAULT_DAYS = 30
Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
FromParam = Annotated[str | None, Query(alias="from", max_length=40)]
ToParam = Annotated[str | None, Query(max_length=40)]
BrandParam = Annotated[str | None, Query(max_length=200)]
PRIVATE = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


@dataclass(frozen=True)
class Asked:
    """The brand, period and language a report is asked for, checked."""

    brand: Brand | None
    first: date
    last: date
    locale: str

    def query(self, **extra: str) -> str:
        values = {"brand": str(self.brand.id) if self.brand else "", "from": self.first.isoformat()}
        values |= {"to": self.last.isoformat(), **extra}
        return urlencode({k: v for k, v in values.items() if v})


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(400, f"{field}: {value[:40]!r} is not a date (YYYY-MM-DD)") from None


def asked(
    session: Session,
    workspace: Workspace,
    brand: str | None,
    first: str | None,
    last: str | None,
    locale: str,
) -> Asked:
    """What the URL asks for; the last 30 days of the workspace (today included) by default."""
    today = current_time().astimezone(ZoneInfo(workspace.timezone)).date()
    end = _day(last, "to") if last else today
    start = _day(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
    chosen = None
    if brand:
        try:
            chosen = find_brand(session, workspace.id, brand)
        except NotFound as error:
            raise HTTPException(400, str(error)) from None
    return Asked(chosen, start, end, locale)


def _locale(value: str | None, fallback: str) -> str:
    if value in (None, ""):
        return fallback
    if value not in LOCALES:
        raise HTTPException(400, f"lang: {value!r}: use one of {', '.join(LOCALES)}")
    return value


def _format(value: str | None) -> str:
    if value in (None, ""):
        return "html"
    if value not in FORMATS:
        raise HTTPException(400, f"format: {value!r}: use one of {', '.join(FORMATS)}")
    return value


def _build(session: Session, workspace: Workspace, wanted: Asked) -> Report:
    try:
        return build_report(session, workspace, wanted.first, wanted.last, wanted.brand)
    except Invalid as error:
        raise HTTPException(400, str(error)) from None


def _file_name(report: Report, extension: str) -> str:
    subject = "".join(c if c.isalnum() else "-" for c in (report.brand or "all").lower())
    last = report.period.day_list[-1].isoformat()
    return (
        f"report-{report.workspace_slug}-{subject}-{report.period.first_day.isoformat()}-{last}.{extension}"
    )


def deliver(
    request: Request, report: Report, locale: str, fmt: str, toolbar: Toolbar | None = None
) -> Response:
    """The report in the asked format; files come as downloads, the page is the page."""
    headers = dict(PRIVATE)
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{_file_name(report, "csv")}"'
        return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers=headers)
    if fmt == "pdf":
        try:
            pdf = html_to_pdf(render_report(report, locale))
        except PdfUnavailable as error:
            raise HTTPException(503, str(error)) from None
        headers["Content-Disposition"] = f'attachment; filename="{_file_name(report, "pdf")}"'
        return Response(pdf, media_type="application/pdf", headers=headers)
    page = render_report(report, locale, nonce=csp_nonce(request), toolbar=toolbar)
    return HTMLResponse(page, headers=headers)


@router.get("/w/{slug}/report")
def report_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    first: FromParam = None,
    to: ToParam = None,
    brand: BrandParam = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    format: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    locale = _locale(lang, page_translator(request).locale)
    fmt = _format(format)
    wanted = asked(session, ctx.workspace, brand, first, to, locale)
    report = _build(session, ctx.workspace, wanted)
    base = f"/w/{ctx.workspace.slug}/report"
    brands = [("", page_translator(request).t("report.all_brands"), wanted.brand is None)] + [
        (str(b.id), b.name, wanted.brand is not None and b.id == wanted.brand.id)
        for b in repo.list_brands(session, ctx.workspace.id)
    ]
    toolbar = Toolbar(
        back=f"/w/{ctx.workspace.slug}/insights",
        pdf=f"{base}?{wanted.query(format='pdf', lang=locale)}",
        csv=f"{base}?{wanted.query(format='csv')}",
        share=f"{base}/links?{wanted.query()}" if ctx.can(Action.SHARE_REPORTS) else None,
        brands=brands,
        first=wanted.first.isoformat(),
        last=wanted.last.isoformat(),
    )
    return deliver(request, report, locale, fmt, toolbar)


@router.get("/r/{token}")
def shared_report(
    request: Request,
    session: DbSession,
    token: Token,
    format: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    fmt = _format(format)
    if fmt == "csv":
        raise HTTPException(400, "format: a shared report is html or pdf")
    link = report_links.open_link(session, token, current_time())
    workspace = session.get(Workspace, link.workspace_id) if link else None
    if link is None or workspace is None:
        raise HTTPException(404, "this report link is unknown, expired or revoked")
    brand = session.get(Brand, link.brand_id) if link.brand_id is not None else None
    wanted = Asked(brand, link.first_day, link.last_day, link.locale)
    return deliver(request, _build(session, workspace, wanted), link.locale, fmt)


# --- share links ------------------------------------------------------------------------------


def _links_page(
    request: Request,
    session: Session,
    ctx: WorkspaceContext,
    wanted: Asked,
    *,
    new_link: str | None = None,
    status_code: int = 200,
) -> Response:
    now = current_time()
    links = report_links.list_links(session, ctx.workspace.id)
    names = {b.id: b.name for b in repo.list_brands(session, ctx.workspace.id)}
    return render(
        request,
        "report/links.html",
        status_code=status_code,
        links=links,
        names=names,
        state=lambda link: _state(link, now),
        wanted=wanted,
        brands=repo.list_brands(session, ctx.workspace.id),
        lifetimes=report_links.LIFETIMES,
        default_days=report_links.DEFAULT_DAYS,
        locales=LOCALES,
        new_link=new_link,
    )


def _state(link: report_links.ReportLink, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "open" if link.open_at(now) else "expired"


@router.get("/w/{slug}/report/links")
def links_page(
    request: Request,
    session: DbSession,
    ctx: Sharer,
    first: FromParam = None,
    to: ToParam = None,
    brand: BrandParam = None,
) -> Response:
    locale = page_translator(request).locale
    return _links_page(request, session, ctx, asked(session, ctx.workspace, brand, first, to, locale))


@router.post("/w/{slug}/report/links")
def create_link(
    request: Request,
    session: DbSession,
    ctx: Sharer,
    first: Annotated[str, Form(alias="from", max_length=40)],
    to: Annotated[str, Form(max_length=40)],
    brand: Annotated[str, Form(max_length=200)] = "",
    lang: Annotated[str, Form(max_length=8)] = "",
    days: Annotated[int, Form(ge=1, le=report_links.MAX_DAYS)] = report_links.DEFAULT_DAYS,
) -> Response:
    """The link is shown once, on this answer: it is stored only as a digest."""
    locale = _locale(lang, page_translator(request).locale)
    wanted = asked(session, ctx.workspace, brand or None, first, to, locale)
    _build_check(wanted)
    token, _ = report_links.create_link(
        session,
        ctx.workspace.id,
        first_day=wanted.first,
        last_day=wanted.last,
        brand=wanted.brand,
        locale=locale,
        actor=ctx.actor,
        days=days,
        now=current_time(),
    )
    link = f"{get_settings(request).public_url}/r/{token}"
    return _links_page(request, session, ctx, wanted, new_link=link)


def _build_check(wanted: Asked) -> None:
    """A link to a report that could not be made is refused now, not when someone opens it."""
    try:
        report_period(wanted.first, wanted.last, "UTC")
    except Invalid as error:
        raise HTTPException(400, str(error)) from None


@router.post("/w/{slug}/report/links/{link_id}/revoke")
def revoke_link(
    session: DbSession,
    ctx: Sharer,
    link_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    try:
        report_links.revoke_link(session, ctx.workspace.id, link_id, actor=ctx.actor)
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    return RedirectResponse(f"/w/{ctx.workspace.slug}/report/links", status_code=303)
