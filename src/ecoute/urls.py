"""Addresses from outside (a mention's link) are shown as links only when they are plain web
addresses: absolute ``http://`` or ``https://`` with a host. Anything else (``javascript:``,
``data:``, ``vbscript:``, ``//host`` relative to the page, control characters hidden in the
scheme) is refused where items come in and again where a link is rendered."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and newlines anywhere in a URL and spaces or controls around it, so a
# scheme can hide behind them ("java\tscript:"): an address holding any of them is refused.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")
_WEB_SCHEME = re.compile(r"https?://", re.IGNORECASE)


def external_url(value: object) -> str | None:
    """``value`` when it is an absolute http(s) address with a host, else None."""
    if not isinstance(value, str) or not _WEB_SCHEME.match(value) or _UNSAFE_CHARS.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value
