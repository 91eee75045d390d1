"""Inbox filters from a URL: every bad value is a clear 400-class error, never a database error."""

from __future__ import annotations

import pytest

from ecoute.store.repo import Invalid
from ecoute.web.filters import parse_filters


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tag": "99999999999"}, "tag: '99999999999' is not a valid id"),
        ({"brand": "-3"}, "brand: '-3' is not a valid id"),
        ({"source": "abc"}, "source: 'abc' is not a number"),
        ({"since": "0001-01-01"}, "since: '0001-01-01' is not a date"),
        ({"until": "yesterday"}, "until: 'yesterday' is not a date"),
    ],
)
def test_out_of_range_or_malformed_filters_are_refused_with_the_name(params, message):
    with pytest.raises(Invalid, match=message.replace("(", r"\(")):
        parse_filters(params, me=1)


def test_valid_filters_pass_through():
    filters = parse_filters({"tag": "12", "brand": "3", "since": "2026-10-01"}, me=1)

    assert (filters.tag_id, filters.brand_id, filters.since.isoformat()) == (
        12,
        3,
        "2026-10-01T00:00:00+00:00",
    )
