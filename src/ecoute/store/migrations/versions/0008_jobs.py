"""jobs: the durable job ledger; sources: when to poll next

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("key", sa.String(255), nullable=False, unique=True),
        sa.Column("queue", sa.String(20), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("leased_by", sa.String(120)),
        sa.Column("kicked_at", UTCDateTime()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime()),
        sa.Column("finished_at", UTCDateTime()),
    )
    op.create_index("ix_jobs_state_queue_run_at", "jobs", ["state", "queue", "run_at"])
    op.create_index("ix_jobs_ws_kind", "jobs", ["workspace_id", "kind", "state"])
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("poll_interval_s", sa.Integer(), nullable=False, server_default="300"))
        batch.add_column(sa.Column("next_poll_at", UTCDateTime()))
        batch.add_column(sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("last_success_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("last_success_at")
        batch.drop_column("paused")
        batch.drop_column("next_poll_at")
        batch.drop_column("poll_interval_s")
    op.drop_index("ix_jobs_ws_kind", "jobs")
    op.drop_index("ix_jobs_state_queue_run_at", "jobs")
    op.drop_table("jobs")
