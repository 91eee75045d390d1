"""One conversation: the whole thread with the team's notes, the author and their history with
the brand, the analysis (correctable), who else is here, and the triage controls."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Query, Request
from fastapi.responses import Response

from ecoute.auth.permissions import Action
from ecoute.inbox import batch, notes, presence, queries, relabel, thread
from ecoute.inbox.moderation import get_mention, set_hidden
from ecoute.incidents import linking as incident_links
from ecoute.incidents import records as incident_records
from ecoute.store.repo import NotFound
from ecoute.web.deps import DbSession, WorkspaceContext, page_translator, require
from ecoute.web.pages import page_router
from ecoute.web.pages.deadline_view import current_time, page_timers
from ecoute.web.pages.desk_icons import icon
from ecoute.web.pages.inbox_support import (
    INTENTS,
    SENTIMENTS,
    STATUSES,
    Flash,
    Formatting,
    forget_flash,
    member,
    parse_value,
    permissions,
    picklists,
    redirect_back,
    take_flash,
)
from ecoute.web.templating import render

router = page_router()
Next = Annotated[str, Form(max_length=2000)]


def _here(ctx: WorkspaceContext, conversation_id: int) -> str:
    return f"/w/{ctx.workspace.slug}/c/{conversation_id}"


@router.get("/w/{slug}/c/{conversation_id}")
def conversation(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.VIEW)],
    back: Annotated[str, Query(max_length=2000)] = "",  # the inbox URL (with its filters)
) -> Response:
    ws = ctx.workspace.id
    detail = queries.get_conversation(session, ws, conversation_id)
    c = detail.conversation
    top = queries.top_mentions(session, ws, [c.id]).get(c.id)
    me = ctx.user.id if ctx.user else None
    flash = take_flash(request)
    back_url = back if back.startswith(f"/w/{ctx.workspace.slug}/") and "//" not in back else ""
    i18n, now = page_translator(request), current_time()
    response = render(
        request,
        "conversation.html",
        detail=detail,
        top=top,
        timeline=thread.timeline(session, ws, detail, show_hidden=ctx.can(Action.HIDE_MENTION)),
        history=thread.author_history(session, ws, c.author_id, exclude=c.id),
        present=presence.others_present(session, ws, [c.id], me).get(c.id, []),
        lists=picklists(session, ws),
        me=member(me, ctx.user.name) if ctx.user and me else None,
        can=permissions(ctx),
        fmt=Formatting(i18n, now),
        timers=page_timers(session, ctx.workspace, [c.id], i18n, now),
        desk_icon=icon,
        flash=flash,
        back_url=back_url or f"/w/{ctx.workspace.slug}/",
        options={"status": STATUSES, "sentiment": SENTIMENTS, "intent": INTENTS},
        incidents=incident_links.incidents_of(session, ws, c.id),
        open_incidents=incident_records.open_incidents(session, ws),
    )
    return forget_flash(response) if flash else response


@router.post("/w/{slug}/c/{conversation_id}/status")
def change_status(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.CHANGE_STATUS)],
    status: Annotated[str, Form(max_length=20)],
    next: Next = "",
) -> Response:
    value = parse_value(session, ctx, "status", status)
    changed = batch.change_one(session, ctx.workspace.id, conversation_id, "status", value, actor=ctx.actor)
    key = "resolved" if value == "resolved" else "status"
    flash = Flash(key, int(changed), (conversation_id,), str(value))
    return redirect_back(request, next, _here(ctx, conversation_id), flash)


@router.post("/w/{slug}/c/{conversation_id}/assign")
def assign(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.ASSIGN)],
    assignee: Annotated[str, Form(max_length=20)] = "",
    next: Next = "",
) -> Response:
    value = parse_value(session, ctx, "assign", assignee)
    changed = batch.change_one(session, ctx.workspace.id, conversation_id, "assign", value, actor=ctx.actor)
    flash = Flash("assigned" if value is not None else "unassigned", int(changed), (), str(value or ""))
    return redirect_back(request, next, _here(ctx, conversation_id), flash)


@router.post("/w/{slug}/c/{conversation_id}/tags")
def tag(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.TAG)],
    name: Annotated[str, Form(max_length=80)],
    op: Annotated[Literal["tag", "untag"], Form()] = "tag",
    next: Next = "",
) -> Response:
    value = parse_value(session, ctx, op, name) if op == "tag" else name.strip()
    changed = batch.change_one(session, ctx.workspace.id, conversation_id, op, value, actor=ctx.actor)
    flash = Flash("tagged" if op == "tag" else "untagged", int(changed), (), str(value))
    return redirect_back(request, next, _here(ctx, conversation_id), flash)


@router.post("/w/{slug}/c/{conversation_id}/notes")
def add_note(
    request: Request,
    session: DbSession,
    conversation_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.NOTE)],
    text: Annotated[str, Form(max_length=notes.MAX_TEXT)],
    next: Next = "",
) -> Response:
    user_id = ctx.user.id if ctx.user else None
    note = notes.add_note(session, ctx.workspace.id, conversation_id, text, user_id=user_id, actor=ctx.actor)
    if user_id is not None:  # done writing: no longer "replying"
        presence.touch(session, ctx.workspace.id, conversation_id, user_id, "viewing")
    return redirect_back(request, next, _here(ctx, conversation_id) + f"#n{note.id}", Flash("note_added", 1))


def _mention_in(session: DbSession, ctx: WorkspaceContext, conversation_id: int, mention_id: int) -> int:
    """The mention's id, if it belongs to this conversation of this workspace (else 404)."""
    mention = get_mention(session, ctx.workspace.id, mention_id)
    if mention.conversation_id != conversation_id:
        raise NotFound(f"no mention #{mention_id} in conversation #{conversation_id}")
    return mention.id


@router.post("/w/{slug}/c/{conversation_id}/m/{mention_id}/correct")
def correct(
    request: Request,
    session: DbSession,
    conversation_id: int,
    mention_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.CORRECT_LABEL)],
    field: Annotated[Literal["sentiment", "intent"], Form()],
    value: Annotated[str, Form(max_length=20)],
    next: Next = "",
) -> Response:
    mention = _mention_in(session, ctx, conversation_id, mention_id)
    user_id = ctx.user.id if ctx.user else None
    relabel.correct_label(session, ctx.workspace.id, mention, field, value, user_id=user_id, actor=ctx.actor)
    flash = Flash("corrected", 1, (), f"{field}.{value}")
    return redirect_back(request, next, _here(ctx, conversation_id) + f"#m{mention}", flash)


@router.post("/w/{slug}/c/{conversation_id}/m/{mention_id}/hide")
def hide(
    request: Request,
    session: DbSession,
    conversation_id: int,
    mention_id: int,
    ctx: Annotated[WorkspaceContext, require(Action.HIDE_MENTION)],
    hidden: Annotated[Literal["1", "0"], Form()] = "1",
    next: Next = "",
) -> Response:
    mention = _mention_in(session, ctx, conversation_id, mention_id)
    set_hidden(session, ctx.workspace.id, mention, hidden == "1", actor=ctx.actor)
    flash = Flash("hidden" if hidden == "1" else "unhidden", 1)
    return redirect_back(request, next, _here(ctx, conversation_id) + f"#m{mention}", flash)
