"""The Incidents pages: the list (and opening one by hand), an incident (its facts, figures,
linked conversations, status, statement drafts and timeline), and the bulk review of its personal
updates (see all, edit any, deselect any, approve all). Opening one from an alert is a button on
the Alerts page.

Any member reads them; changing an incident takes the right to change conversations' status, and
approving the personal updates the right to reply (approval rules then apply to each reply).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoute.auth.permissions import Action
from ecoute.incidents import figures, linking, opening, records, statements, updates
from ecoute.incidents.models import STATUSES, Incident
from ecoute.store.models import Author, Brand, Conversation
from ecoute.store.repo import Invalid
from ecoute.web.deps import DbSession, WorkspaceContext, get_settings, page_translator, require
from ecoute.web.pages import page_router
from ecoute.web.pages.deadline_view import current_time
from ecoute.web.pages.inbox_support import Formatting, redirect_back
from ecoute.web.templating import render

router = page_router()
NEXT_IN = (30, 60, 120, 240, 1440)  # minutes offered for "next update in"
MAX_FORM_UPDATES = 2000
Text = Annotated[str, Form(max_length=4000)]


def _next_update(next_in: str) -> timedelta | None:
    if not next_in:
        return None
    if not next_in.isdigit() or int(next_in) not in NEXT_IN:
        raise Invalid(f"next_in: choose among {', '.join(map(str, NEXT_IN))} minutes, or none")
    return timedelta(minutes=int(next_in))


def facts_form(
    title: Annotated[str, Form(max_length=200)],
    description: Text = "",
    action: Text = "",
    brand: Annotated[str, Form(max_length=200)] = "",
    terms: Annotated[str, Form(max_length=2000)] = "",
    next_in: Annotated[str, Form(max_length=8)] = "",
) -> records.IncidentFacts:
    """The facts form shared by opening an incident and editing it."""
    delay = _next_update(next_in)
    return records.IncidentFacts(
        title=title,
        description=description,
        action=action,
        brand=brand or None,
        terms=tuple(t.strip() for t in terms.split(",") if t.strip()),
        next_update_at=current_time() + delay if delay else None,
    )


FactsForm = Annotated[records.IncidentFacts, Depends(facts_form)]


def _user_id(ctx: WorkspaceContext) -> int | None:
    return ctx.user.id if ctx.user else None


def _home(ctx: WorkspaceContext, incident: Incident | None = None, tail: str = "") -> str:
    base = f"/w/{ctx.workspace.slug}/incidents"
    return f"{base}/{incident.id}{tail}" if incident else base


@router.get("/w/{slug}/incidents")
def incidents_page(
    request: Request, session: DbSession, ctx: Annotated[WorkspaceContext, require(Action.VIEW)]
) -> Response:
    brands = list(
        session.scalars(
            select(Brand.name).where(Brand.workspace_id == ctx.workspace.id, Brand.competitor_of_id.is_(None))
        )
    )
    found = records.list_incidents(session, ctx.workspace.id)
    return render(
        request,
        "incidents.html",
        incidents=found,
        brands=brands,
        next_in=NEXT_IN,
        fmt=Formatting(page_translator(request), current_time()),
        can_change=ctx.can(Action.CHANGE_STATUS),
    )


@router.post("/w/{slug}/incidents")
def open_by_hand(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    facts: FactsForm,
) -> Response:
    incident = records.open_incident(
        session, ctx.workspace.id, facts, user_id=_user_id(ctx), actor=ctx.actor, now=current_time()
    )
    linking.link_new(session, incident)
    return redirect_back_to(_home(ctx, incident))


@router.post("/w/{slug}/alerts/{alert_id}/incident")
def open_from_alert(
    session: DbSession, ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)], alert_id: int
) -> Response:
    incident = opening.open_from_alert(
        session, ctx.workspace.id, alert_id, user_id=_user_id(ctx), actor=ctx.actor, now=current_time()
    )
    return redirect_back_to(_home(ctx, incident))


def redirect_back_to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/w/{slug}/incidents/{incident_id}")
def incident_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    incident_id: int,
) -> Response:
    now = current_time()
    incident = records.get(session, ctx.workspace.id, incident_id)
    brand = session.get(Brand, incident.brand_id) if incident.brand_id else None
    linked = _conversations(session, ctx.workspace.id, linking.linked_ids(session, incident))
    drafts = {lang: statements.draft_statement(session, incident, lang, now) for lang in ("fr", "en")}
    report = {lang: statements.report_text(session, incident, lang) for lang in ("fr", "en")}
    return render(
        request,
        "incident.html",
        incident=incident,
        brand=brand.name if brand else "",
        figures=figures.figures(session, incident),
        linked=linked,
        drafts=drafts,
        report=report,
        timeline=records.timeline(session, ctx.workspace.id, incident.id),
        statuses=STATUSES,
        next_in=NEXT_IN,
        fmt=Formatting(page_translator(request), now),
        can_change=ctx.can(Action.CHANGE_STATUS),
        can_reply=ctx.can(Action.REPLY),
    )


def _conversations(
    session: Session, workspace_id: int, ids: list[int]
) -> list[tuple[Conversation, Author | None]]:
    if not ids:
        return []
    rows = session.execute(
        select(Conversation, Author)
        .outerjoin(Author, Author.id == Conversation.author_id)
        .where(Conversation.workspace_id == workspace_id, Conversation.id.in_(ids[:MAX_FORM_UPDATES]))
        .order_by(Conversation.last_mention_at.desc())
    )
    return [(c, a) for c, a in rows]


@router.post("/w/{slug}/incidents/{incident_id}/facts")
def change_facts(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    incident_id: int,
    facts: FactsForm,
) -> Response:
    incident = records.update_facts(session, ctx.workspace.id, incident_id, facts, actor=ctx.actor)
    linking.link_new(session, incident)
    return redirect_back_to(_home(ctx, incident))


@router.post("/w/{slug}/incidents/{incident_id}/status")
def change_status(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    incident_id: int,
    status: Annotated[str, Form(max_length=16)],
) -> Response:
    incident = records.change_status(
        session,
        ctx.workspace.id,
        incident_id,
        status,
        user_id=_user_id(ctx),
        actor=ctx.actor,
        now=current_time(),
    )
    return redirect_back_to(_home(ctx, incident))


@router.post("/w/{slug}/incidents/{incident_id}/statements")
def add_statement(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    incident_id: int,
    body: Text,
    lang: Annotated[str, Form(max_length=8)],
) -> Response:
    records.add_statement(
        session,
        ctx.workspace.id,
        incident_id,
        body,
        lang,
        user_id=_user_id(ctx),
        actor=ctx.actor,
        now=current_time(),
    )
    return redirect_back_to(f"/w/{ctx.workspace.slug}/incidents/{incident_id}#timeline")


@router.post("/w/{slug}/incidents/{incident_id}/links")
def change_link(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    incident_id: int,
    conversation_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    action: Annotated[str, Form(max_length=8)] = "link",
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    if action not in ("link", "unlink"):
        raise Invalid("action: link or unlink")
    incident = records.get(session, ctx.workspace.id, incident_id)
    linking.link_by_hand(session, incident, conversation_id, linked=action == "link", actor=ctx.actor)
    return redirect_back(request, next, _home(ctx, incident))


@router.post("/w/{slug}/c/{conversation_id}/incident")
def link_from_conversation(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    conversation_id: int,
    incident_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
) -> Response:
    """The conversation page's "link to an incident"."""
    incident = records.get(session, ctx.workspace.id, incident_id)
    linking.link_by_hand(session, incident, conversation_id, linked=True, actor=ctx.actor)
    return redirect_back_to(f"/w/{ctx.workspace.slug}/c/{conversation_id}")


