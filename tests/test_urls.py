"""Which addresses from outside may become a link: absolute http(s) with a host, nothing else."""

from __future__ import annotations

import pytest

from ecoute.urls import external_url
from hostile import HOSTILE_URLS

GOOD_URLS = [
    "https://x.com/velora/status/1",
    "HTTP://WWW.EXAMPLE.FR/a?b=c&d=e#f",
    "https://fr.wikipedia.org/wiki/Écoute",
    "http://127.0.0.1:8080/feed",
]


# Padded addresses: the import path trims them first; as they are, they are not links.
PADDED = [" https://x.example/padded", "https://x.example/\u0085", "https://x.example/\n"]


@pytest.mark.parametrize("url", [*HOSTILE_URLS, *PADDED])
def test_anything_but_an_absolute_web_address_is_refused(url):
    assert external_url(url) is None


@pytest.mark.parametrize("url", GOOD_URLS)
def test_absolute_web_addresses_are_kept_as_they_are(url):
    assert external_url(url) == url


def test_values_that_are_not_text_are_refused():
    assert [external_url(v) for v in (None, 42, ["https://x.example"])] == [None, None, None]
