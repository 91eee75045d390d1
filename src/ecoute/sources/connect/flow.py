"""The two legs of the authorization code flow that Écoute performs: the consent address the admin
is sent to, and the exchange of the code the platform sends back for tokens (server-side, with the
client's secret and the PKCE verifier). Tokens are returned to the caller to be sealed into the
source; nothing here logs them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from ecoute.http import request
from ecoute.settings import Settings
from ecoute.sources.base import SourceError
from ecoute.sources.connect.providers import Provider

# RFC 6749 §5.2: the token endpoint answers a refused exchange with 400 (401 for client auth).
_REFUSALS = frozenset({400, 401, 403})


class ExchangeFailed(Exception):
    """The token endpoint refused the code or did not answer properly; ``reason`` is words fit to
    show (the platform's error code, never a token)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def authorize_url(
    provider: Provider,
    settings: Settings,
    *,
    scopes: tuple[str, ...],
    state: str,
    redirect_uri: str,
    code_challenge: str | None,
) -> str:
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": provider.client_id(settings),
        "redirect_uri": redirect_uri,
        "scope": provider.scope_separator.join(scopes),
        "state": state,
        **provider.extra_params,
    }
    if code_challenge:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    separator = "&" if "?" in provider.authorize_url else "?"
    return provider.authorize_url + separator + urlencode(params, quote_via=quote)


def exchange_code(
    provider: Provider,
    settings: Settings,
    *,
    code: str,
    redirect_uri: str,
    verifier: str | None,
) -> dict[str, Any]:
    """The token endpoint's answer for ``code`` (it holds ``access_token`` and, unless the provider
    gives none, ``refresh_token``); ``ExchangeFailed`` otherwise."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        form["code_verifier"] = verifier
    return _token_request(
        provider, settings, form, refresh=provider.refresh_token, what="the authorization code"
    )


def exchange_long_lived(provider: Provider, settings: Settings, *, access_token: str) -> dict[str, Any]:
    """Meta's second leg: a short-lived user token (about an hour) exchanged for a long-lived one
    (about 60 days) at the same endpoint, ``grant_type=fb_exchange_token``; the Page tokens read
    with it do not expire with the hour. ``ExchangeFailed`` otherwise."""
    form = {"grant_type": "fb_exchange_token", "fb_exchange_token": access_token}
    return _token_request(provider, settings, form, refresh=False, what="a long-lived token")


def _token_request(
    provider: Provider, settings: Settings, form: dict[str, str], *, refresh: bool, what: str
) -> dict[str, Any]:
    # A form body, never the query: the client secret and the tokens stay out of addresses (and
    # so out of access logs and error messages), for Meta too, whose docs show a GET.
    headers = {"Accept": "application/json"}
    client_id, client_secret = provider.client_id(settings), provider.client_secret(settings)
    if provider.client_auth == "basic":
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    else:
        form |= {"client_id": client_id, "client_secret": client_secret}
    try:
        response = request(
            "POST", provider.token_url, headers=headers, data=form, settings=settings, handled=_REFUSALS
        )
    except SourceError as error:
        raise ExchangeFailed(f"{provider.label}'s token endpoint did not answer properly ({error})") from None
    return _tokens(provider, response.status_code, _json(response), refresh=refresh, what=what)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_code(body: Mapping[str, Any], status: int) -> str:
    """A token endpoint's error in a few words: RFC 6749's ``error`` string, or Graph's error
    object (``{"error": {"type": "OAuthException", "code": 100, "error_subcode": 36009, …}}``)."""
    error = body.get("error")
    if isinstance(error, Mapping):
        code, subcode = error.get("code"), error.get("error_subcode")
        named = " ".join(str(part) for part in (error.get("type"), code) if part not in (None, ""))
        named += f"/{subcode}" if subcode not in (None, "") else ""
        return named[:80] or f"HTTP {status}"
    return str(error or f"HTTP {status}")[:80]


def _tokens(provider: Provider, status: int, body: Any, *, refresh: bool, what: str) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise ExchangeFailed(f"{provider.label}'s token endpoint answered HTTP {status} without JSON")
    if body.get("error") or status >= 400:
        raise ExchangeFailed(f"{provider.label} refused {what} ({error_code(body, status)})")
    if not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise ExchangeFailed(f"{provider.label}'s token endpoint answered without an access token")
    if refresh and not (isinstance(body.get("refresh_token"), str) and body["refresh_token"]):
        raise ExchangeFailed(
            f"{provider.label} gave no refresh token (the app must ask for offline access): nothing was saved"
        )
    return dict(body)
