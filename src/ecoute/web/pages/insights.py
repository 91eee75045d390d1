"""The Insights page: what people say about the workspace's brands and their competitors.

Volume over time (split by platform, language or brand), sentiment over time with net sentiment,
share of voice by mentions, engagement and net sentiment, each against the previous period of the
same length. Charts are inline SVG with their numbers in a table; every bar segment and every
brand links to the inbox filtered to exactly those mentions (``scope=mentions``). Any member may
read it; it works without JavaScript (the choices are links).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from babel.dates import format_skeleton
from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from ecoute.auth.permissions import Action
from ecoute.insights.listening import PERIODS, SENTIMENTS, Listening, Period, Tally, listening
from ecoute.store.repo import Invalid, NotFound
from ecoute.topics import edit as topic_edit
from ecoute.topics import queries as topic_queries
from ecoute.web.deps import DbSession, WorkspaceContext, page_translator, require
from ecoute.web.i18n import Translator
from ecoute.web.pages import page_router
from ecoute.web.pages.deadline_view import current_time
from ecoute.web.pages.inbox_support import Formatting, redirect_back
from ecoute.web.pages.insights_view import (
    ChartCache,
    DayChart,
    DayLinks,
    Series,
    segments_markup,
    stacked_days,
)
from ecoute.web.templating import render

router = page_router()
Reader = Annotated[WorkspaceContext, require(Action.VIEW)]
SPLITS = ("platform", "lang", "brand")
TOPICS_SHOWN = 12
TOPICS_WITH_SAMPLES = 6
CHARTS = ChartCache()


class InsightsFormat:
    def __init__(self, i18n: Translator) -> None:
        self.i18n = i18n
        self._days: dict[date, str] = {}
        self._counts: dict[int, str] = {}  # a 90-day page formats a few thousand, mostly the same
        self._mentions: dict[int, str] = {}

    def count(self, value: float) -> str:
        n = int(value)
        if n not in self._counts:
            self._counts[n] = self.i18n.number(n)
        return self._counts[n]

    def mentions(self, n: int) -> str:
        if n not in self._mentions:
            self._mentions[n] = (
                self.i18n.t("insights.one_mention")
                if n == 1
                else self.i18n.t("insights.n_mentions", n=self.count(n))
            )
        return self._mentions[n]

    def day(self, value: date) -> str:
        # Each day is named on the axis, in every segment's title and in the tables: once each.
        if value not in self._days:
            self._days[value] = format_skeleton("MMMd", value, locale=self.i18n.babel)
        return self._days[value]

    def net(self, value: float | None) -> str:
        """Net sentiment as a signed percentage: "+12 %" / "−40 %"; "—" without mentions."""
        if value is None:
            return "—"
        sign = "\u2212" if value < 0 else "+"
        return sign + self.i18n.percent(round(abs(value), 2))

    def share(self, value: float | None) -> str:
        return "—" if value is None else self.i18n.percent(round(value, 3))

    def change(self, now: float, before: float) -> str:
        """Relative change of a count: "+25 %", "−10 %", "new" when there was nothing before."""
        if before == 0:
            return self.i18n.t("insights.new") if now else "="
        ratio = (now - before) / before
        if abs(ratio) < 0.005:
            return "="
        sign = "\u2212" if ratio < 0 else "+"
        return sign + self.i18n.percent(round(abs(ratio), 2))

    def points(self, now: float | None, before: float | None) -> str:
        """Change of net sentiment in points: "+8 pts" / "−3 pts"."""
        if now is None or before is None:
            return ""
        delta = round((now - before) * 100)
        if delta == 0:
            return "="
        sign = "\u2212" if delta < 0 else "+"
        return self.i18n.t("insights.points", n=f"{sign}{abs(delta)}")


def _choice(value: str | None, allowed: tuple[Any, ...], default: Any, name: str) -> Any:
    if value in (None, ""):
        return default
    for option in allowed:
        if str(option) == value:
            return option
    raise HTTPException(400, f"{name}: {value!r}: use one of {', '.join(str(a) for a in allowed)}")


def drill(slug: str, period: Period, day: date | None = None, **labels: Any) -> str:
    """The inbox listing the conversations that hold exactly these mentions."""
    return drill_links(slug, period)(day, **labels)


def export_links(slug: str, drill_link: str) -> dict[str, str]:
    """The Export menu's files (CSV, XLSX) of exactly the mentions a drill-down link lists."""
    query = drill_link.split("?", 1)[1]
    return {fmt: f"/w/{slug}/export/mentions.{fmt}?{query}" for fmt in ("csv", "xlsx")}


