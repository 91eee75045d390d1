"""Geometry of the Insights charts (inline SVG, drawn by the template): stacked bars per day, each
segment a link to the inbox filtered to exactly its mentions, with its numbers in a title."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

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
