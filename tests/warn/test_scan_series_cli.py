from __future__ import annotations

import csv

from cli_run import ecoute
from warn_series import seasonal_counts, with_spike


def write_series(path, stamps, values):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "value"])
        rows = zip(stamps, values, strict=True)
        writer.writerows([t.strftime("%Y-%m-%d %H:%M:%S"), int(v)] for t, v in rows)


def test_scan_series_repeats_rows_and_adds_score_and_alert(tmp_path):
    stamps, values = seasonal_counts(28)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    write_series(source, stamps, with_spike(values, 20 * 288 + 150, 24, 4.0))
    result = ecoute(
        ["alerts", "scan-series", str(source), "-o", str(target)], f"sqlite:///{tmp_path}/e.db", tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(target.open()))
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score", "alert"]
    assert [(r["timestamp"], r["value"]) for r in rows] == [
        (t.strftime("%Y-%m-%d %H:%M:%S"), str(int(v)))
        for t, v in zip(stamps, with_spike(values, 20 * 288 + 150, 24, 4.0), strict=True)
    ]
    assert all(0.0 <= float(r["anomaly_score"]) <= 1.0 for r in rows)
    assert rows[20 * 288 + 150]["alert"] == "1" or rows[20 * 288 + 151]["alert"] == "1"


def scan_text(tmp_path, text):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(text)
    args = ["alerts", "scan-series", str(source), "-o", str(target)]
    return ecoute(args, f"sqlite:///{tmp_path}/e.db", tmp_path), target


def test_a_bad_row_is_named_by_its_line(tmp_path):
    result, target = scan_text(tmp_path, "timestamp,value\n2026-03-02 00:00:00,4\n2026-03-02 00:05:00,lots\n")
    assert result.returncode == 2
    assert "line 3" in result.stderr and "'lots'" in result.stderr
    assert not target.exists()


def test_rows_out_of_time_order_are_named_by_their_line(tmp_path):
    result, _ = scan_text(tmp_path, "timestamp,value\n2026-03-02 00:05:00,4\n2026-03-02 00:00:00,5\n")
    assert result.returncode == 2
    assert "line 3" in result.stderr and "not after" in result.stderr


def test_a_missing_header_is_refused(tmp_path):
    result, _ = scan_text(tmp_path, "2026-03-02 00:05:00,4\n")
    assert result.returncode == 2
    assert "line 1" in result.stderr and "timestamp,value" in result.stderr