def drill_links(slug: str, period: Period) -> DayLinks:
    """``drill`` for many links of one period: each day's part encoded once."""
    return DayLinks(
        f"/w/{slug}/?",
        lambda day: period.day_bounds(day) if day is not None else (period.start, period.end),
    )


@router.get("/w/{slug}/insights")
def insights_page(
    request: Request,
    session: DbSession,
    ctx: Reader,
    days: Annotated[str | None, Query(max_length=8)] = None,
    by: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    i18n = page_translator(request)
    fmt = InsightsFormat(i18n)
    length = _choice(days, PERIODS, 30, "days")
    split = _choice(by, SPLITS, "platform", "by")
    period = Period.ending(current_time(), length, i18n.timezone)
    data = listening(session, ctx.workspace.id, period)
    slug = ctx.workspace.slug
    links = drill_links(slug, period)
    topics = topic_queries.topic_summaries(
        session, ctx.workspace.id, period.start, period.end, period.offset_minutes
    )
    shown = [t for t in topics if t.mentions][:TOPICS_SHOWN]
    samples = topic_queries.typical_posts(
        session,
        ctx.workspace.id,
        [t.topic_id for t in shown[:TOPICS_WITH_SAMPLES]],
        period.start,
        period.end,
        2,
    )
    return render(
        request,
        "insights.html",
        data=data,
        period=period,
        split=split,
        periods=PERIODS,
        splits=SPLITS,
        fmt=fmt,
        volume=_chart_block(
            request,
            "chart-volume",
            f"{i18n.t('insights.volume')} · {i18n.t('insights.by.' + split)}",
            data,
            volume_series(data, split, i18n),
            split,
            lambda series: _volume_chart(data, split, series, links, fmt),
            fmt,
        ),
        mood=_chart_block(
            request,
            "chart-sentiment",
            i18n.t("insights.sentiment"),
            data,
            sentiment_series(data, i18n),
            "sentiment",
            lambda series: _sentiment_chart(data, series, links, fmt),
            fmt,
        ),
        drill=links,
        exports=export_links(slug, links()),
        headline=_headline(data, fmt),
        topics=shown,
        rising={
            t.topic_id
            for t in topic_queries.trending(session, ctx.workspace.id, period.start, period.end, 3, topics)
        },
        samples=samples,
        can_edit_topics=ctx.can(Action.EDIT_TOPICS),
        back=f"/w/{slug}/insights?days={period.days}&by={split}#topics",
    )


@router.post("/w/{slug}/insights/topics/{topic_id}")
def change_topic(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.EDIT_TOPICS)],
    topic_id: int,
    action: Annotated[str, Form(max_length=10)],
    name: Annotated[str | None, Form(max_length=topic_edit.MAX_NAME)] = None,
    into: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    next: Annotated[str | None, Form(max_length=300)] = None,
) -> Response:
    """Rename a topic (``action=rename``, ``name``) or merge it into another (``action=merge``,
    ``into``); both are kept by later rebuilds."""
    try:
        if action == "rename":
            topic_edit.rename_topic(session, ctx.workspace.id, topic_id, name, actor=ctx.actor)
        elif action == "merge":
            if into is None:
                raise Invalid("into: choose the topic to merge this one into")
            topic_edit.merge_topics(session, ctx.workspace.id, into, [topic_id], actor=ctx.actor)
        else:
            raise Invalid(f"action: {action!r}: use rename or merge")
    except NotFound as error:
        raise HTTPException(404, str(error)) from None
    except Invalid as error:
        raise HTTPException(400, str(error)) from None
    return redirect_back(request, next, f"/w/{ctx.workspace.slug}/insights#topics")


