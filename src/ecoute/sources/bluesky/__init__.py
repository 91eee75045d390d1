"""Bluesky: mentions and searches heard by polling, replies posted in the thread (see connector.py)."""

from ecoute.sources.bluesky.connector import BlueskySource

__all__ = ["BlueskySource"]
