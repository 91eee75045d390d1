"""Share links to a report: an unguessable token (shown once, stored as its SHA-256) that opens one
workspace's report for one brand (or all) and one period, without logging in, until it expires or is
revoked. Creating, revoking and opening a link are written to the audit log."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.digests import digest, new_token
from ecoute.insights.report_models import ReportLink
from ecoute.store.models import Brand
from ecoute.store.repo import Invalid, NotFound, record_audit
from ecoute.store.types import utcnow

logger = logging.getLogger(__name__)
DEFAULT_DAYS = 30
LIFETIMES = (1, 7, 30, 90)  # days a link may stay open, offered in the app
MAX_DAYS = 365


def create_link(
    session: Session,
    workspace_id: int,
    *,
    first_day: date,
    last_day: date,
    brand: Brand | None,
    locale: str,
    actor: str,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> tuple[str, ReportLink]:
    """The token for the link (shown once) and the stored link."""
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"expires: give between 1 and {MAX_DAYS} days")
    if brand is not None and brand.workspace_id != workspace_id:
        raise NotFound("brand: no such brand in this workspace")
    token = new_token()
    link = ReportLink(
        workspace_id=workspace_id,
        token_hash=digest(token),
        brand_id=brand.id if brand is not None else None,
        first_day=first_day,
        last_day=last_day,
        locale=locale,
        created_by=actor,
        expires_at=(now or utcnow()) + timedelta(days=days),
    )
    session.add(link)
    session.flush()
    record_audit(
        session, workspace_id, actor=actor, action="report_link.created", target_type="report_link",
        target_id=link.id, after=_described(link),
    )  # fmt: skip
    logger.info("report_link.created", extra={"workspace_id": workspace_id, "link_id": link.id})
    return token, link


def list_links(session: Session, workspace_id: int) -> list[ReportLink]:
    query = select(ReportLink).where(ReportLink.workspace_id == workspace_id).order_by(ReportLink.id.desc())
    return list(session.scalars(query))


def revoke_link(session: Session, workspace_id: int, link_id: int, *, actor: str) -> ReportLink:
    link = session.scalar(
        select(ReportLink).where(ReportLink.workspace_id == workspace_id, ReportLink.id == link_id)
    )
    if link is None:
        raise NotFound(f"share link {link_id}: no such link in this workspace")
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        record_audit(
            session, workspace_id, actor=actor, action="report_link.revoked", target_type="report_link",
            target_id=link.id, before=_described(link),
        )  # fmt: skip
    return link


def open_link(session: Session, token: str, now: datetime | None = None) -> ReportLink | None:
    """The link a token opens, or None (unknown, expired or revoked); an opening is audited."""
    link = session.scalar(select(ReportLink).where(ReportLink.token_hash == digest(token)))
    if link is None or not link.open_at(now or utcnow()):
        return None
    record_audit(
        session, link.workspace_id, actor="share link", action="report_link.opened",
        target_type="report_link", target_id=link.id,
    )  # fmt: skip
    return link


def _described(link: ReportLink) -> dict[str, object]:
    return {
        "brand_id": link.brand_id,
        "from": link.first_day.isoformat(),
        "to": link.last_day.isoformat(),
        "locale": link.locale,
        "expires_at": link.expires_at.isoformat(),
    }
