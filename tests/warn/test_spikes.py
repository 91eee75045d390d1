from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from ecoute.warn.spikes import NegativeShareDetector, SpikeDetector, SpikeSettings
from warn_series import START, STEP, seasonal_counts, with_spike

SPIKE_AT = 20 * 288 + 150  # day 21, 12:30


def run(stamps, values, settings=None):
    detector = SpikeDetector(settings)
    return detector, list(detector.run(zip(stamps, values, strict=True)))


def test_an_injected_spike_raises_one_alert_with_start_peak_and_end():
    stamps, values = seasonal_counts(28)
    spiked = with_spike(values, SPIKE_AT, 24, 4.0)
    detector, decisions = run(stamps, spiked)
    alerted = [i for i, d in enumerate(decisions) if d.alert]
    assert any(SPIKE_AT <= i <= SPIKE_AT + 3 for i in alerted)
    in_spike = [i for i in alerted if SPIKE_AT - 288 <= i <= SPIKE_AT + 2 * 288]
    assert len(in_spike) == 1
    episode = next(e for e in detector.episodes if e.start == stamps[in_spike[0]])
    assert episode.start <= episode.peak <= stamps[SPIKE_AT + 24]
    assert episode.end is not None and episode.end > stamps[SPIKE_AT + 24]
    assert episode.observed > 2 * episode.expected


def test_alerts_on_a_calm_series_stay_near_the_target_rate():
    stamps, values = seasonal_counts(42, seed=11)
    _, decisions = run(stamps, values)
    weeks = 42 / 7
    assert sum(d.alert for d in decisions) <= 1.0 * weeks


def test_a_decision_uses_only_the_rows_up_to_it():
    stamps, values = seasonal_counts(21)
    _, original = run(stamps, values)
    changed_future = values[:4000] + [v * 5 for v in values[4000:]]
    _, rerun = run(stamps, changed_future)
    assert [(d.score, d.alert) for d in original[:4000]] == [(d.score, d.alert) for d in rerun[:4000]]
    assert [d.score for d in original[4000:4100]] != [d.score for d in rerun[4000:4100]]


def test_scores_lie_between_zero_and_one_and_alerts_sit_at_or_above_half():
    stamps, values = seasonal_counts(28)
    _, decisions = run(stamps, with_spike(values, SPIKE_AT, 24, 4.0))
    assert all(0.0 <= d.score <= 1.0 for d in decisions)
    assert all(d.score >= 0.5 for d in decisions if d.alert)


def test_nothing_is_raised_during_warm_up():
    stamps, values = seasonal_counts(3)
    _, decisions = run(stamps, with_spike(values, 200, 24, 10.0))
    assert not any(d.alert for d in decisions)


def test_a_tiny_series_needs_a_real_excess_before_alerting():
    stamps, values = seasonal_counts(28, level=0.05)
    spiked = with_spike(values, SPIKE_AT, 1, 1.0)
    spiked[SPIKE_AT] = 3.0  # from almost nothing to three mentions: not a crisis
    _, decisions = run(stamps, spiked, SpikeSettings(min_excess=5.0))
    assert not decisions[SPIKE_AT].alert


def test_rows_out_of_order_are_refused():
    detector = SpikeDetector()
    stamps, values = seasonal_counts(1)
    detector.update(stamps[1], values[1])
    with pytest.raises(ValueError, match="increasing time order"):
        detector.update(stamps[0], values[0])


def test_a_wider_cooldown_merges_close_spikes_into_one_episode():
    stamps, values = seasonal_counts(28)
    twice = with_spike(with_spike(values, SPIKE_AT, 24, 4.0), SPIKE_AT + 60, 24, 4.0)
    long_detector, _ = run(stamps, twice, SpikeSettings(cooldown=timedelta(hours=24)))
    assert (
        sum(SPIKE_AT - 10 <= (e.start - stamps[0]) / STEP <= SPIKE_AT + 200 for e in long_detector.episodes)
        == 1
    )


def test_a_jump_in_negative_share_at_flat_volume_raises_one_alert():
    stamps, totals = seasonal_counts(28, seed=3)
    rng = np.random.default_rng(5)
    negative = [float(rng.binomial(int(t), 0.08)) for t in totals]
    for i in range(SPIKE_AT, SPIKE_AT + 24):
        negative[i] = float(rng.binomial(int(totals[i]), 0.35))
    detector = NegativeShareDetector()
    decisions = [detector.update(t, n, total) for t, n, total in zip(stamps, negative, totals, strict=True)]
    alerted = [i for i, d in enumerate(decisions) if d.alert]
    near = [i for i in alerted if SPIKE_AT - 288 <= i <= SPIKE_AT + 288]
    assert len(near) == 1 and SPIKE_AT <= near[0] <= SPIKE_AT + 2
    episode = next(e for e in detector.episodes if e.start == stamps[near[0]])
    assert episode.observed > 2 * episode.expected


def test_a_negative_count_above_the_total_is_refused():
    detector = NegativeShareDetector()
    with pytest.raises(ValueError, match="cannot exceed total"):
        detector.update(START, 5, 3)
