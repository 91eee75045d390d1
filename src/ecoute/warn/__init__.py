"""Warn: detectors that notice first — volume and negative-share spikes, emerging terms, viral
posts and impersonators. Pure functions and small streaming classes; no database."""
