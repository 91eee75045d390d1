"""Viral posts: engagement far above what the author usually gets at the same age (as
CrowdTangle's overperformance and NewsWhip's ratio do), or a sharing velocity that keeps rising."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Curve = Sequence[tuple[float, float]]  # (age in minutes, cumulative engagement), by age


@dataclass(frozen=True)
class ViralSettings:
    ratio: float = 5.0
    min_engagement: float = 50.0
    min_history: int = 3
    velocity_window: timedelta = timedelta(minutes=30)
    min_velocity: float = 60.0  # shares per hour
    acceleration: float = 1.5


@dataclass
class ViralVerdict:
    viral: bool
    ratio: float | None
    expected: float | None
    velocity: float
    reasons: list[str] = field(default_factory=list)


def engagement_at(curve: Curve, age: float) -> float:
    """A past post's cumulative engagement at ``age`` minutes, linearly interpolated (its last
    known value past its last snapshot)."""
    if not curve:
        return 0.0
    previous_age, previous_value = 0.0, 0.0
    for point_age, value in curve:
        if point_age >= age:
            span = point_age - previous_age
            share = (age - previous_age) / span if span else 1.0
            return previous_value + share * (value - previous_value)
        previous_age, previous_value = point_age, value
    return previous_value


def usual_engagement(history: Sequence[Curve], age: float) -> float | None:
    """The median engagement of the author's past posts at the same age; ``None`` when too few."""
    if not history:
        return None
    return statistics.median(engagement_at(curve, age) for curve in history)


def sharing_velocity(
    share_times: Sequence[datetime], now: datetime, window: timedelta
) -> tuple[float, float]:
    """Shares per hour over the last ``window`` and over the window before it."""
    recent = sum(now - window < t <= now for t in share_times)
    earlier = sum(now - 2 * window < t <= now - window for t in share_times)
    per_hour = timedelta(hours=1) / window
    return recent * per_hour, earlier * per_hour


def assess_post(
    engagement: float,
    age: float,
    author_history: Sequence[Curve],
    share_times: Sequence[datetime] = (),
    now: datetime | None = None,
    corpus_history: Sequence[Curve] = (),
    settings: ViralSettings | None = None,
) -> ViralVerdict:
    """Is this post going viral? ``engagement`` at ``age`` minutes, against the author's past
    posts at the same age (or the brand's mention corpus when the author has too few)."""
    cfg = settings or ViralSettings()
    if engagement < 0 or age < 0:
        raise ValueError("engagement and age must be non-negative")
    reasons: list[str] = []
    baseline = author_history if len(author_history) >= cfg.min_history else corpus_history
    whose = "the author's usual" if baseline is author_history else "usual for posts about the brand"
    expected = usual_engagement(baseline, age) if len(baseline) >= cfg.min_history else None
    ratio = None
    viral = False
    if expected is not None:
        ratio = (engagement + 1.0) / (expected + 1.0)
        if ratio >= cfg.ratio and engagement >= cfg.min_engagement:
            viral = True
            reasons.append(
                f"{engagement:.0f} interactions after {age:.0f} min, {ratio:.1f}× {whose} ({expected:.0f})"
            )
    velocity = 0.0
    if share_times and now is not None:
        velocity, before = sharing_velocity(share_times, now, cfg.velocity_window)
        if velocity >= cfg.min_velocity and velocity >= cfg.acceleration * max(before, 1.0):
            viral = True
            reasons.append(f"shared {velocity:.0f} times an hour, up from {before:.0f}")
    return ViralVerdict(viral, None if ratio is None else round(ratio, 3), expected, velocity, reasons)
