"""Secrets encrypted at rest with a key derived from the app's ``secret_key``.

We must keep the secret itself (not a digest) to sign or send with it, so it is sealed with
Fernet (AES-128-CBC + HMAC-SHA256). Keys rotate: values are sealed with ``ECOUTE_SECRET_KEY``
and unsealed with it or any of ``ECOUTE_SECRET_KEYS_OLD`` (``Settings.unseal_keys``, current
first); ``ecoute secrets rotate`` re-seals what an old key sealed, after which the old key can
be dropped. A value sealed with a key that is neither gives a clear error.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

Keys = str | Sequence[str]  # one key, or the current key first and the old ones after it


class SecretUnreadable(ValueError):
    """The sealed secret was made with another ``secret_key`` (or was altered)."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ecoute webhook secrets").derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _multi(keys: Keys) -> MultiFernet:
    listed = [keys] if isinstance(keys, str) else [k for k in keys if k]
    if not listed:
        raise ValueError("no key to seal or unseal with")
    return MultiFernet([_fernet(k) for k in listed])


def seal(secret_key: Keys, plaintext: str) -> str:
    """``plaintext`` sealed with the (first, current) key."""
    return _multi(secret_key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def unseal(keys: Keys, sealed: str) -> str:
    try:
        return _multi(keys).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise SecretUnreadable(
            "the endpoint's signing secret cannot be decrypted (was ECOUTE_SECRET_KEY changed?): "
            "add the endpoint again"
        ) from None


def reseal(keys: Keys, sealed: str) -> str | None:
    """``sealed`` sealed again with the current key, or None when the current key sealed it
    already (so running a rotation twice changes nothing). ``SecretUnreadable`` when no key opens it."""
    listed = [keys] if isinstance(keys, str) else list(keys)
    try:
        _fernet(listed[0]).decrypt(sealed.encode("ascii"))
        return None
    except (InvalidToken, ValueError):
        pass
    try:
        return _multi(listed).rotate(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise SecretUnreadable("a sealed value cannot be decrypted with any of the keys") from None
