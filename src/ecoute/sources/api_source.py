"""What the platform connectors share: the app's settings (read when first needed), how to wait
between retries, and an optional HTTP client (tests and callers polling many sources pass one)."""

from __future__ import annotations

import time

import httpx

from ecoute.http import Sleep
from ecoute.settings import Settings, get_settings


class ApiSource:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        sleep: Sleep = time.sleep,
        client: httpx.Client | None = None,
    ):
        self._settings = settings
        self._sleep = sleep
        self._client = client

    @property
    def app_settings(self) -> Settings:
        return self._settings or get_settings()