def volume_series(data: Listening, split: str, i18n: Translator) -> list[Series]:
    """Mentions per day split by platform, language or brand, the largest series first."""
    if split == "brand":
        names = {b.brand_id: b.name for b in data.brands}
        series = [Series(str(k), names.get(k, "?"), v) for k, v in data.by_brand.items() if k in names]
    elif split == "lang":
        series = [Series(k, _language(i18n, k), v) for k, v in data.by_language.items()]
    else:
        series = [Series(k, Formatting(i18n).platform(k), v) for k, v in data.by_platform.items()]
    series.sort(key=lambda s: -sum(s.values.values()))
    return series


def sentiment_series(data: Listening, i18n: Translator) -> list[Series]:
    """Negative, neutral and positive mentions per day."""
    return [
        Series(s, i18n.t(f"sentiment.{s}"), {d: getattr(t, s) for d, t in data.by_day.items()})
        for s in ("negative", "neutral", "positive")
    ]


def _chart_block(
    request: Request,
    chart_id: str,
    title: str,
    data: Listening,
    series: list[Series],
    split: str,
    chart: Callable[[list[Series]], DayChart],
    fmt: InsightsFormat,
) -> Markup:
    """A chart, its legend and its table (``desk/_insight_day_chart.html``), from ``CHARTS`` when
    the same figures were drawn already in the same language, time zone, period and workspace."""
    period, i18n = data.period, fmt.i18n
    key = (
        request.url.path, chart_id, title, split, i18n.locale, period.timezone,
        period.start, period.end, period.days,
        tuple((s.key, s.label, tuple(s.values.items())) for s in series),
        tuple((d, t.mentions, t.positive, t.neutral, t.negative) for d, t in data.by_day.items()),
    )  # fmt: skip

    def draw() -> Markup:
        template = request.app.state.templates.get_template("desk/_insight_day_chart.html")
        return Markup(
            template.render(
                t=i18n.t,
                i18n=i18n,
                fmt=fmt,
                c=chart(series),
                id=chart_id,
                title=title,
                days=period.day_list,
                by_day=data.by_day,
                segments=segments_markup,
                sentiments=SENTIMENTS if split == "sentiment" else None,
            )  # fmt: skip
        )

    return CHARTS.get(key, draw)


def _volume_chart(
    data: Listening, split: str, series: list[Series], links: DayLinks, fmt: InsightsFormat
) -> DayChart:
    label_of = {"platform": "platform", "lang": "lang", "brand": "brand"}

    def href(day: date, s: Series) -> str:
        key = None if s.key == "und" else s.key
        return links(day, **{label_of[split]: key})

    return stacked_days(
        data.period.day_list,
        series,
        href=href,
        title=lambda day, s, n: f"{fmt.day(day)} · {s.label} · {fmt.mentions(n)}",
        day_label=fmt.day,
        tick_label=fmt.count,
    )


def _sentiment_chart(data: Listening, series: list[Series], links: DayLinks, fmt: InsightsFormat) -> DayChart:
    return stacked_days(
        data.period.day_list,
        series,
        href=lambda day, s: links(day, sentiment=s.key),
        title=lambda day, s, n: f"{fmt.day(day)} · {s.label} · {fmt.mentions(n)}",
        day_label=fmt.day,
        tick_label=fmt.count,
    )


def _headline(data: Listening, fmt: InsightsFormat) -> list[dict[str, str]]:
    now, before = data.total, data.previous

    def negative_share(t: Tally) -> float | None:
        return t.negative / t.mentions if t.mentions else None

    return [
        {
            "key": "mentions",
            "value": fmt.count(now.mentions),
            "change": fmt.change(now.mentions, before.mentions),
        },
        {"key": "net", "value": fmt.net(now.net), "change": fmt.points(now.net, before.net)},
        {
            "key": "negative",
            "value": fmt.share(negative_share(now)),
            "change": fmt.points(negative_share(now), negative_share(before)),
        },
        {
            "key": "engagement",
            "value": fmt.count(now.engagement),
            "change": fmt.change(now.engagement, before.engagement),
        },
    ]


def _language(i18n: Translator, code: str) -> str:
    if code == "und":
        return i18n.t("insights.lang_unknown")
    label = i18n.t(f"inbox.lang.{code}")
    return code if label == f"inbox.lang.{code}" else label
