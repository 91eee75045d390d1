"""reports: share links that open a workspace's report without logging in, until they expire

Revision ID: report_links
Revises: insights_day_rollups
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import UTCDateTime

revision = "report_links"
down_revision = "insights_day_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        # SHA-256 of the token: the token itself is shown once, when the link is made.
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("brand_id", sa.Integer(), sa.ForeignKey("brands.id", ondelete="CASCADE"), nullable=True),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_report_links_workspace_id", "report_links", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_report_links_workspace_id", table_name="report_links")
    op.drop_table("report_links")
