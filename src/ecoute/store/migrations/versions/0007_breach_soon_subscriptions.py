"""webhooks: conversation.breach_soon is an event of its own

Endpoints subscribed to ``conversation.high_priority`` used to receive ``conversation.breach_soon``
as well; now each endpoint receives only the events it lists, so existing ones get
``conversation.breach_soon`` added to keep what they received. Data only: no column changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from ecoute.store.types import JSONType

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HIGH_PRIORITY = "conversation.high_priority"
BREACH_SOON = "conversation.breach_soon"
endpoints = sa.table("webhook_endpoints", sa.column("id", sa.Integer()), sa.column("events", JSONType))


def _rewrite(change: Callable[[list[str]], list[str]]) -> None:
    connection = op.get_bind()
    for endpoint_id, events in connection.execute(sa.select(endpoints.c.id, endpoints.c.events)).all():
        new = change(list(events or []))
        if new != list(events or []):
            connection.execute(endpoints.update().where(endpoints.c.id == endpoint_id).values(events=new))


def upgrade() -> None:
    _rewrite(lambda events: sorted({*events, BREACH_SOON}) if HIGH_PRIORITY in events else events)


def downgrade() -> None:
    # Before 0007, high_priority implied breach_soon; an endpoint with breach_soon alone still got it.
    _rewrite(lambda events: [e for e in events if e != BREACH_SOON] if HIGH_PRIORITY in events else events)
