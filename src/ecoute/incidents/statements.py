"""Drafts of what the brand says in public, in French and English, in the voice the crisis
literature recommends: what is happening and since when, an apology, what is being done, when the
next update comes; for an impersonator, a warning and what to report to the platform. The team
edits a draft before it goes on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Brand, Workspace
from ecoute.warn.models import Alert

from . import wording
from .models import Incident
from .wording import clause, join, say


def moment(value: datetime | None, lang: str, timezone: str, now: datetime) -> str:
    """ "à 14:30" today, "le 7 déc. 2026 à 09:00" another day (in the workspace's time zone)."""
    if value is None:
        return ""
    zone = ZoneInfo(timezone)
    local, today = value.astimezone(zone), now.astimezone(zone)
    time = format_time(local, "short", locale=lang)
    key = "when.today" if local.date() == today.date() else "when.later"
    return say(lang, key, {"time": time, "date": format_date(local, "medium", locale=lang)}) or time


@dataclass(frozen=True)
class Impersonator:
    """The fake account an impersonation incident is about, and who the brand really is."""

    platform: str
    handle: str
    brand: str
    ours: tuple[str, ...]
    contacted: tuple[str, ...]

    @property
    def fake(self) -> str:
        return f"@{self.handle}"


def impersonator(session: Session, incident: Incident) -> Impersonator | None:
    alert = session.get(Alert, incident.alert_id) if incident.alert_id else None
    if incident.kind != "impersonation" or alert is None or alert.workspace_id != incident.workspace_id:
        return None
    details = alert.details or {}
    brand = str(details.get("brand") or "")
    handles = session.scalar(
        select(Brand.handles).where(Brand.workspace_id == incident.workspace_id, Brand.name == brand)
    )
    platform = str(details.get("platform") or alert.subject.split(":", 1)[0])
    ours = tuple(f"@{h.split(':', 1)[-1].lstrip('@')}" for h in handles or () if _on(h, platform))
    return Impersonator(
        platform,
        str(details.get("handle") or ""),
        brand,
        ours,
        tuple(f"@{h}" for h in details.get("contacted") or ()),
    )


def _on(handle: str, platform: str) -> bool:
    """A brand handle written "x:cyclune" belongs to one platform; a bare one to all."""
    return ":" not in handle or handle.split(":", 1)[0] == platform


def facts(incident: Incident, lang: str, timezone: str, now: datetime) -> dict[str, str]:
    return {
        "title": incident.title,
        "what": clause(incident.description),
        "action": clause(incident.action),
        "since": moment(incident.started_at, lang, timezone, now),
        "next": moment(incident.next_update_at, lang, timezone, now) if incident.status != "resolved" else "",
        "resolved": moment(incident.resolved_at, lang, timezone, now),
    }


def draft_statement(session: Session, incident: Incident, lang: str, now: datetime) -> str:
    """The public statement for the incident's current status, in ``lang``."""
    timezone = _timezone(session, incident)
    fake = impersonator(session, incident)
    if fake is not None:
        return join(
            lang,
            [
                wording.sentence(lang, [line], _fake_values(fake, lang))
                for line in wording.choices(lang, "impersonation.statement")
            ],
        )
    values = facts(incident, lang, timezone, now)
    status = incident.status
    parts = [
        say(lang, "statement.what", values),
        say(lang, "statement.apology", values),
        say(lang, f"statement.status.{status}", values),
    ]
    if status != "resolved":
        parts += [say(lang, "statement.doing", values), say(lang, "statement.next", values)]
    return join(lang, parts)


def report_text(session: Session, incident: Incident, lang: str) -> str | None:
    """For an impersonator: where and how to report it to its platform."""
    fake = impersonator(session, incident)
    if fake is None:
        return None
    values = _fake_values(fake, lang)
    return join(
        lang, [say(lang, "impersonation.report", values), say(lang, "impersonation.evidence", values)]
    )


def report_link(platform: str, handle: str) -> str | None:
    known = wording.platforms().get(platform)
    if known is None:
        return None
    instance = handle.split("@", 1)[1] if "@" in handle else ""
    if "{instance}" in known["link"] and not instance:
        return None
    return known["link"].format(instance=instance, handle=handle)


def _fake_values(fake: Impersonator, lang: str) -> dict[str, str]:
    known = wording.platforms().get(fake.platform, {})
    instance = fake.handle.split("@", 1)[1] if "@" in fake.handle else fake.platform
    return {
        "fake": fake.fake,
        "brand": fake.brand,
        "ours": ", ".join(fake.ours),
        "platform": known.get("name", fake.platform).format(instance=instance),
        "link": report_link(fake.platform, fake.handle) or "",
        "contacted": ", ".join(fake.contacted[:10]),
    }


def _timezone(session: Session, incident: Incident) -> str:
    workspace = session.get(Workspace, incident.workspace_id)
    return workspace.timezone if workspace else "UTC"
