"""Random tokens shown once and stored only as their SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "") -> str:
    """A URL-safe random token with 256 bits of entropy, e.g. ``ecu_…`` for API tokens."""
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What we store: a hex SHA-256 (a token's entropy makes a slow hash unnecessary)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
