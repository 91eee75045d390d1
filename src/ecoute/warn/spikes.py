"""Streaming spike detection on counts per fixed interval (volume, or negative share).

A decision at a row uses only the rows up to it. The signal (log of the recent window's mean
count) is compared with a seasonal baseline: the median of the same hour of day over the last
week, corrected by the median residual of the same hour of week over the last weeks. The spread
is a robust one (the median absolute deviation of recent residuals). The threshold is not a
nominal p-value: it is recalibrated every day so that the recent history would have raised about
``alerts_per_week`` episodes. One alert per episode: an episode opens when the standardised
residual crosses the threshold, keeps its peak, and closes once the residual has stayed low for
``cooldown``."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class SpikeSettings:
    """The detector's defaults; the evaluation contract runs with exactly these."""

    window: timedelta = timedelta(minutes=30)
    baseline_days: int = 7
    season_weeks: int = 4
    spread_days: int = 7
    calibration_days: int = 28
    alerts_per_week: float = 1.0
    min_z: float = 4.0
    rearm_z: float = 3.0
    cooldown: timedelta = timedelta(hours=24)
    warmup: timedelta = timedelta(days=2)
    min_excess: float = 5.0


@dataclass
class Episode:
    """One alert: when it started, its peak, and when it ended (``None`` while it is open)."""

    start: datetime
    peak: datetime
    peak_z: float
    observed: float
    expected: float
    end: datetime | None = None


@dataclass(frozen=True)
class Decision:
    timestamp: datetime
    value: float
    score: float
    alert: bool
    expected: float
    z: float


@dataclass
class _Buckets:
    """Recent values per seasonal bucket, each bucket keeping at most ``size`` values."""

    size: int
    values: dict[int, deque[float]] = field(default_factory=dict)

    def add(self, key: int, value: float) -> None:
        self.values.setdefault(key, deque(maxlen=self.size)).append(value)

    def median(self, key: int) -> tuple[float, int]:
        found = self.values.get(key)
        if not found:
            return 0.0, 0
        return float(np.median(np.fromiter(found, float, len(found)))), len(found)


