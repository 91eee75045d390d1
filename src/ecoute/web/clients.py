"""Who is on the other end of a request: the client's address and whether it came over HTTPS.

Behind a reverse proxy the connection comes from the proxy, so the client's address and scheme
are in ``X-Forwarded-For`` / ``X-Forwarded-Proto``. Anyone can send those headers, so they are read
only when the connection comes from an address listed in ``ECOUTE_TRUSTED_PROXIES`` (uvicorn's
``ProxyHeadersMiddleware`` does the reading; ``create_app`` installs it when the setting is set).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from ecoute.settings import Settings

UNKNOWN_ADDRESS = "unknown"


def trusted_proxies(settings: Settings) -> list[str]:
    """The addresses or networks (``10.0.0.0/8``) whose forwarded headers are believed."""
    return [part.strip() for part in settings.raw("trusted_proxies").split(",") if part.strip()]


def client_address(request: Request) -> str:
    """The client's IP address (the forwarded one when the proxy is trusted)."""
    return request.client.host if request.client else UNKNOWN_ADDRESS


def secure_cookies(request: Request, settings: Settings) -> bool:
    """Whether cookies get ``Secure``: ``on`` always, ``off`` never, ``auto`` when the request came
    over HTTPS (as the trusted proxy says, or directly)."""
    mode = settings.raw("secure_cookies").strip().lower()
    if mode in {"1", "on", "true", "yes"}:
        return True
    if mode in {"0", "off", "false", "no"}:
        return False
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None) -> None:
    """Every cookie the app sets: HTTP-only, same-site lax, ``Secure`` as ``secure_cookies`` says."""
    secure = secure_cookies(request, request.app.state.settings)
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/")
