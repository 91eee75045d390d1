"""The API's response and request bodies, so ``/openapi.json`` describes every answer exactly.

Request bodies are strict (``"5"`` is not a number, ``"yes"`` is not a boolean) and refuse unknown
fields, so a typo in a client is a clear 422 rather than a silently ignored change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ecoute.keep_time.targets import DeadlineStatus
from ecoute.store.models import Author, Mention, User
from ecoute.store.types import MAX_ID
from ecoute.urls import external_url

Status = Literal["new", "open", "pending", "resolved"]
TagName = Annotated[str, Field(min_length=1, max_length=80)]


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the bad value is, e.g. ['body', 'status'].")
    msg: str
    type: str


class ApiError(BaseModel):
    """Every error: a sentence, or for invalid input the list of fields at fault."""

    detail: str | list[FieldError]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: the error statuses it may answer, all with one shape (429:
    too many bad tokens from the caller's address, on every route)."""
    return {status: {"model": ApiError} for status in (401, 422, 429, *statuses)}


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class UserRef(BaseModel):
    id: int
    name: str


class AuthorOut(BaseModel):
    id: int
    platform: str
    handle: str
    display_name: str | None
    followers: int | None
    verified: bool

    @classmethod
    def of(cls, author: Author | None) -> AuthorOut | None:
        if author is None:
            return None
        return cls(
            id=author.id,
            platform=author.platform,
            handle=author.handle,
            display_name=author.display_name,
            followers=author.followers,
            verified=author.verified,
        )


class MentionOut(BaseModel):
    id: int
    conversation_id: int
    platform: str
    external_id: str
    kind: str
    url: str | None
    text: str
    created_at: datetime
    author_id: int | None
    likes: int
    shares: int
    replies_count: int
    rating: float | None
    lang: str | None = Field(description="Detected language (or the one the platform gave).")
    sentiment: str | None = Field(description="Shown label: an agent's correction wins over the model.")
    sentiment_score: float | None
    intent: str | None = Field(description="Shown label: an agent's correction wins over the model.")
    needs_reply: bool | None
    priority: int | None
    reasons: list[str]
    hidden: bool

    @classmethod
    def of(cls, m: Mention) -> MentionOut:
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            platform=m.platform,
            external_id=m.external_id,
            kind=m.kind,
            url=external_url(m.url),  # never hand out an address that is not http(s)
            text=m.text,
            created_at=m.created_at,
            author_id=m.author_id,
            likes=m.likes,
            shares=m.shares,
            replies_count=m.replies_count,
            rating=m.rating,
            lang=m.lang or m.language,
            sentiment=m.sentiment,
            sentiment_score=m.sentiment_score,
            intent=m.intent,
            needs_reply=m.needs_reply,
            priority=m.priority,
            reasons=[str(r) for r in m.reasons or []],
            hidden=m.hidden,
        )


def user_ref(user: User | None) -> UserRef | None:
    return UserRef(id=user.id, name=user.name) if user is not None else None


class MentionPage(BaseModel):
    items: list[MentionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class TagOut(BaseModel):
    id: int
    name: str
    color: str | None


class TagPage(BaseModel):
    items: list[TagOut]
    next_cursor: str | None


class TagIn(In):
    name: str = Field(min_length=1, max_length=80)
    color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb")


class ClockOut(BaseModel):
    """A running first-response clock: its deadline in business hours and its state."""

    state: Literal["ok", "due_soon", "breached"]
    started_at: datetime = Field(description="When the clock started: the first unanswered message.")
    due_at: datetime
    target_seconds: int = Field(description="Business time allowed by the priority band.")
    remaining_seconds: int = Field(description="Business time left; negative once breached.")

    @classmethod
    def of(cls, status: DeadlineStatus) -> ClockOut:
        return cls(
            state=status.state.value,
            started_at=status.deadline.started_at,
            due_at=status.deadline.due_at,
            target_seconds=int(status.deadline.target.total_seconds()),
            remaining_seconds=int(status.remaining.total_seconds()),
        )


class ConversationOut(BaseModel):
    id: int
    platform: str
    status: Status
    priority: int
    needs_reply: bool
    mention_count: int
    first_mention_at: datetime
    last_mention_at: datetime
    reasons: list[str] = Field(description="Why it is urgent, from the mention that drives its priority.")
    author: AuthorOut | None
    assignee: UserRef | None
    tags: list[TagOut]
    top_mention: MentionOut | None
    deadline: ClockOut | None = Field(
        None, description="The first-response deadline while one runs (the conversation waits for an answer)."
    )


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class NoteOut(BaseModel):
    id: int
    conversation_id: int
    text: str
    author: UserRef | None = Field(description="Null when written through an API token.")
    created_at: datetime


class NotePage(BaseModel):
    items: list[NoteOut]
    next_cursor: str | None


class NoteIn(In):
    text: str = Field(min_length=1, max_length=10_000)


class ReplyOut(BaseModel):
    id: int
    text: str
    status: str
    in_reply_to_id: int | None
    author: UserRef | None
    created_at: datetime
    sent_at: datetime | None


class AuthorHistory(BaseModel):
    conversations: int
    mentions: int


class ConversationDetailOut(ConversationOut):
    mentions: list[MentionOut] = Field(description="The whole thread, oldest first, hidden ones flagged.")
    replies: list[ReplyOut]
    notes: list[NoteOut]
    author_history: AuthorHistory


class ConversationPatch(In):
    """Only the fields given change. ``assignee_id: null`` unassigns; ``tags`` replaces the set."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    status: Status | None = None
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    tags: list[TagName] | None = Field(default=None, max_length=50, description="Names of existing tags.")
    needs_reply: bool | None = None


class CorrectionIn(In):
    mention_id: int = Field(ge=1, le=MAX_ID)
    field: Literal["sentiment", "intent"]
    value: str = Field(
        max_length=32,
        description="sentiment: negative, neutral, positive; intent: complaint, question, praise, other.",
    )


class CorrectionOut(BaseModel):
    id: int
    mention_id: int
    field: str
    old_value: str | None
    new_value: str
    user: UserRef | None
    created_at: datetime


class CorrectionPage(BaseModel):
    items: list[CorrectionOut]
    next_cursor: str | None


class MemberOut(BaseModel):
    id: int
    name: str
    email: str
    role: str


class MemberPage(BaseModel):
    items: list[MemberOut]
    next_cursor: str | None
