"""HMAC-SHA256 signatures of outgoing webhook requests (the scheme is in the package docstring)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Ecoute-Signature"
TIMESTAMP_HEADER = "X-Ecoute-Timestamp"
EVENT_HEADER = "X-Ecoute-Event"
DELIVERY_HEADER = "X-Ecoute-Delivery"
TOLERANCE_S = 300


def signed_bytes(timestamp: int, body: bytes) -> bytes:
    """What is signed: the timestamp, a dot, then the raw body exactly as sent."""
    return str(timestamp).encode("ascii") + b"." + body


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Ecoute-Signature`` value: ``sha256=<hex>``."""
    mac = hmac.new(secret.encode("utf-8"), signed_bytes(timestamp, body), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    body: bytes,
    *,
    timestamp: str | None,
    signature: str | None,
    now: float,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature, or False (fail closed)."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
