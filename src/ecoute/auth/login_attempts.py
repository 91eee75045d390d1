"""A login attempt from a client address: refused early while its account or address is throttled,
otherwise checked (in a hashing slot), and, when it fails, counted, logged and written to the audit
log of every workspace the account belongs to, with the client's address."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth import throttle, users
from ecoute.auth.passwords import HashSlots
from ecoute.store.models import Membership, User
from ecoute.store.people import ApiToken
from ecoute.store.repo import record_audit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    retry_after_s: int = 0  # > 0: refused without checking the password (throttled)


def attempt_login(
    session: Session, email: str, password: str, *, address: str, now: datetime, slots: HashSlots
) -> LoginOutcome:
    """The user, a plain refusal, or a refusal with the wait; ``HashingBusy`` when no slot is free."""
    account, by_address = throttle.account_key(email), throttle.address_key(address)
    wait = throttle.retry_after(session, [account, by_address], now)
    if wait:
        logger.warning("auth.login_throttled", extra={"address": address, "retry_after_s": wait})
        return LoginOutcome(None, retry_after_s=wait)
    with slots.slot():
        user = users.authenticate(session, email, password)
    if user is not None:
        throttle.clear(session, account)
        throttle.forget_old(session, now)  # logins succeed every day: the table never grows stale
        return LoginOutcome(user)
    locked_for = max(
        throttle.record_failure(session, account, throttle.ACCOUNT, now),
        throttle.record_failure(session, by_address, throttle.ADDRESS, now),
    )
    _report_failure(session, email, address, locked_for)
    return LoginOutcome(None)


def _report_failure(session: Session, email: str, address: str, locked_for: float) -> None:
    known = users.get_user_by_email(session, email)
    logger.warning(
        "auth.login_failed",
        extra={"address": address, "user_id": known.id if known else None, "locked_for_s": locked_for},
    )
    if known is None:
        return
    workspace_ids = session.scalars(select(Membership.workspace_id).where(Membership.user_id == known.id))
    for workspace_id in workspace_ids:
        record_audit(
            session,
            workspace_id,
            actor=f"address:{address}",
            action="auth.login_failed",
            target_type="user",
            target_id=known.id,
            after={"email": known.email, "address": address, "locked_for_s": locked_for},
        )


def token_retry_after(session: Session, address: str, now: datetime) -> int:
    """Seconds this address must wait before its next bad token is answered (0: not throttled)."""
    return throttle.retry_after(session, [throttle.token_address_key(address)], now)


def record_bad_token(session: Session, address: str, row: ApiToken | None, now: datetime) -> None:
    """Count a bad bearer token against the address; one that was revoked or expired is also
    written to its workspace's audit log (someone still uses it)."""
    locked_for = throttle.record_failure(
        session, throttle.token_address_key(address), throttle.TOKEN_ADDRESS, now
    )
    logger.warning(
        "auth.token_rejected",
        extra={"address": address, "token_id": row.id if row else None, "locked_for_s": locked_for},
    )
    if row is not None:
        record_audit(
            session,
            row.workspace_id,
            actor=f"address:{address}",
            action="api_token.rejected",
            target_type="api_token",
            target_id=row.id,
            after={"prefix": row.prefix, "address": address, "revoked": row.revoked_at is not None},
        )
