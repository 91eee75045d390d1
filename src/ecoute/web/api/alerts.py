"""``/api/v1/alerts/settings``: the workspace's alert settings (sensitivity, detectors, cooldown,
channels, muted terms). Reading takes ``view``; changing them takes ``manage_webhooks`` (admins
and owners)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.warn import preferences
from ecoute.web.api.params import BEARER
from ecoute.web.api.schemas import In, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings
from ecoute.webhooks.addresses import allowed_networks
from ecoute.webhooks.endpoints import MAX_URL

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"], dependencies=BEARER)
Sensitivity = Literal["quiet", "normal", "sensitive"]
Detector = Literal["volume", "negative_share", "term", "impersonation"]
Term = Annotated[str, Field(min_length=1, max_length=preferences.MAX_TERM)]


class AlertSettingsOut(BaseModel):
    sensitivity: Sensitivity
    detectors: list[Detector]
    cooldown_minutes: int = Field(description="One crisis is told at most once per channel within it.")
    email: bool
    email_recipients: list[int] | None = Field(description="Member user ids; null: the owners and admins.")
    slack: bool = Field(
        description="Whether a Slack-compatible incoming webhook is set (its URL is not shown)."
    )
    webhook_event: bool = Field(description="Whether alert.raised goes to the subscribed outgoing webhooks.")
    muted_terms: list[str]


class AlertSettingsIn(In):
    """The settings to change; those left out keep their value."""

    sensitivity: Sensitivity | None = None
    detectors: list[Detector] | None = Field(None, max_length=len(preferences.DETECTORS))
    cooldown_minutes: int | None = Field(None, ge=preferences.MIN_COOLDOWN, le=preferences.MAX_COOLDOWN)
    email: bool | None = None
    email_recipients: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(
        None, max_length=preferences.MAX_RECIPIENTS, description="Member user ids; [] or null: the admins."
    )
    slack_url: str | None = Field(
        None, max_length=MAX_URL, description='An https:// incoming webhook URL; "" removes it.'
    )
    webhook_event: bool | None = None
    muted_terms: list[Term] | None = Field(None, max_length=preferences.MAX_MUTED)


def _out(chosen: preferences.AlertSettings) -> AlertSettingsOut:
    return AlertSettingsOut(**chosen.public())


@router.get("/settings", response_model=AlertSettingsOut, responses=errors(403))
def get_alert_settings(ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]) -> AlertSettingsOut:
    """Sensitivity, detectors on, cooldown, channels and muted terms (defaults filled in)."""
    return _out(preferences.load(ctx.workspace))


@router.put("/settings", response_model=AlertSettingsOut, responses=errors(403))
def put_alert_settings(
    request: Request,
    session: DbSession,
    body: AlertSettingsIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.MANAGE_WEBHOOKS)],
) -> AlertSettingsOut:
    """Change some settings (validated; 422 names the field; audited as ``alerts.settings``). The
    incoming webhook's URL follows the outgoing webhooks' rules: public addresses only."""
    changes = body.model_dump(exclude_unset=True)
    for name in ("sensitivity", "cooldown_minutes", "email", "webhook_event", "detectors", "muted_terms"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    if changes.get("email_recipients") == []:
        changes["email_recipients"] = None
    settings = get_settings(request)
    chosen = preferences.update(
        session, ctx.workspace, changes, secret_key=settings.secret_key,
        allowed=allowed_networks(settings), actor=ctx.actor,
    )  # fmt: skip
    return _out(chosen)
