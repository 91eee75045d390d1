"""respond: saved replies and knowledge snippets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=12), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "lang", "name"),
    )
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.create_index("ix_saved_replies_ws_lang", ["workspace_id", "lang", "intent"], unique=False)

    op.create_table(
        "knowledge_snippets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("keywords", JSONType, nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("knowledge_snippets", schema=None) as batch_op:
        batch_op.create_index("ix_knowledge_snippets_ws_lang", ["workspace_id", "lang"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("knowledge_snippets", schema=None) as batch_op:
        batch_op.drop_index("ix_knowledge_snippets_ws_lang")
    op.drop_table("knowledge_snippets")
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_replies_ws_lang")
    op.drop_table("saved_replies")
