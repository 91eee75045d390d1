"""X (API v2): the account's mentions and recent searches heard by polling, and its Account
Activity webhook; replies posted where the author addressed the brand (see connector.py)."""

from ecoute.sources.x.connector import ONE_OF_SETTINGS, REQUIRED_SETTINGS, XSource

__all__ = ["ONE_OF_SETTINGS", "REQUIRED_SETTINGS", "XSource"]
