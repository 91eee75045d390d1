"""Facebook Pages and Instagram accounts through Meta's Graph API: comments heard by polling and
by signed webhooks, replies posted under comments (see connector.py and webhook.py)."""

from ecoute.sources.meta.connector import (
    FACEBOOK_SETTINGS,
    INSTAGRAM_SETTINGS,
    FacebookSource,
    InstagramSource,
)

__all__ = ["FACEBOOK_SETTINGS", "INSTAGRAM_SETTINGS", "FacebookSource", "InstagramSource"]
