"""A workspace's alert settings: how sensitive the detectors are, which ones run, where alerts are
sent (e-mail to the members who opted in, a Slack-compatible incoming webhook, the outgoing
``alert.raised`` event), the cooldown between two messages about one crisis, and the muted terms.

Kept in ``workspace.settings["alerts"]``; every change is validated (an error names the field) and
audited. The incoming webhook's URL is a secret (whoever has it can post to the channel): it is
sealed at rest, never shown back, and follows the outgoing webhooks' address rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.store.models import Membership, User, Workspace
from ecoute.store.repo import Invalid, record_audit
from ecoute.warn.spikes import SpikeSettings
from ecoute.warn.terms import terms_of
from ecoute.webhooks.addresses import Network
from ecoute.webhooks.endpoints import validate_url
from ecoute.webhooks.sealing import Keys, seal, unseal

SETTING = "alerts"
DETECTORS = ("volume", "negative_share", "term", "impersonation")
# Sensitivity → the spike detectors' target rate (episodes a week the threshold is calibrated to),
# their floor on the standardised residual, the smallest excess of mentions worth an alert, and the
# term detector's floor on the log-odds z and on distinct authors. "normal" is the detectors'
# default (the evaluation contract's settings).
SENSITIVITIES: dict[str, dict[str, float]] = {
    "quiet": {"alerts_per_week": 0.5, "min_z": 5.0, "min_excess": 10.0, "term_z": 4.0, "term_authors": 8},
    "normal": {"alerts_per_week": 1.0, "min_z": 4.0, "min_excess": 5.0, "term_z": 3.0, "term_authors": 5},
    "sensitive": {"alerts_per_week": 2.0, "min_z": 3.0, "min_excess": 3.0, "term_z": 2.5, "term_authors": 3},
}
MIN_COOLDOWN, MAX_COOLDOWN = 15, 7 * 24 * 60  # minutes
MAX_MUTED, MAX_TERM = 200, 100
MAX_RECIPIENTS = 100


@dataclass(frozen=True)
class AlertSettings:
    sensitivity: str = "normal"
    detectors: tuple[str, ...] = DETECTORS
    cooldown_minutes: int = 120
    email: bool = True
    email_recipients: tuple[int, ...] | None = None  # user ids; None: the workspace's owners and admins
    slack_url: str = ""  # sealed
    webhook_event: bool = True
    muted_terms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cooldown(self) -> timedelta:
        return timedelta(minutes=self.cooldown_minutes)

    @property
    def slack(self) -> bool:
        return bool(self.slack_url)

    def spike_settings(self) -> SpikeSettings:
        level = SENSITIVITIES[self.sensitivity]
        return SpikeSettings(
            alerts_per_week=level["alerts_per_week"], min_z=level["min_z"], min_excess=level["min_excess"]
        )

    def term_thresholds(self) -> tuple[float, int]:
        level = SENSITIVITIES[self.sensitivity]
        return level["term_z"], int(level["term_authors"])

    def public(self) -> dict[str, Any]:
        """What the API and the page show: everything but the sealed URL (only whether one is set)."""
        shown = asdict(self)
        shown.pop("slack_url")
        shown["slack"] = self.slack
        shown["detectors"] = list(self.detectors)
        shown["muted_terms"] = list(self.muted_terms)
        shown["email_recipients"] = None if self.email_recipients is None else list(self.email_recipients)
        return shown


def load(workspace: Workspace | None) -> AlertSettings:
    """The stored settings, defaults filled in; anything unreadable falls back to its default."""
    stored = ((workspace.settings or {}) if workspace else {}).get(SETTING) or {}
    base = AlertSettings()
    values: dict[str, Any] = {}
    if stored.get("sensitivity") in SENSITIVITIES:
        values["sensitivity"] = stored["sensitivity"]
    if isinstance(stored.get("detectors"), list):
        values["detectors"] = tuple(d for d in DETECTORS if d in stored["detectors"])
    if isinstance(stored.get("cooldown_minutes"), int):
        values["cooldown_minutes"] = min(max(stored["cooldown_minutes"], MIN_COOLDOWN), MAX_COOLDOWN)
    for flag in ("email", "webhook_event"):
        if isinstance(stored.get(flag), bool):
            values[flag] = stored[flag]
    if isinstance(stored.get("email_recipients"), list):
        values["email_recipients"] = tuple(int(u) for u in stored["email_recipients"] if isinstance(u, int))
    if isinstance(stored.get("slack_url"), str):
        values["slack_url"] = stored["slack_url"]
    if isinstance(stored.get("muted_terms"), list):
        values["muted_terms"] = tuple(str(t) for t in stored["muted_terms"])
    return replace(base, **values)


def slack_url(settings: AlertSettings, secret_key: Keys) -> str:
    """The incoming webhook's URL, unsealed (only to send)."""
    return unseal(secret_key, settings.slack_url) if settings.slack_url else ""


