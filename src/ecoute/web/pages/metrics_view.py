"""What the metrics page draws: figures in the reader's language, and the weekly charts as plain
geometry (the template turns it into inline SVG, so the page needs no script and no CDN).

Durations read like people write them ("1 h 12 min" / "1 hr 12 min", "2 j 4 h" / "2 days 4 hr");
weeks without any conversation stay on the axis as gaps, so a quiet week is not hidden.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from babel import Locale
from babel.dates import format_skeleton
from babel.units import format_unit

from ecoute.insights.response_metrics import MetricRow
from ecoute.web.i18n import Translator

MAX_WEEKS = 104  # two years on one chart; the page says when earlier weeks are left out
MAX_X_LABELS = 7
ZERO_BAR = 2.0  # the height of a bar at 0, so that it differs from a week without any conversation
# Steps for the time axis, in seconds: a minute up to a week.
TIME_STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400, 172800, 604800)


class MetricsFormat:
    """Rates, durations and dates for the metrics page, in the reader's language."""

    def __init__(self, i18n: Translator):
        self.i18n = i18n
        self.locale = Locale.parse(i18n.locale)

    def rate(self, share: float | None) -> str:
        return "—" if share is None else self.i18n.percent(share)

    def count(self, value: int) -> str:
        return self.i18n.number(value)

    def _unit(self, value: int, unit: str) -> str:
        return format_unit(value, f"duration-{unit}", length="short", locale=self.locale)

    def duration(self, seconds: float | None) -> str:
        """``42 s``, ``12 min``, ``3 h 05 min``, ``2 j 4 h``; ``—`` when there is nothing to measure."""
        if seconds is None:
            return "—"
        whole = round(seconds)
        if whole < 60:
            return self._unit(whole, "second")
        if whole < 3600:
            return self._unit(whole // 60, "minute")
        if whole < 86400:
            hours, minutes = divmod(whole // 60, 60)
            return self._unit(hours, "hour") + (f" {self._unit(minutes, 'minute')}" if minutes else "")
        days, hours = divmod(whole // 3600, 24)
        return self._unit(days, "day") + (f" {self._unit(hours, 'hour')}" if hours else "")

    def time_axis(self, ticks: Sequence[float]) -> Callable[[float], str]:
        """Tick labels in one unit for the whole axis: ``30 min``, ``6 h``, ``2 j``."""
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 3600
        unit, size = ("minute", 60) if step < 3600 else ("hour", 3600) if step < 86400 else ("day", 86400)
        return lambda seconds: self._unit(round(seconds / size), unit) if seconds else "0"

    def day(self, value: date) -> str:
        """``12 oct.`` / ``Oct 12``."""
        return format_skeleton("MMMd", value, locale=self.locale)

    def full_day(self, value: date) -> str:
        return format_skeleton("yMMMd", value, locale=self.locale)


@dataclass(frozen=True)
class Week:
    key: str  # 2026-W42, as the report's week groups
    monday: date
    row: MetricRow | None  # None: no conversation opened that week


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_of(groups: Sequence[MetricRow], limit: int = MAX_WEEKS) -> tuple[list[Week], bool]:
    """Every ISO week from the first to the last one with a conversation (the last ``limit`` of
    them), and whether earlier weeks were left out."""
    rows = {g.key: g for g in groups}
    if not rows:
        return [], False
    mondays = [_monday(key) for key in rows]
    last = max(mondays)
    first = max(min(mondays), last - timedelta(weeks=limit - 1))
    weeks = []
    day = first
    while day <= last:
        key = week_key(day)
        weeks.append(Week(key, day, rows.get(key)))
        day += timedelta(weeks=1)
    return weeks, first > min(mondays)


def _monday(key: str) -> date:
    year, _, week = key.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the chart's coordinates
    label: str


@dataclass(frozen=True)
class Mark:
    """One week's value: a bar (rate) or a dot (time), with its hover text."""

    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    top: int
    right: float  # x of the plot's right edge
    bottom: float  # y of the plot's baseline
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    marks: list[Mark]
    lines: list[str]  # polyline points, one per run of consecutive weeks with a value

    @property
    def empty(self) -> bool:
        return not self.marks


@dataclass(frozen=True)
class Frame:
    width: int = 480
    height: int = 230
    left: int = 58
    right: int = 14
    top: int = 28  # room for the y axis' name, written above it
    bottom: int = 36


def weekly_chart(
    weeks: Sequence[Week],
    value: Callable[[MetricRow], float | None],
    *,
    kind: str,
    ticks: Sequence[float],
    tick_label: Callable[[float], str],
    title: Callable[[Week, float], str],
    day_label: Callable[[date], str],
    frame: Frame = Frame(),
) -> Chart:
    """Bars (``kind="bars"``) or a line with dots (``"line"``) of ``value`` per week, on a y axis
    from 0 to the last of ``ticks``."""
    plot_w = frame.width - frame.left - frame.right
    plot_h = frame.height - frame.top - frame.bottom
    base = frame.top + plot_h
    top_value = ticks[-1] if ticks and ticks[-1] > 0 else 1.0
    slot = plot_w / max(len(weeks), 1)

    def y_of(v: float) -> float:
        return round(base - plot_h * min(v, top_value) / top_value, 2)

    marks: list[Mark] = []
    lines: list[str] = []
    run: list[str] = []
    for index, week in enumerate(weeks):
        v = value(week.row) if week.row is not None else None
        centre = frame.left + slot * (index + 0.5)
        if v is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        y = y_of(v)
        if kind == "bars":
            width = max(slot * 0.7, 1.0)
            top = min(y, base - ZERO_BAR)  # a week at 0 % shows a sliver; a week with nothing, none
            marks.append(
                Mark(round(centre - width / 2, 2), top, round(width, 2), round(base - top, 2), title(week, v))
            )
        else:
            marks.append(Mark(round(centre, 2), y, 0, 0, title(week, v)))
            run.append(f"{round(centre, 2)},{y}")
    if len(run) > 1:
        lines.append(" ".join(run))
    every = max(1, math.ceil(len(weeks) / MAX_X_LABELS))
    x_ticks = [
        Tick(round(frame.left + slot * (i + 0.5), 2), day_label(w.monday))
        for i, w in enumerate(weeks)
        if i % every == 0
    ]
    y_ticks = [Tick(y_of(t), tick_label(t)) for t in ticks]
    return Chart(
        frame.width,
        frame.height,
        frame.left,
        frame.top,
        frame.width - frame.right,
        base,
        x_ticks,
        y_ticks,
        marks,
        lines,
    )


RATE_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def time_ticks(longest: float | None) -> list[float]:
    """0 and three to four even steps reaching at least ``longest`` seconds."""
    if not longest or longest <= 0:
        return [0.0, 3600.0]
    step = next((s for s in TIME_STEPS if longest / s <= 4), None)
    if step is None:
        step = TIME_STEPS[-1] * math.ceil(longest / TIME_STEPS[-1] / 4)
    count = max(1, math.ceil(longest / step))
    return [float(step * i) for i in range(count + 1)]
