"""A report as one self-contained HTML document: its style inlined, no script, no image or font
from anywhere (charts are inline SVG, each with its numbers in a table), readable offline, printed
or turned into a PDF. Rendered outside any request, so the command line writes the same file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ecoute.insights.listening import SENTIMENTS
from ecoute.insights.report import Report
from ecoute.urls import external_url
from ecoute.web.i18n import Translator, translator
from ecoute.web.pages.inbox_support import Formatting
from ecoute.web.pages.insights import InsightsFormat, sentiment_series, volume_series
from ecoute.web.pages.insights_view import DayChart, Series, stacked_days
from ecoute.web.pages.metrics_view import MetricsFormat
from ecoute.web.templating import STATIC_DIR, TEMPLATE_DIR

STYLES = ("report.css",)
# The Insights page's colours (static/insights.css), given to the charts as SVG attributes.
PALETTE = ("#2f6f9f", "#d9822b", "#3c9d6b", "#a34b8c", "#8a8f2e", "#5c5fb8",
           "#b04a3f", "#6b7785", "#1f9aa8", "#c9a227", "#7a4f2b", "#e07aa6")  # fmt: skip
MOOD_COLOURS = ("#c0392b", "#95a0ab", "#2e8b57")  # negative, neutral, positive


@dataclass(frozen=True)
class Toolbar:
    """Links shown above the report inside the app (never in a downloaded or shared copy)."""

    back: str
    pdf: str
    csv: str
    share: str | None  # the share-links page, for those who may make links
    brands: list[tuple[str, str, bool]]  # (value, name, chosen) for the brand chooser
    first: str
    last: str


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_href"] = external_url  # a post's link only if it is a plain http(s) address
    return env


@cache
def inline_css() -> str:
    return "\n".join((STATIC_DIR / name).read_text(encoding="utf-8") for name in STYLES)


def render_report(report: Report, locale: str, *, nonce: str = "", toolbar: Toolbar | None = None) -> str:
    """The report as HTML in ``locale`` (``fr`` or ``en``); ``nonce`` lets the app's CSP admit its style."""
    i18n = translator(locale, report.period.timezone)
    fmt = InsightsFormat(i18n)
    return (
        _environment()
        .get_template("report/report.html")
        .render(
            report=report,
            data=report.listening,
            i18n=i18n,
            t=i18n.t,
            fmt=fmt,
            when=Formatting(i18n),
            long_day=lambda d: _long_day(i18n, d),
            duration=MetricsFormat(i18n).duration,  # "3 h 05 min", as on the Metrics page
            volume=_chart(report, volume_series(report.listening, "platform", i18n), fmt),
            mood=_chart(report, sentiment_series(report.listening, i18n), fmt),
            sentiments=SENTIMENTS,
            palette=PALETTE,
            mood_colours=MOOD_COLOURS,
            css=inline_css(),
            nonce=nonce,
            toolbar=toolbar,
            lang=i18n.locale,
        )
    )


def _long_day(i18n: Translator, value: date) -> str:
    return format_date(value, "long", locale=i18n.babel)


def _chart(report: Report, series: list[Series], fmt: InsightsFormat) -> DayChart:
    return stacked_days(
        report.period.day_list,
        series,
        href=lambda day, s: "",
        title=lambda day, s, n: f"{fmt.day(day)} · {s.label} · {fmt.mentions(n)}",
        day_label=fmt.day,
        tick_label=fmt.count,
    )
