"""Accounts in a workspace's mentions that pass themselves off as one of its brands.

Every author is compared with the workspace's own brands (name and declared handles; competitors'
are not ours to defend, and the brands' own handles are never flagged): look-alike names first,
cheap; only for those, the people they replied to and whether those had mentioned the brand, which
is what an impersonator answering customers does. A flagged account is kept as an ``impersonation``
alert (subject ``platform:handle``), created once and updated when its score or contacts change,
with its reasons in both languages and the customers it contacted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ecoute.store.models import Author, Brand, Mention, MentionBrand
from ecoute.store.types import utcnow
from ecoute.warn import impersonation
from ecoute.warn.impersonation import Account, assess
from ecoute.warn.models import Alert
from ecoute.warn.wording import LANGUAGES

KIND = "impersonation"


def own_brands(session: Session, workspace_id: int) -> list[impersonation.Brand]:
    rows = session.scalars(
        select(Brand).where(Brand.workspace_id == workspace_id, Brand.competitor_of_id.is_(None))
    )
    return [impersonation.Brand(b.name, tuple(str(h) for h in b.handles or ())) for b in rows]


def scan_authors(session: Session, workspace_id: int, now: datetime | None = None) -> list[Alert]:
    """Assess every author against the own brands; upsert one alert per flagged account."""
    now = now or utcnow()
    brands = own_brands(session, workspace_id)
    if not brands:
        return []
    authors = session.scalars(select(Author).where(Author.workspace_id == workspace_id)).all()
    flagged: list[Alert] = []
    tagged: set[str] | None = None  # read once, when a first look-alike turns up
    for author in authors:
        plain = Account(author.platform, author.handle, author.display_name or "", followers=author.followers,
                        verified=bool(author.verified))  # fmt: skip
        candidates = [b for b in brands if assess(plain, b, now).score > 0]
        if not candidates:
            continue
        contacted = _replied_to(session, workspace_id, author.id)
        account = Account(
            author.platform, author.handle, author.display_name or "", followers=author.followers,
            verified=bool(author.verified), replied_to_handles=tuple(contacted),
        )  # fmt: skip
        tagged = _tagged_brand(session, workspace_id) if tagged is None else tagged
        for brand in candidates:
            verdict = assess(account, brand, now, tagged_brand=tagged)
            if verdict.impersonation:
                flagged.append(_upsert(session, workspace_id, author, brand, account, tagged, contacted, now))
                break
    return flagged


def _replied_to(session: Session, workspace_id: int, author_id: int) -> list[str]:
    """Handles of the people this author answered (the authors of the posts it replied to)."""
    parent, parent_author = aliased(Mention), aliased(Author)
    rows = session.execute(
        select(parent_author.handle)
        .select_from(Mention)
        .join(
            parent,
            (parent.workspace_id == Mention.workspace_id)
            & (parent.platform == Mention.platform)
            & (parent.external_id == Mention.parent_external_id),
        )
        .join(parent_author, parent_author.id == parent.author_id)
        .where(Mention.workspace_id == workspace_id, Mention.author_id == author_id)
        .group_by(parent_author.handle)
    )
    return sorted(handle for (handle,) in rows if handle)


def _tagged_brand(session: Session, workspace_id: int) -> set[str]:
    """Handles of everyone whose mentions are about one of the workspace's brands."""
    rows = session.execute(
        select(func.distinct(Author.handle))
        .join(Mention, Mention.author_id == Author.id)
        .join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .where(MentionBrand.workspace_id == workspace_id)
    )
    return {handle for (handle,) in rows if handle}


def _upsert(
    session: Session,
    workspace_id: int,
    author: Author,
    brand: impersonation.Brand,
    account: Account,
    tagged: set[str],
    contacted: list[str],
    now: datetime,
) -> Alert:
    subject = f"{author.platform}:{author.handle}"[:240]
    first, last, count = session.execute(
        select(func.min(Mention.created_at), func.max(Mention.created_at), func.count()).where(
            Mention.workspace_id == workspace_id, Mention.author_id == author.id
        )
    ).one()
    alert = session.scalar(
        select(Alert).where(Alert.workspace_id == workspace_id, Alert.kind == KIND, Alert.subject == subject)
    )
    if alert is None:
        alert = Alert(workspace_id=workspace_id, kind=KIND, subject=subject, started_at=first or now)
        session.add(alert)
    verdicts = {lang: assess(account, brand, now, tagged_brand=tagged, lang=lang) for lang in LANGUAGES}
    alert.peak_at = last or now
    alert.observed, alert.expected, alert.peak_z = float(count), 0.0, verdicts["en"].score
    alert.details = {
        "author_id": author.id,
        "handle": author.handle,
        "display_name": author.display_name or "",
        "followers": author.followers,
        "verified": bool(author.verified),
        "brand": brand.name,
        "score": verdicts["en"].score,
        "reasons": {lang: v.reasons for lang, v in verdicts.items()},
        "contacted": contacted,
    }
    alert.updated_at = now
    session.flush()
    return alert
