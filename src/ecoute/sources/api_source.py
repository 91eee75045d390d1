"""What the platform connectors share: the app's settings (read when first needed), how to wait
between retries, and an optional HTTP client (tests and callers polling many sources pass one)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from ecoute.http import Sleep
from ecoute.settings import Settings, get_settings
from ecoute.sources.base import SourceError


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


Api = TypeVar("Api")


class Pooled(Generic[Api]):
    """A platform client over one connection pool for the length of a poll: the caller's client
    when it passed one (left open), else one of its own, closed afterwards."""

    def __init__(self, client: httpx.Client | None, make: Callable[[httpx.Client], Api]):
        self._given, self._make = client, make
        self._client: httpx.Client | None = None

    def __enter__(self) -> Api:
        self._client = self._given or httpx.Client()
        return self._make(self._client)

    def __exit__(self, *exc: object) -> None:
        if self._given is None and self._client is not None:
            self._client.close()


def json_answer(response: httpx.Response, what: str, platform: str) -> Any:
    """A platform's answer read as JSON; anything else is a transient ``SourceError`` (a proxy's
    error page, a maintenance page)."""
    try:
        return response.json()
    except ValueError:
        raise SourceError(
            f"{what}: {platform} answered {response.headers.get('content-type', 'no content type')}, "
            "not JSON",
            retriable=True,
        ) from None
