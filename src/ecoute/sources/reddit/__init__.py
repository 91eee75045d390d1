"""Reddit: the account's inbox, post searches and subreddits' new comments heard by polling;
replies posted as comments (see connector.py)."""

from ecoute.sources.reddit.connector import ONE_OF_SETTINGS, REQUIRED_SETTINGS, RedditSource

__all__ = ["ONE_OF_SETTINGS", "REQUIRED_SETTINGS", "RedditSource"]
