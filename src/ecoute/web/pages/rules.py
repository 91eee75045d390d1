"""The rules page: the workspace's rules in the order they run, how often each fired, and (for
admins) creating, editing with a preview on the latest mentions, enabling, reordering, deleting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from ecoute.auth.permissions import Action
from ecoute.inbox import rule_admin
from ecoute.inbox.rules import spec_of
from ecoute.store.repo import Invalid
from ecoute.web.api.schemas import MAX_ID
from ecoute.web.deps import DbSession, WorkspaceContext, require
from ecoute.web.pages import page_router
from ecoute.web.pages.rule_form import RuleForm, choices
from ecoute.web.templating import render

router = page_router()
Reader = Annotated[WorkspaceContext, require(Action.VIEW)]
Manager = Annotated[WorkspaceContext, require(Action.MANAGE_RULES)]
RuleId = Annotated[int, Path(ge=1, le=MAX_ID)]
Texts = Annotated[list[str], Form(max_length=50)]
Text = Annotated[str, Form(max_length=2000)]


def _form(
    name: Annotated[str, Form(max_length=200)] = "",
    enabled: Annotated[bool, Form()] = False,
    intent: Texts = [],  # noqa: B006 - FastAPI copies form defaults
    sentiment: Texts = [],  # noqa: B006
    language: Text = "",
    keywords: Text = "",
    min_followers: Annotated[str, Form(max_length=12)] = "",
    verified: Annotated[str, Form(max_length=3)] = "",
    platforms: Texts = [],  # noqa: B006
    source_ids: Texts = [],  # noqa: B006
    brand_ids: Texts = [],  # noqa: B006
    tags: Text = "",
    assignee: Annotated[str, Form(max_length=12)] = "",
    priority: Annotated[str, Form(max_length=4)] = "",
    spam: Annotated[bool, Form()] = False,
) -> RuleForm:
    return RuleForm(
        name, enabled, intent, sentiment, language, keywords, min_followers, verified, platforms,
        source_ids, brand_ids, tags, assignee, priority, spam,
    )  # fmt: skip


Submitted = Annotated[RuleForm, Depends(_form)]
# The form's two buttons: save the rule, or only show what it would have matched.
Do = Annotated[str, Form(pattern="^(save|preview)$")]


def _list_url(ctx: WorkspaceContext) -> str:
    return f"/w/{ctx.workspace.slug}/admin/rules"


@router.get("/w/{slug}/admin/rules")
def rules_page(request: Request, session: DbSession, ctx: Reader) -> Response:
    ws = ctx.workspace.id
    return render(
        request,
        "rules/list.html",
        section="rules",
        rules=[(rule, spec_of(rule)) for rule in rule_admin.list_rules(session, ws)],
        choices=choices(session, ws),
        can_manage=ctx.can(Action.MANAGE_RULES),
        error=None,
    )


def _edit_page(
    request: Request,
    session: DbSession,
    ctx: WorkspaceContext,
    form: RuleForm,
    *,
    rule_id: int | None,
    status_code: int = 200,
    **extra: object,
) -> Response:
    ws = ctx.workspace.id
    hits = rule_admin.recent_hits(session, ws, rule_id) if rule_id else []
    rule = rule_admin.get_rule(session, ws, rule_id) if rule_id else None
    return render(
        request,
        "rules/form.html",
        status_code=status_code,
        section="rules",
        form=form,
        rule=rule,
        hits=hits,
        hit_texts=rule_admin.hit_texts(session, ws, hits),
        choices=choices(session, ws),
        **{"error": None, "preview": None, **extra},
    )


@router.get("/w/{slug}/admin/rules/new")
def new_rule(request: Request, session: DbSession, ctx: Manager) -> Response:
    return _edit_page(request, session, ctx, RuleForm(), rule_id=None)


@router.get("/w/{slug}/admin/rules/{rule_id}")
def edit_rule(request: Request, session: DbSession, ctx: Manager, rule_id: RuleId) -> Response:
    rule = rule_admin.get_rule(session, ctx.workspace.id, rule_id)
    return _edit_page(request, session, ctx, RuleForm.of(spec_of(rule)), rule_id=rule.id)


@router.post("/w/{slug}/admin/rules/new")
def create_rule(
    request: Request, session: DbSession, ctx: Manager, form: Submitted, do: Do = "save"
) -> Response:
    return _submit(request, session, ctx, form, do, rule_id=None)


@router.post("/w/{slug}/admin/rules/{rule_id}")
def update_rule(
    request: Request, session: DbSession, ctx: Manager, rule_id: RuleId, form: Submitted, do: Do = "save"
) -> Response:
    rule_admin.get_rule(session, ctx.workspace.id, rule_id)  # 404 before anything else
    return _submit(request, session, ctx, form, do, rule_id=rule_id)


def _submit(
    request: Request,
    session: DbSession,
    ctx: WorkspaceContext,
    form: RuleForm,
    do: str,
    *,
    rule_id: int | None,
) -> Response:
    ws = ctx.workspace.id
    try:
        spec = form.to_spec()
        if do == "preview":
            found = rule_admin.preview(session, ws, spec)
            return _edit_page(request, session, ctx, form, rule_id=rule_id, preview=found)
        if rule_id is None:
            user_id = ctx.user.id if ctx.user else None
            rule_admin.create_rule(session, ws, spec, actor=ctx.actor, user_id=user_id)
        else:
            rule_admin.update_rule(session, ws, rule_id, spec, actor=ctx.actor)
    except Invalid as error:
        return _edit_page(request, session, ctx, form, rule_id=rule_id, status_code=400, error=str(error))
    return RedirectResponse(_list_url(ctx), status_code=303)


@router.post("/w/{slug}/admin/rules/{rule_id}/enable")
def enable_rule(session: DbSession, ctx: Manager, rule_id: RuleId) -> Response:
    rule_admin.set_enabled(session, ctx.workspace.id, rule_id, True, actor=ctx.actor)
    return RedirectResponse(_list_url(ctx), status_code=303)


@router.post("/w/{slug}/admin/rules/{rule_id}/disable")
def disable_rule(session: DbSession, ctx: Manager, rule_id: RuleId) -> Response:
    rule_admin.set_enabled(session, ctx.workspace.id, rule_id, False, actor=ctx.actor)
    return RedirectResponse(_list_url(ctx), status_code=303)


@router.post("/w/{slug}/admin/rules/{rule_id}/move")
def move_rule(
    session: DbSession, ctx: Manager, rule_id: RuleId, offset: Annotated[int, Form(ge=-1, le=1)]
) -> Response:
    rule_admin.move(session, ctx.workspace.id, rule_id, offset, actor=ctx.actor)
    return RedirectResponse(_list_url(ctx), status_code=303)


@router.post("/w/{slug}/admin/rules/{rule_id}/delete")
def delete_rule(session: DbSession, ctx: Manager, rule_id: RuleId) -> Response:
    rule_admin.delete_rule(session, ctx.workspace.id, rule_id, actor=ctx.actor)
    return RedirectResponse(_list_url(ctx), status_code=303)
