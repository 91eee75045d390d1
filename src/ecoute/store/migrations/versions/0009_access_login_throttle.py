"""access: failed logins and bad API tokens remembered per account and client address

Revision ID: access_login_throttle
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import UTCDateTime

revision = "access_login_throttle"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", UTCDateTime(), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_login_throttle_last_failure", "login_throttle", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_login_throttle_last_failure", table_name="login_throttle")
    op.drop_table("login_throttle")
