"""Every platform's required settings are checked before a source is added, naming the one at
fault, whether the source comes from the page, the API or ``ecoute source add``."""

from __future__ import annotations

import pytest

from ecoute.sources.manage import SettingInvalid, check_settings

REDDIT = {"client_id": "abc", "client_secret": "s3cret", "username": "brand_team"}
YOUTUBE = {"channel_id": "UC_brand"}


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("reddit", {**REDDIT, "client_secret": ""}, "client_secret"),
        ("reddit", {k: v for k, v in REDDIT.items() if k != "username"}, "username"),
        ("reddit", REDDIT, "password"),  # neither a password nor a refresh token
        ("youtube", {}, "channel_id"),
        ("youtube", YOUTUBE, "api_key"),  # no way in: no API key, no token
        ("google_reviews", {"account_id": "1", "refresh_token": "rt"}, "location_id"),
        ("google_reviews", {"account_id": "1", "location_id": "2"}, "refresh_token"),
        ("trustpilot", {"domain": "cafe.fr"}, "api_key"),
        ("trustpilot", {"api_key": "k"}, "domain"),  # which business unit: a domain or its id
    ],
)
def test_a_platform_source_missing_a_setting_is_refused_naming_it(kind, values, field):
    with pytest.raises(SettingInvalid) as refused:
        check_settings(kind, dict(values))
    assert refused.value.field == field
    assert f"docs/sources/{kind.replace('_', '-')}.md" in str(refused.value)


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("reddit", {**REDDIT, "password": "pw"}),
        ("reddit", {**REDDIT, "refresh_token": "rt"}),
        ("youtube", {**YOUTUBE, "api_key": "key"}),
        ("youtube", {**YOUTUBE, "refresh_token": "rt", "client_id": "c", "client_secret": "s"}),
    ],
)
def test_a_platform_source_with_one_way_in_is_accepted(kind, values):
    assert check_settings(kind, dict(values)) is None
