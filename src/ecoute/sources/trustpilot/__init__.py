"""Trustpilot: reviews of any business unit, heard by polling; replies on your own (see
connector.py)."""

from ecoute.sources.trustpilot.connector import ONE_OF_SETTINGS, REQUIRED_SETTINGS, TrustpilotSource

__all__ = ["ONE_OF_SETTINGS", "REQUIRED_SETTINGS", "TrustpilotSource"]
