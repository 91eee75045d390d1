"""``/api/v1/topics``: the workspace's topics; renaming and merging them needs ``edit_topics``
(agents and up). Names and merges are kept by every later rebuild of the topics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.topics import edit
from ecoute.topics.models import Topic
from ecoute.web.api.params import BEARER, Id
from ecoute.web.api.schemas import MAX_ID, In, errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require

router = APIRouter(prefix="/api/v1/topics", tags=["topics"], dependencies=BEARER)


class TopicOut(BaseModel):
    id: int
    name: str | None = Field(description="The name an agent gave; shown instead of the label.")
    label: str = Field(description="Words from the topic's posts, refreshed by every rebuild.")
    mentions: int = Field(description="Mentions in the topic (all time).")
    merged: bool = Field(description="Other topics were merged into this one.")


class TopicList(BaseModel):
    items: list[TopicOut]


class TopicRename(In):
    name: str | None = Field(max_length=edit.MAX_NAME, description="Empty or null: back to the label.")


class TopicMerge(In):
    topics: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=100, description="The topics whose mentions join this one."
    )


def _out(topic: Topic) -> TopicOut:
    return TopicOut(id=topic.id, name=topic.name, label=topic.label, mentions=topic.size, merged=topic.merged)


@router.get("", response_model=TopicList, responses=errors(403))
def list_topics(session: DbSession, ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)]) -> TopicList:
    """The topics shown (those merged into another are left out), largest first."""
    return TopicList(items=[_out(t) for t in edit.live_topics(session, ctx.workspace.id)])


@router.patch("/{topic_id}", response_model=TopicOut, responses=errors(403, 404))
def rename_topic(
    session: DbSession,
    topic_id: Id,
    body: TopicRename,
    ctx: Annotated[WorkspaceContext, api_require(Action.EDIT_TOPICS)],
) -> TopicOut:
    """Rename a topic (422 when it was merged into another). Audited as ``topic.rename``."""
    return _out(edit.rename_topic(session, ctx.workspace.id, topic_id, body.name, actor=ctx.actor))


@router.post("/{topic_id}/merge", response_model=TopicOut, responses=errors(403, 404))
def merge_topics(
    session: DbSession,
    topic_id: Id,
    body: TopicMerge,
    ctx: Annotated[WorkspaceContext, api_require(Action.EDIT_TOPICS)],
) -> TopicOut:
    """Merge the listed topics into this one, for good. Audited as ``topic.merge``."""
    return _out(edit.merge_topics(session, ctx.workspace.id, topic_id, body.topics, actor=ctx.actor))
