"""inbox speed: indexes for the inbox's tag, assignee and author look-ups; conversation summaries
filled in for rows stored before the ingest path kept them

Measured with benchmarks/inbox_speed.py on 1,000,000 mentions (docs/benchmarks.md, "Inbox"):
- tags of a page of conversations, and the tag filter, probe (workspace, conversation, tag)
  instead of walking every conversation that carries the tag;
- "assigned to X" walks (workspace, assignee) in the inbox order instead of sorting all of X's
  conversations (replaces the shorter ix_conversations_ws_assignee);
- the inbox-order indexes end with the status, so the walks for the usual "still to do" view
  skip resolved conversations inside the index, without reading their rows;
- a conversation page counts the author's other conversations through (workspace, author), and
  reads its thread in order from (workspace, conversation, created_at, id) rather than walking
  every mention of the workspace by date (ix_mentions_ws_conversation gains the two columns);
- "sentiment is positive" or "intent is praise" walk their own (workspace, label) index in inbox
  order: those labels sit at the bottom of the priority order, so walking the whole inbox to
  find fifty of them read most of the workspace.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The inbox order, then the status (tested inside the index while walking that order).
INBOX_ORDER = ["priority", "last_mention_at", "id", "status"]
LABELS = ("sentiment", "intent")
# The top mention: highest priority (unanalysed ones last), then newest, never a hidden one; the
# same order as ecoute.inbox.queries.top_mentions and the ingest path's refresh_conversations.
BACKFILL_TOP = """
UPDATE conversations SET top_mention_id = (
    SELECT m.id FROM mentions m
    WHERE m.workspace_id = conversations.workspace_id AND m.conversation_id = conversations.id
      AND NOT m.hidden
    ORDER BY coalesce(m.priority, -1) DESC, m.created_at DESC, m.id DESC
    LIMIT 1)
WHERE top_mention_id IS NULL
"""
BACKFILL_LABELS = """
UPDATE conversations SET
    sentiment = (SELECT m.sentiment FROM mentions m WHERE m.id = conversations.top_mention_id),
    intent = (SELECT m.intent FROM mentions m WHERE m.id = conversations.top_mention_id),
    lang = (SELECT m.lang FROM mentions m WHERE m.id = conversations.top_mention_id)
WHERE top_mention_id IS NOT NULL AND sentiment IS NULL AND intent IS NULL AND lang IS NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("conversation_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_tags_ws_conversation",
            ["workspace_id", "conversation_id", "tag_id"],
            unique=False,
        )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_ws_order")
        batch_op.create_index("ix_conversations_ws_order", ["workspace_id", *INBOX_ORDER], unique=False)
        batch_op.drop_index("ix_conversations_ws_assignee")
        batch_op.create_index(
            "ix_conversations_ws_assignee_order", ["workspace_id", "assignee_id", *INBOX_ORDER], unique=False
        )
        batch_op.create_index("ix_conversations_ws_author", ["workspace_id", "author_id"], unique=False)
        for label in LABELS:
            batch_op.create_index(
                f"ix_conversations_ws_{label}", ["workspace_id", label, *INBOX_ORDER], unique=False
            )
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_ws_conversation")
        batch_op.create_index(
            "ix_mentions_ws_conversation",
            ["workspace_id", "conversation_id", "created_at", "id"],
            unique=False,
        )
    op.execute(BACKFILL_TOP)
    op.execute(BACKFILL_LABELS)


def downgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentions_ws_conversation")
        batch_op.create_index(
            "ix_mentions_ws_conversation", ["workspace_id", "conversation_id"], unique=False
        )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        for label in LABELS:
            batch_op.drop_index(f"ix_conversations_ws_{label}")
        batch_op.drop_index("ix_conversations_ws_author")
        batch_op.drop_index("ix_conversations_ws_assignee_order")
        batch_op.create_index(
            "ix_conversations_ws_assignee", ["workspace_id", "assignee_id", "priority"], unique=False
        )
        batch_op.drop_index("ix_conversations_ws_order")
        batch_op.create_index(
            "ix_conversations_ws_order", ["workspace_id", "priority", "last_mention_at", "id"], unique=False
        )
    with op.batch_alter_table("conversation_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_tags_ws_conversation")
