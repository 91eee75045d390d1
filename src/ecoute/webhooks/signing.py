"""HMAC-SHA256 signatures: of the webhook requests Écoute sends (its own scheme, in the package
docstring), and of the Standard Webhooks requests it receives on a webhook source."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

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
    if not signature or not fresh(timestamp, now=now, tolerance_s=tolerance_s):
        return False
    return hmac.compare_digest(sign(secret, int(str(timestamp)), body), signature)


# --- Standard Webhooks (https://www.standardwebhooks.com), for webhooks Écoute receives ----------
# Signed content: "{webhook-id}.{webhook-timestamp}.{raw body}", HMAC-SHA256 keyed with the secret's
# bytes (shown as "whsec_<base64>"), sent as "v1,<base64>"; several space-separated signatures may
# come at once while a sender rotates its secret.

SECRET_PREFIX = "whsec_"


def new_standard_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def standard_secret_bytes(secret: str) -> bytes:
    """The key of a ``whsec_…`` secret; ValueError naming the problem when it is not one."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError(f"a webhook secret holds 24 to 64 bytes, this one {len(key)}")
    return key


def standard_sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def standard_verify(
    key: bytes,
    body: bytes,
    *,
    message_id: str | None,
    timestamp: str | None,
    signatures: str | None,
    now: float,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """A fresh timestamp (±``tolerance_s``) and one matching ``v1`` signature, or False."""
    if not fresh(timestamp, now=now, tolerance_s=tolerance_s) or not message_id or not signatures:
        return False
    expected = standard_sign(key, message_id, int(str(timestamp)), body)
    # Compare each offered signature in constant time; never stop at the first mismatch's position.
    return any(hmac.compare_digest(expected, offered) for offered in signatures.split(" ") if offered)


def fresh(timestamp: str | None, *, now: float, tolerance_s: int = TOLERANCE_S) -> bool:
    """Integer seconds within ``tolerance_s`` of now, too old or too far ahead both refused."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(now - int(timestamp)) <= tolerance_s
