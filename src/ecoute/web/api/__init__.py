"""The REST API under ``/api/v1``: token auth, workspace from the token, ``{"detail": ...}`` errors."""
