"""digests: a person's digest preference per workspace, and the digests sent (each once)

Revision ID: digests
Revises: report_links
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import UTCDateTime

revision = "digests"
down_revision = "report_links"
branch_labels = None
depends_on = None


def _workspace() -> sa.Column:
    return sa.Column(
        "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "digest_preferences",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_digest_preferences_ws_user"),
    )
    op.create_index("ix_digest_preferences_user_id", "digest_preferences", ["user_id"])
    op.create_table(
        "digest_sends",
        sa.Column("id", sa.Integer(), primary_key=True),
        _workspace(),
        sa.Column("recipient", sa.String(40), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("period_start", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "workspace_id", "recipient", "period", "period_start", name="uq_digest_sends_once"
        ),
    )
    op.create_index("ix_digest_sends_workspace_id", "digest_sends", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("digest_sends")
    op.drop_table("digest_preferences")
