"""``/api/v1/incidents``: incidents opened from an alert or by hand, their timeline (statuses and
public statements), statement drafts, linked conversations, and the personal updates to everyone
affected (prepare, edit, approve: each becomes a reply through the reply pipeline)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.incidents import figures, linking, opening, records, statements, updates
from ecoute.incidents.models import Incident, IncidentEvent
from ecoute.store.types import utcnow
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.schemas import In, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require, get_settings

router = APIRouter(prefix="/api/v1", tags=["incidents"], dependencies=BEARER)
Status = Annotated[str, Field(pattern="^(investigating|identified|monitoring|resolved)$")]
Lang = Annotated[str, Field(pattern="^(fr|en)$")]


class IncidentIn(In):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000, description="What happened.")
    action: str = Field(default="", max_length=4000, description="What is being done.")
    brand: str | None = Field(default=None, max_length=200, description="One of the workspace's brands.")
    terms: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list, max_length=20, description="New conversations saying one are linked."
    )
    next_update_in_minutes: int | None = Field(default=None, ge=1, le=10_080)

    def facts(self) -> records.IncidentFacts:
        delay = self.next_update_in_minutes
        return records.IncidentFacts(
            self.title,
            self.description,
            self.action,
            self.brand,
            tuple(self.terms),
            utcnow() + timedelta(minutes=delay) if delay else None,
        )


class IncidentOut(BaseModel):
    id: int
    kind: str
    title: str
    description: str
    action: str
    terms: list[str]
    status: str
    alert_id: int | None
    started_at: datetime
    next_update_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        return cls(
            id=incident.id,
            kind=incident.kind,
            title=incident.title,
            description=incident.description,
            action=incident.action,
            terms=[str(t) for t in incident.terms],
            status=incident.status,
            alert_id=incident.alert_id,
            started_at=incident.started_at,
            next_update_at=incident.next_update_at,
            resolved_at=incident.resolved_at,
            created_at=incident.created_at,
        )


class IncidentList(BaseModel):
    items: list[IncidentOut]


class EventOut(BaseModel):
    id: int
    kind: str = Field(description="opened, status or statement")
    status: str
    lang: str | None
    body: str
    actor: str
    created_at: datetime

    @classmethod
    def of(cls, event: IncidentEvent) -> EventOut:
        return cls(
            id=event.id,
            kind=event.kind,
            status=event.status,
            lang=event.lang,
            body=event.body,
            actor=event.actor,
            created_at=event.created_at,
        )


class FiguresOut(BaseModel):
    affected: int = Field(description="People (authors) of the linked conversations.")
    updated: int = Field(description="Of them, those a personal update reached (sent or recorded).")
    first_update_at: datetime | None
    seconds_to_first_update: float | None = Field(description="From the opening to the first statement.")
    seconds_from_alert: float | None = Field(description="From the alert's start to the first statement.")
    negative_share_before: float | None
    negative_share_after: float | None


class IncidentDetail(IncidentOut):
    figures: FiguresOut
    timeline: list[EventOut]
    conversation_ids: list[int]


class StatusIn(In):
    status: Status


class StatementIn(In):
    lang: Lang
    body: str = Field(min_length=1, max_length=4000)


class DraftsOut(BaseModel):
    fr: str
    en: str
    report_fr: str | None = Field(description="For an impersonator: what to report to the platform.")
    report_en: str | None


class PrepareIn(In):
    again: bool = Field(default=False, description="Also write to those already updated for this status.")


class UpdateOut(BaseModel):
    id: int
    conversation_id: int
    round: str
    lang: str
    text: str
    selected: bool
    status: str = Field(description="draft, skipped, queued, failed, or the reply's status")
    reply_id: int | None


class UpdateList(BaseModel):
    round: str | None
    items: list[UpdateOut]


class UpdateIn(In):
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    selected: bool | None = None


class QueuedOut(BaseModel):
    queued: int


def _detail(session: DbSession, incident: Incident) -> IncidentDetail:
    found = figures.figures(session, incident)
    return IncidentDetail(
        **IncidentOut.of(incident).model_dump(),
        figures=FiguresOut(
            affected=found.affected,
            updated=found.updated,
            first_update_at=found.first_update_at,
            seconds_to_first_update=found.since_opening.total_seconds() if found.since_opening else None,
            seconds_from_alert=found.since_alert.total_seconds() if found.since_alert else None,
            negative_share_before=found.before.ratio,
            negative_share_after=found.after.ratio if found.after else None,
        ),
        timeline=[EventOut.of(e) for e in records.timeline(session, incident.workspace_id, incident.id)],
        conversation_ids=linking.linked_ids(session, incident),
    )


def _updates(session: DbSession, incident: Incident) -> UpdateList:
    rows = updates.with_replies(session, updates.round_updates(session, incident))
    return UpdateList(
        round=incident.update_round,
        items=[
            UpdateOut(
                id=u.id,
                conversation_id=u.conversation_id,
                round=u.round,
                lang=u.lang,
                text=r.text if r is not None else u.text,
                selected=u.selected,
                status=updates.status_of(u, r),
                reply_id=u.reply_id,
            )
            for u, r in rows
        ],
    )


def _user_id(ctx: WorkspaceContext) -> int | None:
    return ctx.user.id if ctx.user else None


@router.get("/incidents", response_model=IncidentList, responses=errors(403))
def list_incidents(
    session: DbSession, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> IncidentList:
    """The workspace's incidents, open ones first."""
    return IncidentList(items=[IncidentOut.of(i) for i in records.list_incidents(session, ctx.workspace.id)])


