"""The ``scan-series`` evaluation contract: read ``timestamp,value`` rows, run the spike detector
with its default settings in time order, write them back with ``anomaly_score`` and ``alert``."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from ecoute.warn.spikes import SpikeDetector, SpikeSettings


class SeriesError(ValueError):
    """A row the contract cannot read; the message names its line."""


def read_series(handle: TextIO, name: str = "input") -> Iterator[tuple[int, str, str, datetime, float]]:
    """Yield ``(line, timestamp text, value text, timestamp, value)``; raise on the first bad row."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise SeriesError(f"{name}: empty file; expected a header 'timestamp,value'")
    columns = [c.strip().lower() for c in header]
    if columns[:2] != ["timestamp", "value"]:
        raise SeriesError(
            f"{name}: line 1: header must start with 'timestamp,value', got {','.join(header)!r}"
        )
    previous: datetime | None = None
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise SeriesError(f"{name}: line {line}: expected 'timestamp,value', got {','.join(row)!r}")
        stamp_text, value_text = row[0].strip(), row[1].strip()
        try:
            stamp = datetime.fromisoformat(stamp_text)
        except ValueError:
            raise SeriesError(
                f"{name}: line {line}: timestamp {stamp_text!r} is not an ISO 8601 date and time"
            ) from None
        try:
            value = float(value_text)
        except ValueError:
            value = math.nan
        if math.isnan(value) or math.isinf(value) or value < 0:
            raise SeriesError(f"{name}: line {line}: value {value_text!r} is not a non-negative count")
        if previous is not None and _comparable(stamp) <= _comparable(previous):
            raise SeriesError(
                f"{name}: line {line}: timestamp {stamp_text} is not after "
                f"the previous row's {previous.isoformat(sep=' ')}"
            )
        previous = stamp
        yield line, stamp_text, value_text, stamp, value


def scan_series(
    source: TextIO, target: TextIO, name: str = "input", settings: SpikeSettings | None = None
) -> int:
    """Stream ``source`` into ``target``; return the number of alerts raised."""
    detector = SpikeDetector(settings)
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(["timestamp", "value", "anomaly_score", "alert"])
    raised = 0
    for _line, stamp_text, value_text, stamp, value in read_series(source, name):
        decision = detector.update(_comparable(stamp), value)
        raised += decision.alert
        writer.writerow([stamp_text, value_text, f"{decision.score:.6f}", int(decision.alert)])
    return raised


def _comparable(stamp: datetime) -> datetime:
    """Aware timestamps are compared in their own offset's wall time (hour-of-week is local)."""
    return stamp.replace(tzinfo=None)
