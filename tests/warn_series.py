"""Synthetic mention counts with a daily and weekly rhythm, for the spike detector's tests."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np

START = datetime(2026, 3, 2)  # a Monday
STEP = timedelta(minutes=5)


def seasonal_counts(days: int, seed: int = 7, level: float = 60.0) -> tuple[list[datetime], list[float]]:
    rng = np.random.default_rng(seed)
    stamps = [START + i * STEP for i in range(days * 288)]
    rates = [
        level
        * (1.0 + 0.6 * math.sin(2 * math.pi * (t.hour * 60 + t.minute) / 1440))
        * (0.6 if t.weekday() >= 5 else 1.0)
        for t in stamps
    ]
    return stamps, [float(v) for v in rng.poisson(rates)]


def with_spike(values: list[float], start: int, rows: int, factor: float) -> list[float]:
    return [v * factor if start <= i < start + rows else v for i, v in enumerate(values)]
