"""Tables of access control: failed logins and bad API tokens remembered per account and per
client address, so that throttling holds across every web process sharing the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow


class LoginThrottle(Base):
    """Recent failures for one key (``account:<digest of the e-mail>``, ``address:<ip>``,
    ``token-address:<ip>``) and, once past the free allowance, until when the key is refused."""

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_last_failure", "last_failure_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column()
