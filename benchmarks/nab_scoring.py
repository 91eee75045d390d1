"""NAB's scoring (standard profile by default), ported from numenta/NAB (MIT): ``nab/sweeper.py``
(windows, scaled sigmoid, probation) and ``nab/runner.py`` (normalisation against the null and the
perfect detectors). Scores binary detections as deployed: no threshold sweep."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Profile:
    tp: float = 1.0
    fp: float = 0.11
    fn: float = 1.0


STANDARD = Profile()
REWARD_LOW_FP = Profile(fp=0.22)
REWARD_LOW_FN = Profile(fn=2.0)
PROBATION_PERCENT = 0.15


@dataclass(frozen=True)
class FileScore:
    raw: float
    true_positives: int
    false_positives: int
    false_negatives: int
    windows: int


def scaled_sigmoid(position: float) -> float:
    """NAB's ``scaledSigmoid``: 0.987 at a window's left edge (-1), 0 at its right edge, -1 far after."""
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probation_rows(length: int, percent: float = PROBATION_PERCENT) -> int:
    """NAB's ``getProbationPeriod``: the first rows of a file that are never scored."""
    return int(min(math.floor(percent * length), percent * 5000))


def score_file(
    timestamps: Sequence[datetime],
    detections: Sequence[bool],
    windows: Sequence[tuple[datetime, datetime]],
    profile: Profile = STANDARD,
) -> FileScore:
    """Score one file's detections as NAB's ``Sweeper`` does for one threshold.

    Inside a window, only the earliest detection counts (the sigmoid of its relative position);
    every detection outside windows costs ``fp`` times the sigmoid of its distance past the
    previous window (full cost when no window precedes it); an undetected window costs ``fn``."""
    if len(timestamps) != len(detections):
        raise ValueError("timestamps and detections differ in length")
    index = {ts: i for i, ts in enumerate(timestamps)}
    bounds = []
    for start, end in windows:
        if start not in index or end not in index:
            raise ValueError(f"window {start}..{end} does not start and end on rows of the file")
        bounds.append((index[start], index[end]))
    bounds.sort()
    max_tp = scaled_sigmoid(-1.0)
    probation = probation_rows(len(timestamps))
    best_in_window: dict[int, float] = {}
    fp_total, fp_count = 0.0, 0
    upcoming = 0
    current: int | None = None
    previous: int | None = None
    for i, detected in enumerate(detections):
        if current is None and upcoming < len(bounds) and i == bounds[upcoming][0]:
            current, upcoming = upcoming, upcoming + 1
        if current is not None:
            left, right = bounds[current]
            width = right - left + 1
            weighted = scaled_sigmoid(-(right - i + 1) / width) * profile.tp / max_tp
        elif previous is None:
            weighted = -1.0 * profile.fp
        else:
            p_left, p_right = bounds[previous]
            past = abs(p_right - i) / float(p_right - p_left)
            weighted = scaled_sigmoid(past) * profile.fp
        if detected and i >= probation:
            if current is not None:
                best_in_window.setdefault(current, weighted)
            else:
                fp_total += weighted
                fp_count += 1
        if current is not None and i == bounds[current][1]:
            previous, current = current, None
    misses = len(bounds) - len(best_in_window)
    raw = sum(best_in_window.values()) + fp_total - profile.fn * misses
    return FileScore(raw, len(best_in_window), fp_count, misses, len(bounds))


def normalised(scores: Sequence[FileScore], profile: Profile = STANDARD) -> float:
    """NAB's ``normalize``: 100 * (S - S_null) / (S_perfect - S_null) over a set of files."""
    windows = sum(s.windows for s in scores)
    if windows == 0:
        raise ValueError("no labelled windows to score against")
    null = -profile.fn * windows
    perfect = profile.tp * windows
    return 100.0 * (sum(s.raw for s in scores) - null) / (perfect - null)
