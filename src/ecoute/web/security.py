"""Response headers that make the browser refuse what the app never does: script or style from
anywhere but the app itself, being framed by another site, guessing content types, leaking the
page's address to other sites, and keeping private pages in a cache.

Every response gets them (pages, API, errors); static files keep their own caching. The policy
carries a per-request nonce (``csp_nonce(request)``) for the rare inline script a page might need;
the app's own pages have none: their scripts are files under ``/static``.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_PREFIX = "/static/"
FORM_ACTION_KEY = "csp_form_action"  # request.state: the page's extra form-action origins


def content_security_policy(nonce: str, form_action: tuple[str, ...] = ()) -> str:
    """``form_action``: origins a form of this page may lead to, besides the app (a form whose
    answer redirects elsewhere, e.g. to a platform's consent page, is checked against them)."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            " ".join(("form-action 'self'", *form_action)),
            "frame-ancestors 'none'",
        )
    )


FIXED_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # Links to the original posts leave for the platforms: they learn nothing of the desk's URLs.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


def csp_nonce(request: Request) -> str:
    """This response's nonce, for an inline ``<script nonce=…>`` that cannot be a static file."""
    return request.scope.get("state", {}).get("csp_nonce", "")


def allow_form_action(request: Request, urls: list[str]) -> None:
    """Let this page's forms lead to these addresses' origins (CSP ``form-action``)."""
    origins = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls) if p.scheme in ("http", "https")}
    setattr(request.state, FORM_ACTION_KEY, tuple(sorted(origins)))


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response; ``Cache-Control: no-store`` to all but static
    files (pages show private conversations, the API answers with them, admin pages with secrets)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        static = scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                allowed = tuple(scope["state"].get(FORM_ACTION_KEY, ()))
                policy = content_security_policy(nonce, allowed).encode()
                extra = [*FIXED_HEADERS, (b"content-security-policy", policy)]
                if not static:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
