"""Endpoint secrets encrypted at rest with a key derived from the app's ``secret_key``.

We must keep the secret itself (not a digest) to sign with it, so it is sealed with Fernet
(AES-128-CBC + HMAC-SHA256). Changing ``ECOUTE_SECRET_KEY`` makes sealed secrets unreadable:
deliveries then fail with a clear error and the endpoint must be added again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretUnreadable(ValueError):
    """The sealed secret was made with another ``secret_key`` (or was altered)."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ecoute webhook secrets").derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret_key: str, plaintext: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def unseal(secret_key: str, sealed: str) -> str:
    try:
        return _fernet(secret_key).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise SecretUnreadable(
            "the endpoint's signing secret cannot be decrypted (was ECOUTE_SECRET_KEY changed?): "
            "add the endpoint again"
        ) from None
