"""The incidents' background work: each approved personal update handed to the reply pipeline,
and, every ten minutes, the conversations that now match an open incident linked to it."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ecoute.jobs import JobContext, job, periodic
from ecoute.respond.outbox import ReplyRequest, submit_reply
from ecoute.respond.sending import idempotency_key
from ecoute.sources.base import SourceError
from ecoute.store.models import Reply
from ecoute.store.repo import Invalid, NotFound

from . import linking
from .models import Incident, PersonalUpdate
from .updates import JOB, submission

logger = logging.getLogger(__name__)


@job(JOB, queue="delivery", lease=timedelta(minutes=2), max_attempts=6)
def send_update(ctx: JobContext, payload: dict[str, Any]) -> None:
    if ctx.workspace_id is None:
        raise ValueError(f"{JOB} needs the update's workspace")
    workspace_id = ctx.workspace_id
    with ctx.db.session() as session:
        update = session.scalar(
            select(PersonalUpdate).where(
                PersonalUpdate.workspace_id == workspace_id, PersonalUpdate.id == int(payload["update_id"])
            )
        )
        if update is None or update.state != "queued":
            return  # already handed over (a second delivery of this job), or gone
        conversation_id, text, name = update.conversation_id, update.text, submission(update)
        mention_id = update.mention_id
    request = ReplyRequest(
        text=text, submission=name, in_reply_to_id=mention_id, confirm_collision=True, confirm_similar=True
    )
    error: str | None = None
    try:
        submit_reply(
            ctx.db,
            workspace_id,
            conversation_id,
            request,
            role=str(payload["role"]),
            user_id=payload.get("user_id"),
            actor=str(payload.get("actor") or "jobs"),
        )
    except (Invalid, NotFound) as refused:
        error = str(refused)
    except SourceError:
        pass  # the reply is stored, "failed" with the platform's words: it shows on the update
    with ctx.db.session() as session:
        update = session.get(PersonalUpdate, int(payload["update_id"]))
        if update is None:
            return
        key = idempotency_key(conversation_id, name)
        update.reply_id = session.scalar(
            select(Reply.id).where(Reply.workspace_id == workspace_id, Reply.idempotency_key == key)
        )
        update.state, update.error = ("handed", None) if update.reply_id else ("failed", error)
    logger.info("incident.update_handed", extra={"update_id": payload["update_id"], "error": bool(error)})


@periodic("incidents.link", every=timedelta(minutes=10), queue="bulk")
def link_open_incidents(ctx: JobContext) -> None:
    with ctx.db.session() as session:
        ids = list(
            session.scalars(select(Incident.id).where(Incident.status != "resolved").order_by(Incident.id))
        )
    for incident_id in ids:
        with ctx.db.session() as session:
            incident = session.get(Incident, incident_id)
            if incident is not None:
                linked = linking.link_new(session, incident)
                if linked:
                    logger.info("incident.linked", extra={"incident_id": incident_id, "linked": linked})
        ctx.heartbeat()