class _SeasonalDetector:
    """The shared machinery: seasonal baseline, robust spread, calibrated threshold, episodes.
    Subclasses say what the signal is and how many mentions the baseline expects."""

    def __init__(self, settings: SpikeSettings | None = None) -> None:
        self.settings = settings or SpikeSettings()
        self.episodes: list[Episode] = []
        self._first: datetime | None = None
        self._last: datetime | None = None
        self._interval: timedelta | None = None
        self._hours = self._weeks = _Buckets(1)  # sized at the second row, once the interval is known
        self._recent: deque[tuple[float, float]] = deque()
        self._residuals: deque[float] = deque()
        self._zs: deque[float] = deque()
        self._threshold = self.settings.min_z
        self._calibrated_at: datetime | None = None
        self._open: Episode | None = None
        self._quiet_since: datetime | None = None

    def _step(self, timestamp: datetime, part: float, whole: float) -> Decision:
        self._advance_clock(timestamp)
        self._recent.append((part, whole))
        parts = sum(p for p, _ in self._recent)
        wholes = sum(w for _, w in self._recent)
        signal = self._signal(parts, wholes)
        hour_key, week_key = _hour_of_day(timestamp), _hour_of_week(timestamp)
        level, level_n = self._hours.median(hour_key)
        season, season_n = self._weeks.median(week_key)
        season *= season_n / (season_n + self._rows_per_hour())  # shrink while weeks are few
        expected_signal = level + season
        residual = signal - expected_signal
        z = residual / self._spread() if level_n else 0.0
        ready = timestamp - self._first >= self.settings.warmup
        observed = parts
        expected = self._expected(expected_signal, wholes)
        big_enough = observed - expected >= self.settings.min_excess
        alert = self._track_episode(timestamp, z, ready and big_enough, observed, expected)
        self._learn(hour_key, week_key, signal, level, residual, z, timestamp, level_n)
        return Decision(timestamp, part, _score(z, self._threshold), alert, expected, z)

    def _signal(self, parts: float, wholes: float) -> float:
        raise NotImplementedError

    def _expected(self, expected_signal: float, wholes: float) -> float:
        raise NotImplementedError

    def _advance_clock(self, timestamp: datetime) -> None:
        if self._last is not None and timestamp <= self._last:
            raise ValueError(
                f"rows must be in strictly increasing time order: {timestamp} after {self._last}"
            )
        if self._first is None:
            self._first = timestamp
        elif self._interval is None:
            self._interval = timestamp - self._last
            self._size_memories()
        self._last = timestamp

    def _size_memories(self) -> None:
        per_day = max(1, round(timedelta(days=1) / self._interval))
        per_hour = max(1, round(timedelta(hours=1) / self._interval))
        self._hours = _Buckets(per_hour * self.settings.baseline_days)
        self._weeks = _Buckets(per_hour * self.settings.season_weeks)
        self._residuals = deque(maxlen=per_day * self.settings.spread_days)
        self._zs = deque(maxlen=per_day * self.settings.calibration_days)
        self._recent = deque(self._recent, maxlen=max(1, round(self.settings.window / self._interval)))

    def _rows_per_hour(self) -> int:
        return max(1, round(timedelta(hours=1) / self._interval)) if self._interval else 1

    def _spread(self) -> float:
        if len(self._residuals) < 12:
            return 1.0
        values = np.fromiter(self._residuals, float, len(self._residuals))
        mad = float(np.median(np.abs(values - np.median(values))))
        return max(MAD_TO_SIGMA * mad, 0.05)

    def _learn(self, hour_key, week_key, signal, level, residual, z, timestamp, level_n) -> None:
        if self._interval is None:
            return
        self._hours.add(hour_key, signal)
        if level_n:
            self._weeks.add(week_key, signal - level)
            self._residuals.append(residual)
            self._zs.append(z)
        if self._calibrated_at is None or timestamp - self._calibrated_at >= timedelta(days=1):
            self._calibrate(timestamp)

    def _calibrate(self, timestamp: datetime) -> None:
        """Pick the lowest threshold at which the recent history would have raised no more than
        ``alerts_per_week`` episodes (never below ``min_z``)."""
        self._calibrated_at = timestamp
        if not self._zs:
            return
        zs = np.fromiter(self._zs, float, len(self._zs))
        weeks = len(zs) * self._interval / timedelta(days=7)
        budget = self.settings.alerts_per_week * weeks
        gap = self.settings.cooldown / self._interval
        for candidate in np.arange(self.settings.min_z, 30.0, 0.25):
            above = np.flatnonzero(zs >= candidate)
            episodes = 0 if not len(above) else 1 + int(np.sum(np.diff(above) > gap))
            if episodes <= budget:
                self._threshold = float(candidate)
                return
        self._threshold = 30.0

    def _track_episode(self, timestamp, z, may_alert, observed, expected) -> bool:
        episode = self._open
        if episode is not None:
            if z > episode.peak_z:
                episode.peak, episode.peak_z = timestamp, z
                episode.observed, episode.expected = observed, expected
            if z >= self.settings.rearm_z:
                self._quiet_since = None
            elif self._quiet_since is None:
                self._quiet_since = timestamp
            elif timestamp - self._quiet_since >= self.settings.cooldown:
                episode.end, self._open = timestamp, None
            return False
        if may_alert and z >= self._threshold:
            self._open = Episode(timestamp, timestamp, z, observed, expected)
            self._quiet_since = None
            self.episodes.append(self._open)
            return True
        return False


class SpikeDetector(_SeasonalDetector):
    """Volume spikes. Feed rows in time order with :meth:`update`; read the episodes (closed
    and open) from :attr:`episodes`."""

    def update(self, timestamp: datetime, value: float) -> Decision:
        """Take the count of the interval ending at ``timestamp``; decide on it."""
        _check_count("value", value)
        return self._step(timestamp, value, value)

    def run(self, rows: Iterable[tuple[datetime, float]]) -> Iterator[Decision]:
        for timestamp, value in rows:
            yield self.update(timestamp, value)

    def _signal(self, parts: float, wholes: float) -> float:
        """Volume: the log of the window's mean count per interval."""
        return math.log1p(parts / len(self._recent))

    def _expected(self, expected_signal: float, wholes: float) -> float:
        """Mentions the baseline expects in the window (never below none)."""
        return max(0.0, math.expm1(expected_signal)) * len(self._recent)


def _score(z: float, threshold: float) -> float:
    """Map a standardised residual to [0, 1]: 0 at or below the baseline, 0.5 at the threshold."""
    if z <= 0:
        return 0.0
    return z / (z + threshold)


def _hour_of_day(timestamp: datetime) -> int:
    return timestamp.hour


def _hour_of_week(timestamp: datetime) -> int:
    return timestamp.weekday() * 24 + timestamp.hour