@router.post("/incidents", status_code=201, response_model=IncidentDetail, responses=errors(403))
def open_incident(
    session: DbSession, body: IncidentIn, ctx: Annotated[WorkspaceContext, api_require(Action.CHANGE_STATUS)]
) -> IncidentDetail:
    """Open an incident by hand; conversations saying its terms are linked now and while it is open."""
    incident = records.open_incident(
        session, ctx.workspace.id, body.facts(), user_id=_user_id(ctx), actor=ctx.actor
    )
    linking.link_new(session, incident)
    return _detail(session, incident)


@router.post("/alerts/{alert_id}/incident", response_model=IncidentDetail, responses=errors(403, 404))
def open_from_alert(
    session: DbSession, alert_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.CHANGE_STATUS)]
) -> IncidentDetail:
    """Open the alert's incident (or get it, when it is open already), its conversations linked."""
    incident = opening.open_from_alert(
        session, ctx.workspace.id, alert_id, user_id=_user_id(ctx), actor=ctx.actor
    )
    return _detail(session, incident)


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, responses=errors(403, 404))
def get_incident(
    session: DbSession, incident_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> IncidentDetail:
    """An incident with its figures, its timeline and its linked conversations."""
    return _detail(session, records.get(session, ctx.workspace.id, incident_id))


@router.post("/incidents/{incident_id}/status", response_model=IncidentOut, responses=errors(403, 404))
def change_status(
    session: DbSession,
    incident_id: Id,
    body: StatusIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.CHANGE_STATUS)],
) -> IncidentOut:
    """Move the incident to another status (on its timeline, audited)."""
    incident = records.change_status(
        session, ctx.workspace.id, incident_id, body.status, user_id=_user_id(ctx), actor=ctx.actor
    )
    return IncidentOut.of(incident)


@router.post(
    "/incidents/{incident_id}/statements",
    status_code=201,
    response_model=EventOut,
    responses=errors(403, 404),
)
def add_statement(
    session: DbSession,
    incident_id: Id,
    body: StatementIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.CHANGE_STATUS)],
) -> EventOut:
    """Put a public statement, as published, on the timeline."""
    event = records.add_statement(
        session, ctx.workspace.id, incident_id, body.body, body.lang, user_id=_user_id(ctx), actor=ctx.actor
    )
    return EventOut.of(event)


