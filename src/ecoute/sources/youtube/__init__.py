"""YouTube: the channel's comments, chosen videos' comments and videos found by searches, heard
by polling; replies posted under comments (see connector.py)."""

from ecoute.sources.youtube.connector import ONE_OF_SETTINGS, REQUIRED_SETTINGS, YouTubeSource

__all__ = ["ONE_OF_SETTINGS", "REQUIRED_SETTINGS", "YouTubeSource"]
