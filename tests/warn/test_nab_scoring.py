"""The port of NAB's standard-profile scoring, checked against NAB's own rules."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from nab_scoring import STANDARD, normalised, probation_rows, scaled_sigmoid, score_file  # noqa: E402

STAMPS = [datetime(2015, 3, 1) + timedelta(minutes=5 * i) for i in range(2000)]
WINDOWS = [(STAMPS[1000], STAMPS[1099]), (STAMPS[1500], STAMPS[1599])]


def flags(*rows):
    marked = set(rows)
    return [i in marked for i in range(len(STAMPS))]


def test_the_null_detector_scores_zero_and_the_perfect_one_a_hundred():
    assert normalised([score_file(STAMPS, flags(), WINDOWS)]) == pytest.approx(0.0)
    assert normalised([score_file(STAMPS, flags(1000, 1500), WINDOWS)]) == pytest.approx(100.0)


def test_the_scaled_sigmoid_matches_nab():
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert scaled_sigmoid(0.0) == pytest.approx(0.0)
    assert scaled_sigmoid(3.5) == -1.0


def test_only_the_earliest_detection_in_a_window_counts():
    once = score_file(STAMPS, flags(1050), WINDOWS)
    twice = score_file(STAMPS, flags(1050, 1060, 1090), WINDOWS)
    assert once.raw == twice.raw
    assert once.true_positives == 1 and once.false_negatives == 1


def test_a_false_positive_far_from_any_window_costs_the_fp_weight():
    null = score_file(STAMPS, flags(), WINDOWS)
    early = score_file(STAMPS, flags(400), WINDOWS)
    assert early.raw - null.raw == pytest.approx(-STANDARD.fp)


def test_a_false_positive_just_after_a_window_costs_less():
    just_after = score_file(STAMPS, flags(1101), WINDOWS).raw
    far_after = score_file(STAMPS, flags(1450), WINDOWS).raw
    null = score_file(STAMPS, flags(), WINDOWS).raw
    assert -STANDARD.fp < just_after - null < 0
    assert far_after - null == pytest.approx(-STANDARD.fp)


def test_detections_in_the_probation_period_are_ignored():
    assert probation_rows(2000) == 300
    assert probation_rows(16000) == 750
    assert score_file(STAMPS, flags(10), WINDOWS).raw == score_file(STAMPS, flags(), WINDOWS).raw


def test_a_late_detection_earns_less_than_an_early_one():
    early = score_file(STAMPS, flags(1000), WINDOWS).raw
    middle = score_file(STAMPS, flags(1050), WINDOWS).raw
    late = score_file(STAMPS, flags(1099), WINDOWS).raw
    assert early > middle > late
