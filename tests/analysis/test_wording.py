"""Numbers and durations written the French or the English way."""

from __future__ import annotations

import pytest

from ecoute.analysis.wording import NBSP, NNBSP, format_count, format_duration, format_number


@pytest.mark.parametrize(
    ("count", "fr", "en"),
    [
        (0, "0", "0"),
        (950, "950", "950"),
        (1000, f"1{NBSP}k", "1k"),
        (1234, f"1,2{NBSP}k", "1.2k"),
        (9960, f"10{NBSP}k", "10k"),
        (48_200, f"48{NBSP}k", "48k"),
        (999_999, f"1{NBSP}M", "1M"),
        (2_500_000, f"2,5{NBSP}M", "2.5M"),
        (37_000_000, f"37{NBSP}M", "37M"),
    ],
)
def test_compact_counts(count: int, fr: str, en: str) -> None:
    assert format_count(count, "fr") == fr
    assert format_count(count, "en") == en


def test_full_numbers_group_thousands_per_locale() -> None:
    assert format_number(12345.5, "fr", 1) == f"12{NNBSP}345,5"
    assert format_number(12345.5, "en", 1) == "12,345.5"


@pytest.mark.parametrize(
    ("seconds", "fr", "en"),
    [
        (30, f"1{NBSP}min", f"1{NBSP}min"),
        (25 * 60, f"25{NBSP}min", f"25{NBSP}min"),
        (3 * 3600 + 1200, f"3{NBSP}h", f"3{NBSP}h"),
        (3 * 86400, f"3{NBSP}j", f"3{NBSP}d"),
    ],
)
def test_durations(seconds: float, fr: str, en: str) -> None:
    assert format_duration(seconds, "fr") == fr
    assert format_duration(seconds, "en") == en


def test_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown locale"):
        format_count(3, "de")
