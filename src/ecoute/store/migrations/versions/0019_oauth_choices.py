"""oauth_choices: what a platform listed after consent (Meta's Pages), until the admin picks one

Revision ID: oauth_choices
Revises: oauth_states
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType, UTCDateTime

revision = "oauth_choices"
down_revision = "oauth_states"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_choices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=True),
        sa.Column("pending", JSONType, nullable=False),
        sa.Column("choices_sealed", sa.Text(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_oauth_choices_workspace_id", "oauth_choices", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("oauth_choices")
