"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

Checking a password costs the same whether the account exists or not (an unknown e-mail is
checked against a dummy hash), so the answer's timing does not tell which e-mails have accounts.
Hashing is CPU- and memory-hungry: ``hash_slot`` lets only a few run at once in a process, so a
flood of login attempts is refused quickly instead of starving every other request.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """The password is too short to be accepted."""


class HashingBusy(RuntimeError):
    """Every password-hashing slot is taken: answer 429 and let the client try again shortly."""


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(24))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password, no hash or a corrupt hash.

    With no hash (unknown e-mail, account without a password) a dummy hash is checked instead,
    so that every refusal takes as long as a wrong password does."""
    try:
        if not password_hash:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def default_slots() -> int:
    """Half the CPUs (at least one): Argon2id already computes its lanes on several threads."""
    return max(1, (os.cpu_count() or 2) // 2)


class HashSlots:
    """At most ``size`` password hashes at once; the next one waits ``wait_s`` at most, then
    ``HashingBusy`` (the caller answers 429 + Retry-After instead of queueing)."""

    def __init__(self, size: int, wait_s: float = 0.05) -> None:
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)
        self._wait_s = wait_s

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._semaphore.acquire(timeout=self._wait_s):
            raise HashingBusy("too many passwords are being checked right now")
        try:
            yield
        finally:
            self._semaphore.release()
