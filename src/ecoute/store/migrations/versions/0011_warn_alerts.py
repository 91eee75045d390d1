"""warn: alerts raised by the periodic spike scan, one row per episode, with their triage

Revision ID: warn_alerts
Revises: heads_versions
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType, UTCDateTime

revision = "warn_alerts"
down_revision = "heads_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        # What the alert is about beyond the workspace: "" for spikes, "platform:handle" for an impersonator.
        sa.Column("subject", sa.String(240), nullable=False, server_default=""),
        sa.Column("details", JSONType, nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("peak_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("peak_z", sa.Float(), nullable=False),
        # Triage: open, acknowledged, snoozed (until snoozed_until) or resolved, and by whom.
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("snoozed_until", UTCDateTime(), nullable=True),
        sa.Column(
            "handled_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("handled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("workspace_id", "kind", "subject", "started_at", name="uq_alerts_ws_kind_start"),
    )
    op.create_index("ix_alerts_workspace_id", "alerts", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_workspace_id", table_name="alerts")
    op.drop_table("alerts")
