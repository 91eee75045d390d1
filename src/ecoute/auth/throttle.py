"""Throttling of password guessing and token probing, kept in the database (``login_throttle``) so
that it holds across web processes.

Each key (an account, a client address) gets a free allowance of failures; past it, every further
failure locks the key for twice as long as the one before (1 s, 2 s, 4 s … up to 15 minutes).
While a key is locked the request is refused with 429 and ``Retry-After`` before any password is
hashed. A key with no failure for ``forget_after`` starts afresh, and a successful login clears
its account. A person who mistypes their password a few times never notices; a script guessing
one account gets about a hundred tries a day, and one address about as many across all accounts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ecoute.auth.models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    free: int  # failures allowed before any wait
    first_lock_s: float
    max_lock_s: float
    forget_after: timedelta

    def lock_for(self, failures: int) -> float:
        """Seconds the key is locked after its ``failures``-th failure (0 within the allowance)."""
        if failures <= self.free:
            return 0.0
        return min(self.max_lock_s, self.first_lock_s * 2 ** (failures - self.free - 1))


ACCOUNT = Policy(free=5, first_lock_s=1, max_lock_s=900, forget_after=timedelta(hours=24))
# An office behind one address holds many people: a larger allowance, forgotten sooner.
ADDRESS = Policy(free=20, first_lock_s=1, max_lock_s=900, forget_after=timedelta(hours=1))
TOKEN_ADDRESS = Policy(free=10, first_lock_s=1, max_lock_s=900, forget_after=timedelta(hours=1))


def account_key(email: str) -> str:
    """The key of an account by the e-mail typed (known or not: both are throttled the same way,
    so the throttle tells nothing about which accounts exist); a digest, not the address itself."""
    normalised = email.strip().lower().encode("utf-8")
    return "account:" + hashlib.sha256(normalised).hexdigest()[:40]


def address_key(address: str) -> str:
    return f"address:{address[:64]}"


def token_address_key(address: str) -> str:
    return f"token-address:{address[:64]}"


def retry_after(session: Session, keys: list[str], now: datetime) -> int:
    """Whole seconds until every key is unlocked (0: none is locked)."""
    latest = session.scalar(
        select(LoginThrottle.locked_until)
        .where(LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)
        .order_by(LoginThrottle.locked_until.desc())
        .limit(1)
    )
    return 0 if latest is None else max(1, math.ceil((latest - now).total_seconds()))


def record_failure(session: Session, key: str, policy: Policy, now: datetime) -> float:
    """Count one failure for ``key`` (atomically, whichever process records it); returns the
    seconds it is now locked for (0 within the allowance)."""
    table = LoginThrottle.__table__
    forgotten = table.c.last_failure_at < now - policy.forget_after
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(key=key, failures=1, first_failure_at=now, last_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((forgotten, 1), else_=table.c.failures + 1),
                "first_failure_at": case((forgotten, now), else_=table.c.first_failure_at),
                "last_failure_at": now,
            },
        )
        .returning(table.c.failures)
    )
    failures = session.execute(statement).scalar_one()
    wait = policy.lock_for(failures)
    if wait:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + timedelta(seconds=wait))
        )
    return wait


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def forget_old(session: Session, now: datetime) -> int:
    """Drop the keys every policy has forgotten (no failure for longer than the longest
    ``forget_after``, no lock running): the table holds recent trouble only."""
    horizon = now - max(p.forget_after for p in (ACCOUNT, ADDRESS, TOKEN_ADDRESS))
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < horizon,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )
    return result.rowcount or 0
