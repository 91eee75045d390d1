"""Validation and normalisation of raw items, field by field."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.normalise import FieldError, Item, normalise, parse_datetime
from ecoute.sources.base import Rejected
from factories import raw_item

NOON = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10-01T12:00:00Z", NOON),
        ("2026-10-01T14:00:00+02:00", NOON),
        ("2026-10-01 12:00:00", NOON),
        ("Thu, 01 Oct 2026 12:00:00 GMT", NOON),
        ("Thu, 01 Oct 2026 14:00:00 +0200", NOON),
        (1790856000, NOON),
        (1790856000000, NOON),
        ("1790856000", NOON),
        (datetime(2026, 10, 1, 14, 0, tzinfo=ZoneInfo("Europe/Paris")), NOON),
    ],
)
def test_dates_in_the_formats_exports_use(value, expected):
    assert parse_datetime(value) == expected


def test_naive_dates_take_the_given_zone():
    assert parse_datetime("2026-10-01 14:00", default_tz=ZoneInfo("Europe/Paris")) == NOON


@pytest.mark.parametrize("value", ["2026-13-45", "yesterday", "", None, True])
def test_bad_dates_name_the_field(value):
    with pytest.raises(FieldError) as error:
        parse_datetime(value)
    assert error.value.field == "created_at"


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"kind": "tweet"}, "kind", "unknown kind 'tweet' (expected one of post, comment, reply, review)"),
        ({"rating": "7"}, "rating", "7 is outside 0–5"),
        ({"likes": "many"}, "likes", "expected a whole number, got 'many'"),
        ({"shares": "INF"}, "shares", "expected a whole number, got 'INF'"),
        ({"replies": "nan"}, "replies", "expected a whole number, got 'nan'"),
        ({"author_verified": "maybe"}, "author_verified", "expected true/false, got 'maybe'"),
        ({"platform": "Face Book"}, "platform", "invalid platform name 'Face Book'"),
        ({"created_at": "2030-01-01T00:00:00Z"}, "created_at", "2030-01-01T00:00:00+00:00 is in the future"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(fields, field, reason):
    result = normalise(raw_item("1", "texte", **fields), now=NOON)

    assert isinstance(result, Rejected)
    assert (result.field, result.reason) == (field, reason)


def test_a_review_may_have_a_rating_and_no_text():
    result = normalise(raw_item("1", "", kind="review", rating=4), now=NOON)

    assert isinstance(result, Item)
    assert (result.text, result.rating) == ("", 4.0)


@given(text=st.text(max_size=300), likes=st.one_of(st.integers(), st.text(max_size=5), st.none()))
def test_normalise_never_raises_whatever_it_is_given(text, likes):
    result = normalise(raw_item("1", text, likes=likes), now=NOON)

    assert isinstance(result, Item | Rejected)
