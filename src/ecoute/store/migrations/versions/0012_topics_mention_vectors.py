"""topics: a workspace's topics, each mention's topic, and each mention's packed vector

Revision ID: topics_mention_vectors
Revises: warn_alerts
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import UTCDateTime

revision = "topics_mention_vectors"
down_revision = "warn_alerts"
branch_labels = None
depends_on = None


def _workspace() -> sa.Column:
    return sa.Column(
        "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )


def _mention() -> sa.Column:
    return sa.Column(
        "mention_id", sa.Integer(), sa.ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.Column(
            "merged_into", sa.Integer(), sa.ForeignKey("topics.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=True),
        sa.Column("built_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_topics_ws", "topics", ["workspace_id"])
    op.create_table(
        "mention_topics",
        _mention(),
        _workspace(),
        sa.Column("topic_id", sa.Integer(), sa.ForeignKey("topics.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_mention_topics_ws_topic", "mention_topics", ["workspace_id", "topic_id"])
    op.create_table(
        "mention_vectors",
        _mention(),
        _workspace(),
        sa.Column("encoder", sa.String(16), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_mention_vectors_ws", "mention_vectors", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("mention_vectors")
    op.drop_table("mention_topics")
    op.drop_table("topics")
