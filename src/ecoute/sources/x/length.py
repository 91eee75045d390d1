"""A post's length as X counts it (``twitter-text``'s weighted length, the library X publishes
with its conformance tests, through its Python port ``twitter-text-parser``): most Latin, Greek,
Cyrillic and punctuation characters weigh 1, CJK and others 2, an emoji 2 whatever its code
points, and every link 23 whatever its length."""

from __future__ import annotations

MAX_WEIGHTED = 280


def weighted_length(text: str) -> int:
    # Imported on first use: the port loads its emoji tables (and pkg_resources) when imported,
    # a quarter of a second of CPU that every ``ecoute`` command would otherwise pay at start-up.
    from twitter_text import parse_tweet

    return parse_tweet(text).weightedLength