class NegativeShareDetector(_SeasonalDetector):
    """Spikes in the share of negative mentions, so a rise from 5 % to 20 % negative stands out
    even when volume is flat.

    The usual share is read from counts, not from each interval's own share: the negative and total
    mentions of the same hour of day over the last ``baseline_days``, pooled, and shrunk toward the
    share over all hours (``PRIOR`` mentions' worth), so an hour that usually holds one or two
    mentions does not make its share 0 % or 100 %. The window's negatives are compared with what
    that share expects of its mentions (a binomial z, divided by the recent spread of those z when
    they vary more than chance alone would). A share needs mentions to mean something: when the
    window holds fewer than ``MIN_MENTIONS``, it reaches back over earlier intervals until it does
    (at most ``LONGEST``), so a small brand's burst of a dozen complaints an hour is read over its
    first hours together rather than one sparse hour at a time. An interval without any mention
    says nothing about the share: it is neither scored nor learnt. The threshold's calibration to
    a target rate, the episodes and ``min_excess`` (negative mentions above the usual share) are
    the volume detector's."""

    PRIOR = 20.0
    MIN_MENTIONS = 30
    LONGEST = timedelta(hours=6)

    def __init__(self, settings: SpikeSettings | None = None) -> None:
        super().__init__(settings)
        self._by_hour: dict[int, deque[tuple[float, float]]] = {}
        self._overall: deque[tuple[float, float]] = deque()
        self._history: deque[tuple[float, float]] = deque()
        self._hour_size = 1

    def update(self, timestamp: datetime, negative: float, total: float) -> Decision:
        _check_count("negative", negative)
        _check_count("total", total)
        if negative > total:
            raise ValueError(f"negative ({negative}) cannot exceed total ({total})")
        return self._step(timestamp, negative, total)

    def _size_memories(self) -> None:
        super()._size_memories()
        per_hour = max(1, round(timedelta(hours=1) / self._interval))
        per_day = max(1, round(timedelta(days=1) / self._interval))
        self._hour_size = per_hour * self.settings.baseline_days
        self._by_hour = {k: deque(v, maxlen=self._hour_size) for k, v in self._by_hour.items()}
        self._overall = deque(self._overall, maxlen=per_day * self.settings.baseline_days)
        self._history = deque(self._history, maxlen=max(1, round(self.LONGEST / self._interval)))

    def usual_share(self, timestamp: datetime) -> float | None:
        """The share of negative mentions usual at this hour of day (None before any mention)."""
        overall_negative = sum(n for n, _ in self._overall)
        overall_total = sum(t for _, t in self._overall)
        if not overall_total:
            return None
        everywhere = (overall_negative + 0.5) / (overall_total + 1.0)
        hour = self._by_hour.get(_hour_of_day(timestamp), ())
        negative, total = sum(n for n, _ in hour), sum(t for _, t in hour)
        return min(0.99, max(0.01, (negative + self.PRIOR * everywhere) / (total + self.PRIOR)))

    def _window(self) -> tuple[float, float]:
        """Negative and total mentions of the window, reaching back while it holds too few."""
        parts = wholes = 0.0
        for rows, (part, whole) in enumerate(reversed(self._history), start=1):
            parts, wholes = parts + part, wholes + whole
            if rows >= len(self._recent) and wholes >= self.MIN_MENTIONS:
                break
        return parts, wholes

    def _step(self, timestamp: datetime, part: float, whole: float) -> Decision:
        self._advance_clock(timestamp)
        self._recent.append((part, whole))
        self._history.append((part, whole))
        parts, wholes = self._window()
        share = self.usual_share(timestamp)
        informative = wholes > 0 and share is not None
        expected = wholes * share if share is not None else 0.0
        raw = (parts - expected) / math.sqrt(wholes * share * (1.0 - share)) if informative else 0.0
        z = raw / self._spread() if informative else 0.0
        ready = timestamp - self._first >= self.settings.warmup
        big_enough = parts - expected >= self.settings.min_excess
        alert = self._track_episode(timestamp, z, informative and ready and big_enough, parts, expected)
        if whole > 0:
            key = _hour_of_day(timestamp)
            self._by_hour.setdefault(key, deque(maxlen=self._hour_size)).append((part, whole))
            self._overall.append((part, whole))
        if informative and self._interval is not None:
            self._residuals.append(raw)
            self._zs.append(z)
        if self._interval is not None and (
            self._calibrated_at is None or timestamp - self._calibrated_at >= timedelta(days=1)
        ):
            self._calibrate(timestamp)
        return Decision(timestamp, part, _score(z, self._threshold), alert, expected, z)

    def _spread(self) -> float:
        """How much more than chance the binomial z varies lately (never less than chance)."""
        if len(self._residuals) < 12:
            return 1.0
        values = np.fromiter(self._residuals, float, len(self._residuals))
        mad = float(np.median(np.abs(values - np.median(values))))
        return max(MAD_TO_SIGMA * mad, 1.0)


def _check_count(name: str, value: float) -> None:
    if not isinstance(value, int | float) or math.isnan(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
