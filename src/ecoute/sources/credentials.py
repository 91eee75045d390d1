"""A source's credentials (access tokens, app passwords, webhook secrets) sealed at rest.

They live in the source's settings only as ``<name>_sealed`` (Fernet, the key derived from
``ECOUTE_SECRET_KEY`` as for outgoing webhook secrets), are unsealed only where a request is
signed or sent, and never appear in logs, errors or API answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecoute.settings import Settings, get_settings
from ecoute.sources.base import SourceError
from ecoute.webhooks.sealing import SecretUnreadable, seal, unseal

SECRET_NAMES = frozenset(
    {
        "access_token",
        "app_password",
        "secret",
        "refresh_jwt",
        "access_jwt",
        "client_secret",
        "password",
        "refresh_token",
        "api_key",
        "app_secret",
        "verify_token",
        "bearer_token",
        "consumer_secret",
    }
)
SUFFIX = "_sealed"


def seal_secrets(values: Mapping[str, Any], settings: Settings | None = None) -> dict[str, Any]:
    """``values`` with each secret sealed (``access_token`` becomes ``access_token_sealed``)."""
    key = (settings or get_settings()).secret_key
    sealed: dict[str, Any] = {}
    for name, value in values.items():
        if name in SECRET_NAMES and value:
            sealed[name + SUFFIX] = seal(key, str(value))
        else:
            sealed[name] = value
    return sealed


def secret(values: Mapping[str, Any], name: str, settings: Settings | None = None) -> str:
    """The plain secret ``name`` of a source's settings; a clear ``SourceError`` when absent or
    unreadable (the source then needs reconnecting)."""
    sealed = values.get(name + SUFFIX)
    if not sealed:
        raise SourceError(f"setting {name!r} is missing: add it to the source", retriable=False, kind="auth")
    try:
        return unseal((settings or get_settings()).unseal_keys, str(sealed))
    except SecretUnreadable:
        raise SourceError(
            f"setting {name!r} cannot be decrypted (was ECOUTE_SECRET_KEY changed?): reconnect the source",
            retriable=False,
            kind="auth",
        ) from None


def public(values: Mapping[str, Any]) -> dict[str, Any]:
    """A source's settings fit to show: sealed secrets left out."""
    return {k: v for k, v in values.items() if not k.endswith(SUFFIX)}
