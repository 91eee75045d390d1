"""Telling a workspace's admins that a source needs reconnecting — once, when it starts needing
it, not at every hourly retry: one e-mail to each owner and admin, in their language, naming the
source and linking to the Sources page (sent on the task queue), and the webhook event
``source.needs_reconnect`` to the endpoints that asked for it."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.users import list_members
from ecoute.jobs import JobContext, defer, job
from ecoute.keep_time.mail import mail_configured, send_mail
from ecoute.store.models import Source, User, Workspace
from ecoute.webhooks.endpoints import SOURCE_NEEDS_RECONNECT
from ecoute.webhooks.events import queue_deliveries, subscribed

logger = logging.getLogger(__name__)
ADMIN_ROLES = ("owner", "admin")
_TEXT = {
    "fr": {
        "subject": "[Écoute] {workspace} : la source « {source} » doit être reconnectée",
        "body": (
            "Bonjour,\n\n"
            "La source « {source} » ({kind}) de l’espace {workspace} ne peut plus être lue : la plateforme "
            "a refusé son autorisation (jeton expiré ou révoqué, mot de passe d’application changé).\n"
            "Réponse de la plateforme : {error}\n\n"
            "Rien n’en arrive plus tant qu’elle n’est pas reconnectée. Pour la reconnecter, saisissez de "
            "nouveaux identifiants et testez-les sur la page Sources :\n{link}\n"
        ),
    },
    "en": {
        "subject": "[Écoute] {workspace}: the source “{source}” needs reconnecting",
        "body": (
            "Hello,\n\n"
            "The source “{source}” ({kind}) of the workspace {workspace} can no longer be read: the "
            "platform refused its authorisation (a token expired or revoked, an app password changed).\n"
            "The platform's answer: {error}\n\n"
            "Nothing arrives from it until it is reconnected. To reconnect it, enter new credentials and "
            "test them on the Sources page:\n{link}\n"
        ),
    },
}


def announce(session: Session, workspace_id: int, source_id: int, now: datetime) -> int:
    """In the caller's transaction (the one that marked the source): one mail job per admin and
    the webhook event. Returns how many admins will be mailed."""
    source = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
    if source is None:
        return 0
    stamp = _stamp(now)
    admins = [
        u for u, role in list_members(session, workspace_id) if role in ADMIN_ROLES and u.disabled_at is None
    ]
    for admin in admins:
        defer(
            session,
            "source.reconnect_mail",
            {"source_id": source.id, "user_id": admin.id},
            key=f"source.reconnect_mail:{source.id}:{stamp}:{admin.id}",
            workspace_id=workspace_id,
        )
    _queue_event(session, workspace_id, source, now)
    logger.info("source.needs_reconnect", extra={"source_id": source.id, "admins": len(admins)})
    return len(admins)


@job("source.reconnect_mail", queue="delivery", max_attempts=5)
def send_reconnect_mail(ctx: JobContext, payload: dict[str, Any]) -> None:
    if not mail_configured(ctx.settings):
        logger.info("source.reconnect_mail_skipped", extra={"reason": "ECOUTE_SMTP_HOST is not set"})
        return
    with ctx.db.session() as session:
        workspace = session.get(Workspace, ctx.workspace_id) if ctx.workspace_id else None
        user = session.get(User, int(payload["user_id"]))
        source = session.scalar(
            select(Source).where(
                Source.workspace_id == ctx.workspace_id, Source.id == int(payload["source_id"])
            )
        )
        if workspace is None or user is None or source is None or source.health != "needs_reconnect":
            return  # removed or reconnected meanwhile: nothing to say any more
        subject, body = compose(workspace, source, user.locale or workspace.locale, ctx.settings.public_url)
        to = [user.email]
    send_mail(ctx.settings, to, subject, body)


def compose(workspace: Workspace, source: Source, locale: str, public_url: str) -> tuple[str, str]:
    text = _TEXT.get(locale, _TEXT["en"])
    values = {
        "workspace": workspace.name,
        "source": source.name,
        "kind": source.kind,
        "error": (source.last_error or "").splitlines()[0][:300] if source.last_error else "—",
        "link": f"{public_url}/w/{workspace.slug}/sources",
    }
    return text["subject"].format(**values), text["body"].format(**values)


def _stamp(now: datetime) -> int:
    """The transition's moment in microseconds: a source reconnected and refused again within the
    same second is announced again (its mail jobs and event get keys of their own)."""
    return int(now.timestamp() * 1_000_000)


def _queue_event(session: Session, workspace_id: int, source: Source, now: datetime) -> int:
    hooks = subscribed(session, workspace_id, SOURCE_NEEDS_RECONNECT)
    if not hooks:
        return 0
    workspace = session.get(Workspace, workspace_id)
    event_id = f"{SOURCE_NEEDS_RECONNECT}:{source.id}:{_stamp(now)}"
    body = event_payload(workspace, source, event_id, now)
    rows = [
        {
            "workspace_id": workspace_id,
            "endpoint_id": hook.id,
            "event": SOURCE_NEEDS_RECONNECT,
            "event_id": event_id,
            "payload": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for hook in hooks
    ]
    return queue_deliveries(session, workspace_id, rows)


def event_payload(
    workspace: Workspace | None, source: Source, event_id: str, now: datetime
) -> dict[str, Any]:
    slug, name = (workspace.slug, workspace.name) if workspace else ("", "")
    return {
        "id": event_id,
        "type": SOURCE_NEEDS_RECONNECT,
        "created_at": now.isoformat(),
        "workspace": {"slug": slug, "name": name},
        # Slack and compatible chat tools show ``text`` as the message.
        "text": f"Écoute · {name}: the source {source.name!r} ({source.kind}) needs reconnecting",
        "source": {
            "id": source.id,
            "name": source.name,
            "kind": source.kind,
            "platform": source.platform,
            "path": f"/w/{slug}/sources",
            "last_error": (source.last_error or "")[:300],
        },
    }
