"""What the inbox and conversation pages share: the lists their pickers offer, the way back
after a form (with a one-time message), and small formatting helpers for the templates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, format_skeleton, format_timedelta
from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import Session

from ecoute.auth.permissions import Action
from ecoute.inbox import batch, reasons
from ecoute.store.models import Brand, Conversation, Membership, Mention, Tag, User
from ecoute.store.types import utcnow
from ecoute.web.deps import WorkspaceContext
from ecoute.web.i18n import Translator
from ecoute.web.pages.auth import safe_next

FLASH_COOKIE = "ecoute_flash"
# One-time messages a redirect may carry; anything else in the cookie is ignored.
FLASH_KEYS = frozenset(
    {
        "assigned",
        "unassigned",
        "status",
        "resolved",
        "tagged",
        "untagged",
        "note_added",
        "corrected",
        "hidden",
        "unhidden",
        "view_saved",
        "view_deleted",
    }
)
PLATFORMS = (
    "x",
    "facebook",
    "instagram",
    "reddit",
    "youtube",
    "mastodon",
    "bluesky",
    "google_reviews",
    "trustpilot",
    "yelp",
    "rss",
    "webhook",
)
LANGUAGES = ("fr", "en", "de", "es", "it", "nl")
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "praise", "other")
STATUSES = ("new", "open", "pending", "resolved")
PERMISSIONS = {
    "assign": Action.ASSIGN,
    "status": Action.CHANGE_STATUS,
    "tag": Action.TAG,
    "note": Action.NOTE,
    "correct": Action.CORRECT_LABEL,
    "hide": Action.HIDE_MENTION,
    "share_views": Action.MANAGE_VIEWS,
    "create_tags": Action.MANAGE_TAGS,
}


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    initials: str
    hue: int


@dataclass(frozen=True)
class Flash:
    key: str
    count: int
    ids: tuple[int, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Picklists:
    """Everything the filter bar and the triage pickers offer."""

    members: list[Member]
    tags: list[Any]  # rows: id, name
    brands: list[Any]  # rows: id, name, is_competitor


def permissions(ctx: WorkspaceContext) -> dict[str, bool]:
    return {name: ctx.can(action) for name, action in PERMISSIONS.items()}


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").replace("_", " ").split() if p[:1].isalnum()]
    letters = "".join(p[0] for p in parts[:2]) or name[:1] or "?"
    return letters.upper()


HUE_STEP = 15


@lru_cache(maxsize=4096)
def hue(seed: str) -> int:
    """A stable colour for an avatar, from the name or handle."""
    return int(hashlib.sha256(seed.encode("utf-8")).hexdigest()[:4], 16) % 360


def hue_class(seed: str) -> str:
    """The avatar's colour as a class (``hue-0`` … ``hue-23``, 15° apart, in desk.css): the
    Content-Security-Policy refuses inline ``style`` attributes."""
    return f"hue-{hue(seed) // HUE_STEP}"


def member(user_id: int, name: str) -> Member:
    return Member(user_id, name, initials(name), hue(name))


def picklists(session: Session, workspace_id: int) -> Picklists:
    """Members (by name), tags (the first ``TAGS_OFFERED`` made, by name) and brands: plain rows
    from statements built once, since every inbox and conversation page asks."""
    connection = session.connection()
    params = {"workspace_id": workspace_id}
    members = [member(uid, name) for uid, name in connection.execute(_MEMBERS, params)]
    tags = sorted(connection.execute(_TAGS, params), key=lambda t: t.name.casefold())
    return Picklists(members, tags, list(connection.execute(_BRANDS, params)))


TAGS_OFFERED = 200
_WORKSPACE = bindparam("workspace_id", type_=Integer)
_MEMBERS = (
    select(User.id, User.name)
    .join(Membership, Membership.user_id == User.id)
    .where(Membership.workspace_id == _WORKSPACE)
    .order_by(User.name, User.id)
)
_TAGS = select(Tag.id, Tag.name).where(Tag.workspace_id == _WORKSPACE).order_by(Tag.id).limit(TAGS_OFFERED)
_BRANDS = (
    select(Brand.id, Brand.name, Brand.competitor_of_id.is_not(None).label("is_competitor"))
    .where(Brand.workspace_id == _WORKSPACE)
    .order_by(Brand.id)
)


def redirect_back(
    request: Request, target: str | None, fallback: str, flash: Flash | None = None
) -> Response:
    """303 to a local ``target`` (else ``fallback``), leaving a one-time message for the next page."""
    response = RedirectResponse(safe_next(target) if target else fallback, status_code=303)
    if flash is not None:
        ids = ",".join(str(i) for i in flash.ids[:200])
        value = f"{flash.key}|{flash.count}|{ids}|{flash.detail[:80]}"
        response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", path="/")
    return response


def take_flash(request: Request) -> Flash | None:
    """The message a redirect left (validated: only known keys, numbers as numbers)."""
    key, _, rest = request.cookies.get(FLASH_COOKIE, "").partition("|")
    count, _, rest = rest.partition("|")
    ids, _, detail = rest.partition("|")
    if key not in FLASH_KEYS or not count.isdigit():
        return None
    return Flash(key, int(count), tuple(int(i) for i in ids.split(",") if i.isdigit()), detail)


def forget_flash(response: Response) -> Response:
    response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def query_with(params: Mapping[str, str], **changes: str | None) -> str:
    """The inbox query string with some parameters changed (None removes one); never a cursor."""
    merged = {k: v for k, v in params.items() if k != "cursor" and v}
    for name, value in changes.items():
        if value:
            merged[name] = value
        else:
            merged.pop(name, None)
    return urlencode(sorted(merged.items()))


def parse_value(session: Session, ctx: WorkspaceContext, op: str, value: str) -> str | int | None:
    """The operation's value as triage wants it: an assignee id (``me``/``none`` understood),
    a known status, or an existing tag's name (admins may name a new one)."""
    value = value.strip()
    if op == "assign":
        if value in ("", "none"):
            return None
        if value == "me":
            return ctx.user.id if ctx.user else None
        if not value.isdigit():
            raise HTTPException(400, f"assignee: {value!r} is not a member")
        return int(value)
    if op == "status":
        if value not in STATUSES:
            raise HTTPException(400, f"status {value!r}: use one of {', '.join(STATUSES)}")
        return value
    return batch.ensure_tag(
        session, ctx.workspace.id, value, may_create=ctx.can(Action.MANAGE_TAGS), actor=ctx.actor
    )