@router.get("/incidents/{incident_id}/drafts", response_model=DraftsOut, responses=errors(403, 404))
def drafts(
    session: DbSession, incident_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> DraftsOut:
    """Statement drafts for the current status in French and English (to edit before publishing)."""
    incident = records.get(session, ctx.workspace.id, incident_id)
    now = utcnow()
    return DraftsOut(
        fr=statements.draft_statement(session, incident, "fr", now),
        en=statements.draft_statement(session, incident, "en", now),
        report_fr=statements.report_text(session, incident, "fr"),
        report_en=statements.report_text(session, incident, "en"),
    )


def _link(
    session: DbSession, ctx: WorkspaceContext, incident_id: int, conversation_id: int, linked: bool
) -> Response:
    incident = records.get(session, ctx.workspace.id, incident_id)
    linking.link_by_hand(session, incident, conversation_id, linked=linked, actor=ctx.actor)
    return Response(status_code=204)


LINK_PATH = "/incidents/{incident_id}/conversations/{conversation_id}"
LINK_ANSWERS = {"status_code": 204, "response_class": Response, "responses": errors(403, 404)}


@router.put(LINK_PATH, **LINK_ANSWERS)  # type: ignore[arg-type]
def link(
    session: DbSession,
    incident_id: Id,
    conversation_id: Id,
    ctx: Annotated[WorkspaceContext, api_require(Action.CHANGE_STATUS)],
) -> Response:
    """Link a conversation to the incident by hand."""
    return _link(session, ctx, incident_id, conversation_id, True)


@router.delete(LINK_PATH, **LINK_ANSWERS)  # type: ignore[arg-type]
def unlink(
    session: DbSession,
    incident_id: Id,
    conversation_id: Id,
    ctx: Annotated[WorkspaceContext, api_require(Action.CHANGE_STATUS)],
) -> Response:
    """Unlink a conversation: the incident no longer counts it, and does not link it again."""
    return _link(session, ctx, incident_id, conversation_id, False)


@router.get("/incidents/{incident_id}/updates", response_model=UpdateList, responses=errors(403, 404))
def list_updates(
    session: DbSession, incident_id: Id, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]
) -> UpdateList:
    """The personal updates of the current round."""
    return _updates(session, records.get(session, ctx.workspace.id, incident_id))


@router.post("/incidents/{incident_id}/updates", response_model=UpdateList, responses=errors(403, 404))
def prepare_updates(
    session: DbSession,
    incident_id: Id,
    body: PrepareIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.REPLY)],
) -> UpdateList:
    """Draft one personal update per linked conversation not yet updated for the current status."""
    updates.prepare(session, ctx.workspace.id, incident_id, again=body.again, actor=ctx.actor)
    return _updates(session, records.get(session, ctx.workspace.id, incident_id))


@router.patch(
    "/incidents/{incident_id}/updates/{update_id}", response_model=UpdateList, responses=errors(403, 404)
)
def edit_update(
    session: DbSession,
    incident_id: Id,
    update_id: Id,
    body: UpdateIn,
    ctx: Annotated[WorkspaceContext, api_require(Action.REPLY)],
) -> UpdateList:
    """Edit a draft's text or leave it out (``selected: false``)."""
    updates.edit(
        session,
        ctx.workspace.id,
        incident_id,
        {update_id: updates.Edit(body.text, body.selected)},
        actor=ctx.actor,
    )
    return _updates(session, records.get(session, ctx.workspace.id, incident_id))


@router.post("/incidents/{incident_id}/updates/send", response_model=QueuedOut, responses=errors(403, 404))
def send_updates(
    request: Request,
    session: DbSession,
    incident_id: Id,
    ctx: Annotated[WorkspaceContext, api_require(Action.REPLY)],
) -> QueuedOut:
    """Approve every selected draft: each becomes a reply at a safe pace (approval rules apply). A
    second call queues nothing more."""
    who = updates.Approver(ctx.workspace.id, _user_id(ctx), ctx.role, ctx.actor)
    queued = updates.approve(session, who, incident_id, pace=updates.pace_of(get_settings(request)))
    return QueuedOut(queued=queued)
