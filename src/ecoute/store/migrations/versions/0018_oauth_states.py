"""oauth_states: the pending "Connect with <platform>" flows (single use, short-lived)

Revision ID: oauth_states
Revises: digests
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType, UTCDateTime

revision = "oauth_states"
down_revision = "digests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state_digest", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=True),
        sa.Column("pending", JSONType, nullable=False),
        sa.Column("verifier_sealed", sa.Text(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_oauth_states_workspace_id", "oauth_states", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("oauth_states")