@router.get("/w/{slug}/incidents/{incident_id}/updates")
def updates_page(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    incident_id: int,
) -> Response:
    incident = records.get(session, ctx.workspace.id, incident_id)
    rows = updates.with_replies(session, updates.round_updates(session, incident))
    people = {
        c.id: (c, a)
        for c, a in _conversations(session, ctx.workspace.id, [u.conversation_id for u, _ in rows])
    }
    items = [
        {"personal": u, "reply": r, "status": updates.status_of(u, r), "who": people.get(u.conversation_id)}
        for u, r in rows
    ]
    return render(
        request,
        "incident_updates.html",
        incident=incident,
        items=items,
        drafts=sum(1 for i in items if i["status"] == "draft"),
        fmt=Formatting(page_translator(request), current_time()),
        can_reply=ctx.can(Action.REPLY),
    )


@router.post("/w/{slug}/incidents/{incident_id}/updates")
async def change_updates(
    request: Request,
    session: DbSession,
    ctx: Annotated[WorkspaceContext, require(Action.REPLY)],
    incident_id: int,
) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    if action not in ("prepare", "again", "save", "send"):
        raise Invalid("action: prepare, again, save or send")
    if action in ("prepare", "again"):
        updates.prepare(
            session,
            ctx.workspace.id,
            incident_id,
            again=action == "again",
            actor=ctx.actor,
            now=current_time(),
        )
    else:
        updates.edit(session, ctx.workspace.id, incident_id, _edits(form), actor=ctx.actor)
    if action == "send":
        who = updates.Approver(ctx.workspace.id, _user_id(ctx), ctx.role, ctx.actor)
        updates.approve(session, who, incident_id, pace=updates.pace_of(get_settings(request)))
    return redirect_back_to(f"/w/{ctx.workspace.slug}/incidents/{incident_id}/updates")


def _edits(form) -> dict[int, updates.Edit]:  # type: ignore[no-untyped-def]
    """``shown`` lists the updates on the page; ``text_<id>`` and ``pick_<id>`` (checked) edit them."""
    shown = form.getlist("shown")[:MAX_FORM_UPDATES]
    edits: dict[int, updates.Edit] = {}
    for raw in shown:
        if not str(raw).isdigit() or int(raw) > 2**31 - 1:
            raise Invalid(f"shown: {str(raw)[:20]!r} is not an update id")
        update_id = int(raw)
        text = form.get(f"text_{update_id}")
        edits[update_id] = updates.Edit(
            text=str(text) if text is not None else None, selected=form.get(f"pick_{update_id}") is not None
        )
    return edits