def update(
    session: Session,
    workspace: Workspace,
    changes: Mapping[str, Any],
    *,
    secret_key: str,
    allowed: Sequence[Network] = (),
    actor: str,
) -> AlertSettings:
    """Apply ``changes`` (any of the public fields; ``slack_url``: a URL to set, "" to remove it),
    each validated; unknown fields are refused. Audited as ``alerts.settings``."""
    before = load(workspace)
    unknown = sorted(set(changes) - {*AlertSettings.__dataclass_fields__, "slack"})  # "slack" is read-only
    if unknown:
        raise Invalid(f"{unknown[0]}: not an alert setting")
    values: dict[str, Any] = {}
    if "sensitivity" in changes:
        if changes["sensitivity"] not in SENSITIVITIES:
            raise Invalid(f"sensitivity: use {', '.join(SENSITIVITIES)}")
        values["sensitivity"] = changes["sensitivity"]
    if "detectors" in changes:
        chosen = changes["detectors"]
        if not isinstance(chosen, list | tuple) or not set(chosen) <= set(DETECTORS):
            raise Invalid(f"detectors: choose among {', '.join(DETECTORS)}")
        values["detectors"] = tuple(d for d in DETECTORS if d in chosen)
    if "cooldown_minutes" in changes:
        minutes = changes["cooldown_minutes"]
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not MIN_COOLDOWN <= minutes <= MAX_COOLDOWN
        ):
            raise Invalid(
                f"cooldown_minutes: give a whole number of minutes from {MIN_COOLDOWN} to {MAX_COOLDOWN}"
            )
        values["cooldown_minutes"] = minutes
    for flag in ("email", "webhook_event"):
        if flag in changes:
            if not isinstance(changes[flag], bool):
                raise Invalid(f"{flag}: give true or false")
            values[flag] = changes[flag]
    if "email_recipients" in changes:
        values["email_recipients"] = _recipients(session, workspace.id, changes["email_recipients"])
    if "slack_url" in changes:
        url = changes["slack_url"]
        if not isinstance(url, str):
            raise Invalid("slack_url: give an https:// address, or an empty text to remove it")
        values["slack_url"] = seal(secret_key, _slack_url(url, allowed)) if url.strip() else ""
    if "muted_terms" in changes:
        terms = changes["muted_terms"]
        if not isinstance(terms, list | tuple) or len(terms) > MAX_MUTED:
            raise Invalid(f"muted_terms: give a list of at most {MAX_MUTED} terms")
        values["muted_terms"] = tuple(dict.fromkeys(normalise_term(t) for t in terms))
    after = replace(before, **values)
    _store(session, workspace, before, after, actor=actor)
    return after


def _slack_url(url: str, allowed: Sequence[Network]) -> str:
    try:
        checked = validate_url(url, allowed)
    except Invalid as error:
        raise Invalid(f"slack_{error}") from None
    return checked


def _recipients(session: Session, workspace_id: int, value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) > MAX_RECIPIENTS:
        raise Invalid(
            f"email_recipients: give a list of member ids (at most {MAX_RECIPIENTS}), or null for the admins"
        )
    if any(isinstance(u, bool) or not isinstance(u, int) for u in value):
        raise Invalid("email_recipients: each recipient is a member's user id")
    members = set(session.scalars(select(Membership.user_id).where(Membership.workspace_id == workspace_id)))
    strangers = sorted(set(value) - members)
    if strangers:
        raise Invalid(f"email_recipients: user {strangers[0]} is not a member of this workspace")
    return tuple(sorted(set(value)))


def normalise_term(term: Any) -> str:
    """A term as the term detector counts it (lower case, hashtags keep their ``#``)."""
    if not isinstance(term, str) or not term.strip() or len(term.strip()) > MAX_TERM:
        raise Invalid(f"term: give a word or a hashtag of at most {MAX_TERM} characters")
    found = terms_of(term.strip())
    cleaned = term.strip().casefold()
    return cleaned if cleaned in found or not found else sorted(found)[0]


def mute(session: Session, workspace: Workspace, term: str, *, actor: str) -> AlertSettings:
    before = load(workspace)
    term = normalise_term(term)
    if term in before.muted_terms:
        return before
    if len(before.muted_terms) >= MAX_MUTED:
        raise Invalid(f"term: at most {MAX_MUTED} muted terms; unmute one first")
    after = replace(before, muted_terms=(*before.muted_terms, term))
    _store(session, workspace, before, after, actor=actor, action="alerts.mute")
    return after


def unmute(session: Session, workspace: Workspace, term: str, *, actor: str) -> AlertSettings:
    before = load(workspace)
    term = normalise_term(term)
    after = replace(before, muted_terms=tuple(t for t in before.muted_terms if t != term))
    if after != before:
        _store(session, workspace, before, after, actor=actor, action="alerts.unmute")
    return after


def recipients(session: Session, workspace_id: int, settings: AlertSettings) -> list[str]:
    """The e-mail addresses alerts go to: the chosen members still in the workspace and active, or
    (nobody chosen) its owners and admins."""
    query = (
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.disabled_at.is_(None))
        .order_by(User.id)
    )
    if settings.email_recipients is None:
        query = query.where(Membership.role.in_(("owner", "admin")))
    else:
        query = query.where(User.id.in_(settings.email_recipients or (-1,)))
    return list(session.scalars(query))


def _store(
    session: Session,
    workspace: Workspace,
    before: AlertSettings,
    after: AlertSettings,
    *,
    actor: str,
    action: str = "alerts.settings",
) -> None:
    stored = asdict(after)
    stored["detectors"] = list(after.detectors)
    stored["muted_terms"] = list(after.muted_terms)
    stored["email_recipients"] = None if after.email_recipients is None else list(after.email_recipients)
    workspace.settings = {**(workspace.settings or {}), SETTING: stored}
    record_audit(
        session, workspace.id, actor=actor, action=action, target_type="workspace", target_id=workspace.id,
        before=before.public(), after=after.public(),
    )  # fmt: skip
    session.flush()
