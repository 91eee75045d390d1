"""The response metrics page: response rate, complaints answered and time to first response for a
period, a chart per week, a table broken down by agent, brand, source, intent or week, and the
same figures as CSV with the browser session. Any member (viewer included) may read them.

The figures are those of ``ecoute report`` and ``/api/v1/metrics`` (``response_report``); the
definitions are in ``docs/metrics.md``. Everything works without JavaScript: the form is a GET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import Response

from ecoute.auth.permissions import Action
from ecoute.insights.response_metrics import FIRST_DAY, GROUPINGS, LAST_DAY, NONE_KEY, response_report
from ecoute.keep_time.deadlines import KeepTime
from ecoute.store.repo import Invalid
from ecoute.web.api.metrics import csv_response
from ecoute.web.deps import DbSession, WorkspaceContext, page_translator, require
from ecoute.web.i18n import Translator
from ecoute.web.pages import page_router
from ecoute.web.pages.metrics_view import (
    RATE_TICKS,
    MetricsFormat,
    Week,
    time_ticks,
    weekly_chart,
    weeks_of,
)
from ecoute.web.templating import render

router = page_router()
Reader = Annotated[WorkspaceContext, require(Action.VIEW)]
DEFAULT_BY = "agent"
FromParam = Annotated[str, Query(alias="from", max_length=40)]
ToParam = Annotated[str, Query(max_length=40)]
ByParam = Annotated[str, Query(max_length=40)]
PRESET_DAYS = (30, 90)


@dataclass(frozen=True)
class Asked:
    """The period and breakdown the URL asks for, checked."""

    since: date | None
    until: date | None
    by: str

    def query(self, **changes: str) -> str:
        values = {
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        values |= {"by": self.by, **changes}
        return urlencode({k: v for k, v in values.items() if v})


def _day(value: str, i18n: Translator) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid(i18n.t("metrics.bad_date", value=text[:40])) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Invalid(i18n.t("metrics.bad_date", value=text))
    return day


def parse(from_: str, to: str, by: str, i18n: Translator) -> Asked:
    """The period and breakdown, or ``Invalid`` with a message for people, in their language."""
    since, until = _day(from_, i18n), _day(to, i18n)
    chosen = by.strip() or DEFAULT_BY
    if chosen not in GROUPINGS:
        raise Invalid(i18n.t("metrics.bad_by", value=chosen[:40]))
    if since and until and until < since:
        raise Invalid(i18n.t("metrics.bad_order"))
    return Asked(since, until, chosen)


@dataclass(frozen=True)
class Typed:
    """What the form sent, as typed (shown back in the form when it is not valid)."""

    from_: str
    to: str
    by: str

    def values(self, by: str | None = None) -> dict[str, str]:
        return {"from": self.from_, "to": self.to, "by": self.by if by is None else by}


def _typed(from_: FromParam = "", to: ToParam = "", by: ByParam = "") -> Typed:
    return Typed(from_, to, by)


Form = Annotated[Typed, Depends(_typed)]


@router.get("/w/{slug}/metrics")
def metrics_page(request: Request, session: DbSession, ctx: Reader, typed: Form) -> Response:
    i18n = page_translator(request)
    fmt = MetricsFormat(i18n)
    try:
        asked = parse(typed.from_, typed.to, typed.by, i18n)
    except Invalid as error:
        return render(
            request,
            "metrics.html",
            status_code=400,
            error=str(error),
            raw=typed.values(),
            groupings=GROUPINGS,
            fmt=fmt,
            report=None,
        )
    keep_time = KeepTime.of(ctx.workspace)
    options = {"since": asked.since, "until": asked.until, "keep_time": keep_time}
    report = response_report(session, ctx.workspace, by=asked.by, **options)
    weekly = report if asked.by == "week" else response_report(session, ctx.workspace, by="week", **options)
    weeks, cut = weeks_of(weekly.groups)
    return render(
        request,
        "metrics.html",
        error=None,
        raw=typed.values(by=asked.by),
        asked=asked,
        report=report,
        weeks=weeks,
        weeks_cut=cut,
        charts=_charts(weeks, fmt, i18n),
        label=_labeller(i18n, asked.by),
        presets=_presets(asked, ctx.workspace.timezone),
        groupings=GROUPINGS,
        fmt=fmt,
    )


@router.get("/w/{slug}/metrics.csv")
def metrics_csv(request: Request, session: DbSession, ctx: Reader, typed: Form) -> Response:
    """The figures of the page as CSV (the API's ``/api/v1/metrics.csv``), with the browser session."""
    try:
        asked = parse(typed.from_, typed.to, typed.by, page_translator(request))
    except Invalid as error:
        raise HTTPException(400, str(error)) from None
    report = response_report(session, ctx.workspace, since=asked.since, until=asked.until, by=asked.by)
    return csv_response(report)


def _charts(weeks: list[Week], fmt: MetricsFormat, i18n: Translator) -> dict[str, object]:
    def rate_title(week: Week, value: float) -> str:
        row = week.row
        counts = (
            i18n.t("metrics.of", n=fmt.count(row.answered), total=fmt.count(row.conversations)) if row else ""
        )
        return f"{i18n.t('metrics.week_of', day=fmt.full_day(week.monday))}: {fmt.rate(value)} ({counts})"

    def time_title(week: Week, value: float) -> str:
        return f"{i18n.t('metrics.week_of', day=fmt.full_day(week.monday))}: {fmt.duration(value)}"

    medians = [w.row.first_response_business.median_seconds for w in weeks if w.row is not None]
    longest = max((m for m in medians if m is not None), default=None)
    seconds = time_ticks(longest)
    common = {"day_label": fmt.day}
    return {
        "rate": weekly_chart(
            weeks,
            lambda row: row.response_rate,
            kind="bars",
            ticks=RATE_TICKS,
            tick_label=fmt.rate,
            title=rate_title,
            **common,
        ),
        "time": weekly_chart(
            weeks,
            lambda row: row.first_response_business.median_seconds,
            kind="line",
            ticks=seconds,
            tick_label=fmt.time_axis(seconds),
            title=time_title,
            **common,
        ),
    }


def _labeller(i18n: Translator, by: str):  # noqa: ANN202 - a template helper
    """How a group is named on the page: intents and "nobody" in the reader's language."""

    def label(row) -> str:  # noqa: ANN001
        if row.key == NONE_KEY:
            return i18n.t("metrics.nobody" if by == "agent" else "metrics.none")
        if by == "intent":
            named = i18n.t(f"intent.{row.key}")
            return row.label if named == f"intent.{row.key}" else named
        return row.label

    return label


def _presets(asked: Asked, timezone: str) -> list[tuple[str, str, bool]]:
    """Quick periods: the last 30 and 90 days (today included), and everything."""
    today = datetime.now(ZoneInfo(timezone)).date()
    found = []
    for days in PRESET_DAYS:
        since = today - timedelta(days=days - 1)
        current = asked.since == since and asked.until == today
        found.append((f"metrics.last_days.{days}", Asked(since, today, asked.by).query(), current))
    everything = asked.since is None and asked.until is None
    found.append(("metrics.all_time", Asked(None, None, asked.by).query(), everything))
    return found
