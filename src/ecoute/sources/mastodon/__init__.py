"""Mastodon: mentions, hashtags and searches heard by polling, replies posted (see connector.py)."""

from ecoute.sources.mastodon.connector import MastodonSource

__all__ = ["MastodonSource"]
