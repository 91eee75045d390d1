"""Upgrading keeps what each endpoint received: an endpoint subscribed to
``conversation.high_priority`` got ``conversation.breach_soon`` too before that became an event of
its own, so migration 0007 subscribes it explicitly (and a downgrade takes it back)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from ecoute.store import repo
from ecoute.store.db import Database, alembic_config, make_engine
from ecoute.store.people import WebhookEndpoint


def endpoint(session, workspace_id: int, events: list[str]) -> int:
    row = WebhookEndpoint(workspace_id=workspace_id, url="https://hooks.example/", secret="x", events=events)
    session.add(row)
    session.flush()
    return row.id


def test_endpoints_that_took_high_priority_keep_receiving_breach_alerts(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "0006")
    db = Database(engine)
    with db.session() as session:
        ws = repo.create_workspace(session, "acme", "Acme")
        old = endpoint(session, ws.id, ["conversation.high_priority"])
        sla = endpoint(session, ws.id, ["conversation.breach_soon"])

    command.upgrade(config, "head")
    with db.session() as session:
        upgraded = dict(session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)).all())
    command.downgrade(config, "0006")
    with db.session() as session:
        downgraded = dict(session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)).all())
    engine.dispose()

    assert upgraded == {
        old: ["conversation.breach_soon", "conversation.high_priority"],
        sla: ["conversation.breach_soon"],
    }
    assert downgraded == {old: ["conversation.high_priority"], sla: ["conversation.breach_soon"]}
