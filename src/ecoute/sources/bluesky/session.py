"""An account's session on its PDS, from an app password: created once, refreshed before the
access token expires, one refresh at a time.

A refresh revokes the refresh token it used, so two refreshes racing with the same token leave
one of them with "Token has been revoked": refreshes are serialised per account with a lock,
and a refresh that is refused falls back to a new session. Sessions live in the process (never
written anywhere); each worker process has its own.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecoute.sources.base import SourceError

EARLY_REFRESH_S = 120  # refresh this long before the access token says it expires

Call = Callable[[str, str, Any], Any]  # (path, bearer or "", JSON body) → the answer's JSON


@dataclass
class Tokens:
    did: str
    handle: str
    access: str
    refresh: str

    @classmethod
    def read(cls, body: Any) -> Tokens:
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) for k in ("did", "accessJwt", "refreshJwt")
        ):
            raise SourceError("the PDS's session answer lacks did/accessJwt/refreshJwt", retriable=True)
        return cls(body["did"], str(body.get("handle") or ""), body["accessJwt"], body["refreshJwt"])


_SESSIONS: dict[tuple[str, str], Tokens] = {}
_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _lock(key: tuple[str, str]) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(key, threading.Lock())


def session(
    service: str, identifier: str, password: str, call: Call, *, now: Callable[[], float] = time.time
) -> Tokens:
    """A session whose access token is good for a while: the one held, refreshed, or new."""
    key = (service, identifier.lower())
    with _lock(key):
        held = _SESSIONS.get(key)
        if held is not None and expires_at(held.access) - EARLY_REFRESH_S > now():
            return held
        if held is not None:
            try:
                held = Tokens.read(call("com.atproto.server.refreshSession", held.refresh, None))
            except SourceError as error:
                if error.kind == "transient" or error.kind == "rate_limit":
                    raise
                held = None  # revoked or expired: start again from the app password
        if held is None:
            held = Tokens.read(
                call("com.atproto.server.createSession", "", {"identifier": identifier, "password": password})
            )
        _SESSIONS[key] = held
        return held


def forget(service: str, identifier: str) -> None:
    """Drop the session held for this account: the next ``session`` signs in with the password."""
    key = (service, identifier.lower())
    with _lock(key):
        _SESSIONS.pop(key, None)


def stale(service: str, identifier: str, access: str) -> None:
    """The PDS refused this access token before its time: the next ``session`` refreshes (unless
    another caller already did)."""
    key = (service, identifier.lower())
    with _lock(key):
        held = _SESSIONS.get(key)
        if held is not None and held.access == access:
            held.access = ""


def expires_at(jwt: str) -> float:
    """The ``exp`` of a JWT's payload (not verified: only to know when to refresh); 0 if unreadable."""
    try:
        payload = jwt.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return 0.0
