"""Google reviews: a Business Profile location's reviews, heard by polling; replies (see
connector.py)."""

from ecoute.sources.google_reviews.connector import ONE_OF_SETTINGS, REQUIRED_SETTINGS, GoogleReviewsSource

__all__ = ["ONE_OF_SETTINGS", "REQUIRED_SETTINGS", "GoogleReviewsSource"]
