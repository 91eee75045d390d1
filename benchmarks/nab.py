"""Score the spike detector, as deployed (its own ``alert`` flags, default settings), on NAB's
realTweets series with NAB's standard profile; report alerts per series per week, a
leave-one-series-out check, and the detection delay on spikes injected into the real series.

    .venv/bin/python benchmarks/nab.py [--data /work/shared/data/nab-realtweets]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nab_scoring import REWARD_LOW_FN, REWARD_LOW_FP, STANDARD, normalised, score_file  # noqa: E402

from ecoute.warn.spikes import SpikeDetector, SpikeSettings  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/nab-realtweets")


def load_series(path: Path) -> tuple[list[datetime], list[float]]:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [datetime.fromisoformat(r["timestamp"]) for r in rows], [float(r["value"]) for r in rows]


def load_windows(data: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    raw = json.loads((data / "windows.json").read_text())
    return {
        Path(name).name: [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in spans]
        for name, spans in raw.items()
    }


def alerts(timestamps, values, settings: SpikeSettings) -> list[bool]:
    detector = SpikeDetector(settings)
    return [d.alert for d in detector.run(zip(timestamps, values, strict=True))]


def score_all(data: Path, settings: SpikeSettings, profile=STANDARD, names=None):
    windows = load_windows(data)
    per_file = {}
    for name in sorted(names or windows):
        timestamps, values = load_series(data / name)
        flags = alerts(timestamps, values, settings)
        weeks = (timestamps[-1] - timestamps[0]) / timedelta(days=7)
        per_file[name] = (score_file(timestamps, flags, windows[name], profile), sum(flags) / weeks)
    return per_file


def injected_delays(
    data: Path, settings: SpikeSettings, factor: float = 3.0, hours: int = 6
) -> list[tuple[float, bool]]:
    """Multiply a real series by ``factor`` for ``hours`` from 15:00 on a day of weeks 4 to 7,
    away from labelled windows; return, per injection, the minutes from onset to the first alert
    (inf if none) and whether an earlier episode was still open at the onset."""
    windows = load_windows(data)
    delays = []
    for name in sorted(windows):
        timestamps, values = load_series(data / name)
        for week in (4, 5, 6, 7):
            onset = timestamps[0] + timedelta(days=7 * week, hours=15)
            if any(a - timedelta(days=1) <= onset <= b + timedelta(days=1) for a, b in windows[name]):
                continue
            end = onset + timedelta(hours=hours)
            spiked = [v * factor if onset <= t < end else v for t, v in zip(timestamps, values, strict=True)]
            detector = SpikeDetector(settings)
            first, busy = None, False
            for decision in detector.run(zip(timestamps, spiked, strict=True)):
                if decision.timestamp == onset:
                    busy = any(_open_at(e, onset) for e in detector.episodes)
                if decision.alert and onset <= decision.timestamp < end:
                    first = decision.timestamp
                    break
            delays.append(((first - onset) / timedelta(minutes=1) if first else float("inf"), busy))
    return delays


def _open_at(episode, moment: datetime) -> bool:
    return episode.start < moment and (episode.end is None or episode.end >= moment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    settings = SpikeSettings()
    for label, profile in (
        ("standard", STANDARD),
        ("reward_low_FP", REWARD_LOW_FP),
        ("reward_low_FN", REWARD_LOW_FN),
    ):
        per_file = score_all(args.data, settings, profile)
        print(f"NAB {label}: {normalised([s for s, _ in per_file.values()], profile):.1f}")
        if profile is STANDARD:
            for name, (s, rate) in per_file.items():
                print(
                    f"  {name}: TP {s.true_positives}/{s.windows} FP {s.false_positives} "
                    f"file score {normalised([s]):.1f}, alerts/week {rate:.2f}"
                )
            print(
                f"  alerts per series per week (mean): {statistics.mean(r for _, r in per_file.values()):.2f}"
            )
            standard = per_file
    print("Leave-one-series-out (target alert rate chosen on 4 series, scored on the 5th):")
    names = sorted(standard)
    held_scores = []
    for held in names:
        rest = [n for n in names if n != held]
        best = max(
            (0.5, 1.0, 1.5, 2.0),
            key=lambda rate: normalised(
                [
                    s
                    for s, _ in score_all(
                        args.data, replace(settings, alerts_per_week=rate), names=rest
                    ).values()
                ]
            ),
        )
        held_score = score_all(args.data, replace(settings, alerts_per_week=best), names=[held])[held][0]
        held_scores.append(held_score)
        print(f"  {held}: chosen alerts_per_week={best}, held-out file score {normalised([held_score]):.1f}")
    print(f"  pooled held-out score: {normalised(held_scores):.1f}")
    for factor in (3.0, 5.0, 10.0):
        delays = injected_delays(args.data, settings, factor=factor)
        found = [d for d, _ in delays if d != float("inf")]
        busy = sum(b and d == float("inf") for d, b in delays)
        median = statistics.median(found) if found else float("nan")
        print(
            f"Injected x{factor:g} for 6 h: detected {len(found)}/{len(delays)} "
            f"({busy} missed inside an episode already open), "
            f"delay after onset median {median:.0f} min, max {max(found, default=float('nan')):.0f} min"
        )


if __name__ == "__main__":
    main()
