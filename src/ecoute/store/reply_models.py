"""The ``reply_states`` table: how each reply travels — through the platform's API or recorded for
an agent to post by hand — its delivery attempts, and its review when the workspace wants one.

One row per reply (``reply_id`` is the key), written with the reply. The reply's own ``status``
says where it is: ``pending`` (waiting for an approver), ``rejected``, ``sending`` (the attempt
is recorded, the platform's answer is not yet), ``sent``, ``recorded`` or ``failed``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ecoute.store.models import Base
from ecoute.store.types import utcnow

REPLY_STATUSES = ("pending", "rejected", "sending", "sent", "recorded", "failed")
DONE_STATUSES = ("sent", "recorded")


class ReplyState(Base):
    __tablename__ = "reply_states"
    __table_args__ = (Index("ix_reply_states_ws_review", "workspace_id", "review_state"),)

    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # "send" (the source's platform API) or "record" (the agent answers on the platform by hand).
    mode: Mapped[str | None] = mapped_column(String(8))
    # The reply on the platform once sent, or the post to answer when the reply is recorded.
    url: Mapped[str | None] = mapped_column(Text)
    # The conversation's status once the reply is out: "pending" (waiting for the customer) or "resolved".
    then_status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    attempted_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    # "none", "waiting", "approved" or "rejected".
    review_state: Mapped[str] = mapped_column(String(12), default="none")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str | None] = mapped_column(Text)
    submitted_text: Mapped[str | None] = mapped_column(Text)  # as the agent wrote it, before an edit
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
