"""warn: each alert's e-mail and chat message, sent once per crisis and channel within a cooldown

Revision ID: warn_alert_messages
Revises: incidents
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import UTCDateTime

revision = "warn_alert_messages"
down_revision = "incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),  # email | slack
        sa.Column("crisis", sa.String(260), nullable=False),  # "spike", or "impersonation:x:handle"
        # pending → sent | failed, or folded into an earlier message of the same crisis
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "folded_into",
            sa.Integer(),
            sa.ForeignKey("alert_messages.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("alert_id", "channel", name="uq_alert_messages_alert_channel"),
    )
    op.create_index("ix_alert_messages_workspace_id", "alert_messages", ["workspace_id"])
    op.create_index(
        "ix_alert_messages_ws_channel_crisis",
        "alert_messages",
        ["workspace_id", "channel", "crisis", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_alert_messages_ws_channel_crisis", table_name="alert_messages")
    op.drop_index("ix_alert_messages_workspace_id", table_name="alert_messages")
    op.drop_table("alert_messages")
