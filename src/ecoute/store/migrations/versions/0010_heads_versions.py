"""learning: versions of a workspace's analysis heads retrained from its agents' corrections

Revision ID: heads_versions
Revises: access_login_throttle
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType, UTCDateTime

revision = "heads_versions"
down_revision = "access_login_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "heads_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("scores", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=True),
        sa.Column("weights", sa.LargeBinary(), nullable=True),
        sa.UniqueConstraint("workspace_id", "version", name="uq_heads_versions_ws_version"),
    )


def downgrade() -> None:
    op.drop_table("heads_versions")
