"""Geometry of the Insights charts (inline SVG): stacked bars per day, each segment a link to the
inbox filtered to exactly its mentions, with its numbers in a title.

A 90-day chart has several hundred segments: ``segments_markup`` writes them in one pass (what the
template's loop wrote, character for character, without a template call per attribute), and
``DayLinks`` builds their links from one encoded prefix per day and one suffix per series.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from ecoute.web.pages.metrics_view import Tick

MAX_X_LABELS = 8


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    series: int  # the series' index, for its colour
    title: str
    href: str


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: Mapping[date, int]


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    left: int
    top: int
    right: float
    bottom: float
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    segments: list[Segment]
    series: list[Series]

    @property
    def empty(self) -> bool:
        return not self.segments


def count_ticks(largest: int) -> list[float]:
    """0 and up to five round steps reaching at least ``largest``."""
    if largest <= 0:
        return [0.0, 1.0]
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, step)
    return [float(step * i) for i in range(math.ceil(largest / step) + 1)]


def stacked_days(
    days: Sequence[date],
    series: Sequence[Series],
    *,
    href: Callable[[date, Series], str],
    title: Callable[[date, Series, int], str],
    day_label: Callable[[date], str],
    tick_label: Callable[[float], str],
    width: int = 640,
    height: int = 240,
    left: int = 48,
    right: int = 12,
    top: int = 16,
    bottom: int = 30,
) -> DayChart:
    plot_w = width - left - right
    plot_h = height - top - bottom
    base = top + plot_h
    totals = [sum(s.values.get(d, 0) for s in series) for d in days]
    ticks = count_ticks(max(totals, default=0))
    top_value = ticks[-1] or 1.0
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.72, 1.0)
    segments: list[Segment] = []
    for index, day in enumerate(days):
        x = round(left + slot * index + (slot - bar) / 2, 2)
        stacked = 0
        for number, s in enumerate(series):
            value = s.values.get(day, 0)
            if not value:
                continue
            y_low = base - plot_h * stacked / top_value
            stacked += value
            y_high = base - plot_h * stacked / top_value
            segments.append(
                Segment(x, round(y_high, 2), round(bar, 2), round(y_low - y_high, 2), number,
                        title(day, s, value), href(day, s))
            )  # fmt: skip
    every = max(1, math.ceil(len(days) / MAX_X_LABELS))
    x_ticks = [
        Tick(round(left + slot * (i + 0.5), 2), day_label(d)) for i, d in enumerate(days) if i % every == 0
    ]
    y_ticks = [Tick(round(base - plot_h * t / top_value, 2), tick_label(t)) for t in ticks]
    return DayChart(width, height, left, top, width - right, base, x_ticks, y_ticks, segments, list(series))


def segments_markup(chart: DayChart, linked: bool = True) -> Markup:
    """The chart's segments as SVG: each a ``rect`` with its title, inside a link to its mentions
    when ``linked``; the same text a template loop writes, escaped the same way."""
    parts = []
    for s in chart.segments:
        rect = (
            f'<rect class="seg s{s.series % 12}" x="{s.x}" y="{s.y}" width="{s.width}" '
            f'height="{s.height}"><title>{escape(s.title)}</title></rect>'
        )
        parts.append(f'<a href="{escape(s.href)}">{rect}</a>' if linked else rect)
    return Markup("".join(parts))


class DayLinks:
    """Links to the inbox listing exactly the mentions of a period, or of one of its days, with
    more filters: ``status=all&scope=mentions&since=…&until=…`` then the filters, as
    ``urlencode`` writes them. Each day's part is encoded once, each filter once."""

    def __init__(self, base: str, bounds: Callable[[date | None], tuple[datetime, datetime]]) -> None:
        self.base = base
        self.bounds = bounds
        self._days: dict[date | None, str] = {}
        self._filters: dict[tuple[tuple[str, Any], ...], str] = {}

    def __call__(self, day: date | None = None, **labels: Any) -> str:
        prefix = self._days.get(day)
        if prefix is None:
            since, until = self.bounds(day)
            prefix = self._days[day] = self.base + urlencode(
                {"status": "all", "scope": "mentions", "since": since.isoformat(), "until": until.isoformat()}
            )
        key = tuple(labels.items())
        suffix = self._filters.get(key)
        if suffix is None:
            wanted = {k: v for k, v in labels.items() if v is not None}
            suffix = self._filters[key] = "&" + urlencode(wanted) if wanted else ""
        return prefix + suffix


class ChartCache:
    """Rendered charts by what they show: the key holds every figure, label and link a chart is
    drawn from, so a hit is the chart the figures give now (a change anywhere gives a new key),
    and the least recently used are dropped past ``size``. Shared by the app's threads."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._charts: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, draw: Callable[[], Markup]) -> Markup:
        with self._lock:
            chart = self._charts.get(key)
            if chart is not None:
                self._charts.move_to_end(key)
                self.hits += 1
                return chart
            self.misses += 1
        chart = draw()  # outside the lock: two threads may draw the same chart, with the same result
        with self._lock:
            self._charts[key] = chart
            while len(self._charts) > self.size:
                self._charts.popitem(last=False)
        return chart

    def clear(self) -> None:
        with self._lock:
            self._charts.clear()
