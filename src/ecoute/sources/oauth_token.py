"""OAuth 2 access tokens obtained from a grant (a password, a refresh token) and held in the
process until shortly before they expire, one fetch at a time per account.

Reddit and Google hand out access tokens that last an hour; fetching one per request would spend
the rate limit (and Reddit's token endpoint has its own). A token the platform refuses before its
time (revoked, rotated) is dropped and fetched again once; a second refusal is an ``auth``
failure: the source needs reconnecting. Tokens live only in memory, never in the settings.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ecoute.sources.base import SourceError

EARLY_REFRESH_S = 120  # fetch a new token this long before the held one says it expires
DEFAULT_LIFETIME_S = 3600

T = TypeVar("T")
Obtain = Callable[[], Any]  # asks the token endpoint; returns its JSON answer


@dataclass
class _Held:
    access: str
    expires_at: float


_TOKENS: dict[tuple[str, ...], _Held] = {}
_LOCKS: dict[tuple[str, ...], threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def account_key(endpoint: str, client_id: str, *identity: str) -> tuple[str, ...]:
    """Who a token belongs to; the secrets in ``identity`` are hashed (never kept in the clear),
    so a changed password or refresh token gets a token of its own."""
    digest = hashlib.sha256("\x00".join(identity).encode()).hexdigest()[:32]
    return (endpoint, client_id, digest)


def _lock(key: tuple[str, ...]) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(key, threading.Lock())


def access_token(key: tuple[str, ...], obtain: Obtain, *, now: Callable[[], float] = time.time) -> str:
    """The held token while it is good for a while, else a new one from ``obtain``."""
    with _lock(key):
        held = _TOKENS.get(key)
        if held is not None and held.expires_at - EARLY_REFRESH_S > now():
            return held.access
        access, lifetime = read_token(obtain())
        _TOKENS[key] = _Held(access, now() + lifetime)
        return access


def stale(key: tuple[str, ...], access: str) -> None:
    """The platform refused this token: the next ``access_token`` fetches a new one (unless
    another caller already did)."""
    with _lock(key):
        held = _TOKENS.get(key)
        if held is not None and held.access == access:
            del _TOKENS[key]


def with_token(key: tuple[str, ...], obtain: Obtain, call: Callable[[str], T]) -> T:
    """``call(token)``; refused once with ``auth``, the token is fetched again and ``call`` tried
    once more; refused again, the ``auth`` failure stands."""
    token = access_token(key, obtain)
    try:
        return call(token)
    except SourceError as error:
        if error.kind != "auth":
            raise
        stale(key, token)
    return call(access_token(key, obtain))


def read_token(body: Any) -> tuple[str, float]:
    """The access token and its lifetime in seconds from a token endpoint's JSON answer.

    Both Reddit and Google answer a refused grant with ``{"error": "invalid_grant"}`` (Reddit
    with HTTP 200): the password changed or the refresh token was revoked."""
    if isinstance(body, dict) and body.get("error"):
        detail = body.get("error_description") or ""
        raise SourceError(
            f"the token endpoint refused the grant: {body['error']}{f' ({detail})' if detail else ''}; "
            "reconnect the source",
            retriable=False,
            kind="auth",
        )
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("access_token"), str)
        or not body["access_token"]
    ):
        raise SourceError("the token endpoint's answer has no access_token", retriable=True)
    lifetime = body.get("expires_in")
    seconds = float(lifetime) if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) else 0.0
    return body["access_token"], seconds if seconds > 0 else DEFAULT_LIFETIME_S