class Formatting:
    """Dates and labels the way the pages write them, in the reader's language."""

    def __init__(self, i18n: Translator, now: datetime | None = None):
        self.i18n = i18n
        self.now = now or utcnow()
        self.locale = Locale.parse(i18n.locale)  # parsed once: a page formats hundreds of values
        self.zone = ZoneInfo(i18n.timezone)

    def when(self, value: datetime) -> str:
        """The full date and time, for tooltips."""
        return format_datetime(value, "medium", tzinfo=self.zone, locale=self.locale)

    def ago(self, value: datetime) -> str:
        """Compact ages for the last week ("5 h" / "5h"), then a date ("3 oct." / "Oct 3")."""
        delta = self.now - value
        if delta < timedelta(minutes=1):
            return self.i18n.t("inbox.now")
        if delta < timedelta(days=7):
            return format_timedelta(delta, format="narrow", locale=self.locale)
        local = value.astimezone(self.zone)
        skeleton = "MMMd" if local.year == self.now.year else "yMMMd"
        return format_skeleton(skeleton, local, locale=self.locale)

    def compact(self, count: int | None) -> str:
        """Followers and likes as people say them: 950, 1,2 k / 1.2k, 48 k / 48k."""
        if count is None:
            return ""
        if count < 10_000:
            return self.i18n.number(count)
        thousands = count / 1000
        unit = "\u00a0k" if self.i18n.locale == "fr" else "k"
        if count >= 1_000_000:
            thousands, unit = count / 1_000_000, ("\u00a0M" if self.i18n.locale == "fr" else "M")
        return self.i18n.number(round(thousands, 1 if thousands < 100 else 0)) + unit

    def percent(self, value: float | None) -> str:
        return "" if value is None else self.i18n.percent(round(value, 2))

    def score(self, value: float | None) -> str:
        """A sentiment score from -1 to 1 with its sign: "−0,98" / "+0.42"."""
        if value is None:
            return ""
        sign = "\u2212" if value < 0 else "+"
        return sign + self.i18n.number(round(abs(value), 2))

    def platform(self, name: str) -> str:
        label = self.i18n.t(f"inbox.platform.{name}")
        return name.replace("_", " ").title() if label == f"inbox.platform.{name}" else label

    def why(self, conversation: Conversation, mention: Mention | None) -> list[reasons.Reason]:
        """The top mention's reasons in the reader's language, with the live waiting time."""
        if mention is None:
            return []
        waiting = conversation.needs_reply and conversation.status in ("new", "open")
        return reasons.explain(
            mention.reasons or [],
            self.i18n.locale,
            waiting_since=mention.created_at if waiting else None,
            now=self.now,
        )

    def row_why(self, conversation: Conversation, mention: Mention | None) -> list[reasons.Reason]:
        return reasons.summary(self.why(conversation, mention))

    def initials(self, name: str) -> str:
        return initials(name)

    def hue(self, seed: str) -> int:
        return hue(seed)

    def hue_class(self, seed: str) -> str:
        return hue_class(seed)
