"""Bodies of the reply endpoints (drafts, submission, review), shared by the API and the composer
page, and the translation of the outbox's refusals into one 409 shape."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ecoute.inbox import queries
from ecoute.respond.composer_data import ComposerData
from ecoute.respond.outbox import ReplyCollision, ReplyOutcome, ReplyRequest, TooSimilar, variety_of
from ecoute.respond.types import Draft, limit_for
from ecoute.store.models import Reply
from ecoute.store.reply_models import ReplyState
from ecoute.web.api.schemas import MAX_ID, In

IDEMPOTENCY_KEY = Annotated[str, Field(min_length=8, max_length=200, pattern=r"^[\w.:-]+$")]


class DraftOut(BaseModel):
    text: str
    strategy: str = Field(description="The draft's approach: apology_next_step, answer, follow_up, thanks…")
    originality: int = Field(description="Variety score, 100 = nothing like the team's recent replies.")
    trimmed: bool
    knowledge_title: str | None

    @classmethod
    def of(cls, draft: Draft) -> DraftOut:
        return cls(
            text=draft.text,
            strategy=draft.strategy,
            originality=draft.originality,
            trimmed=draft.trimmed,
            knowledge_title=draft.knowledge_title,
        )


class SavedReplyOut(BaseModel):
    id: int
    name: str
    text: str = Field(description="Filled in for this conversation.")
    missing: list[str] = Field(description="Variables with no value here (left out of the text).")


class DraftsOut(BaseModel):
    in_reply_to_id: int
    lang: str
    limit: int = Field(description="The most characters the platform allows in a reply.")
    seen_reply_id: int = Field(description="Send it back with the reply: later replies ask for confirmation.")
    drafts: list[DraftOut]
    saved_replies: list[SavedReplyOut]


class ReplyIn(In):
    text: Annotated[str, Field(min_length=1, max_length=20000)]
    in_reply_to_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    then_status: Literal["pending", "resolved"] = "pending"
    seen_reply_id: Annotated[int, Field(ge=0, le=MAX_ID)] = 0
    confirm_collision: bool = False
    confirm_similar: bool = False

    def request(self, submission: str) -> ReplyRequest:
        return ReplyRequest(
            text=self.text,
            submission=submission,
            in_reply_to_id=self.in_reply_to_id,
            then_status=self.then_status,
            seen_reply_id=self.seen_reply_id,
            confirm_collision=self.confirm_collision,
            confirm_similar=self.confirm_similar,
        )


class ReplyResultOut(BaseModel):
    id: int
    conversation_id: int
    status: str = Field(
        description="pending (awaiting approval), rejected, sending, sent, recorded or failed."
    )
    text: str
    url: str | None = Field(
        description="The reply on the platform, or for a recorded reply the post to answer."
    )
    platform_reply_id: str | None
    mode: str | None = Field(description="send (platform API) or record (answered by hand on the platform).")
    review_note: str | None
    replayed: bool = Field(
        description="True when the Idempotency-Key was already used: nothing new happened."
    )
    variety_score: int | None


class OtherReplyOut(BaseModel):
    id: int
    text: str
    status: str
    author_user_id: int | None


class ConflictDetail(BaseModel):
    reason: Literal["collision", "similar"]
    message: str
    replies: list[OtherReplyOut] = Field(default_factory=list, description="collision: the other replies.")
    similarity: float | None = Field(default=None, description="similar: 0-1, closeness to a recent reply.")
    nearest_text: str | None = None


class ConflictOut(BaseModel):
    """409: confirm (``confirm_collision`` / ``confirm_similar``) and submit again with the same key."""

    detail: ConflictDetail


class CheckIn(In):
    text: Annotated[str, Field(min_length=1, max_length=20000)]


class CheckOut(BaseModel):
    score: int
    warning: bool
    nearest_text: str | None
    length: int
    limit: int


class ApproveIn(In):
    text: Annotated[str | None, Field(min_length=1, max_length=20000)] = None


class RejectIn(In):
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class PendingOut(BaseModel):
    replies: list[ReplyResultOut]


def check_out(session: Session, workspace_id: int, conversation_id: int, text: str) -> CheckOut:
    """The variety score of a text against the team's recent replies, and the platform's limit."""
    conversation = queries.get_conversation(session, workspace_id, conversation_id).conversation
    report = variety_of(session, workspace_id, text)
    return CheckOut(
        score=report.score,
        warning=report.warning,
        nearest_text=report.nearest_text,
        length=len(text.strip()),
        limit=limit_for(conversation.platform),
    )


def drafts_out(data: ComposerData) -> DraftsOut:
    return DraftsOut(
        in_reply_to_id=data.mention.id,
        lang=data.lang,
        limit=data.limit,
        seen_reply_id=data.seen_reply_id,
        drafts=[DraftOut.of(d) for d in data.drafts],
        saved_replies=[
            SavedReplyOut(id=s.id, name=s.name, text=s.text, missing=list(s.missing)) for s in data.snippets
        ],
    )


def reply_out(
    reply: Reply, state: ReplyState | None, *, replayed: bool = False, score: int | None = None
) -> ReplyResultOut:
    return ReplyResultOut(
        id=reply.id,
        conversation_id=reply.conversation_id,
        status=reply.status,
        text=reply.text,
        url=state.url if state else None,
        platform_reply_id=reply.platform_reply_id,
        mode=state.mode if state else None,
        review_note=state.review_note if state else None,
        replayed=replayed,
        variety_score=score,
    )


def outcome_out(outcome: ReplyOutcome) -> ReplyResultOut:
    score = outcome.variety.score if outcome.variety else None
    return reply_out(outcome.reply, outcome.state, replayed=outcome.replayed, score=score)


def conflict_response(error: ReplyCollision | TooSimilar) -> JSONResponse:
    if isinstance(error, ReplyCollision):
        detail = ConflictDetail(
            reason="collision",
            message=str(error),
            replies=[
                OtherReplyOut(id=r.id, text=r.text, status=r.status, author_user_id=r.author_user_id)
                for r in error.others
            ],
        )
    else:
        detail = ConflictDetail(
            reason="similar",
            message=str(error),
            similarity=error.report.nearest_similarity,
            nearest_text=error.report.nearest_text,
        )
    return JSONResponse(ConflictOut(detail=detail).model_dump(), status_code=409)
