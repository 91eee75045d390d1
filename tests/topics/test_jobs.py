"""Topics on the task queue, with the real encoders, on SQLite and PostgreSQL: a rebuild for one
workspace, then a new mention joining its topic through the periodic job."""

from __future__ import annotations

from sqlalchemy import select

import inbox_factories
from ecoute.jobs import defer
from ecoute.jobs.registry import spec
from ecoute.store.models import Mention
from ecoute.topics.models import Topic
from ecoute.topics.workspace import topic_of

DELIVERY = "Mon colis n'est toujours pas arrivé, commande numéro {}"
APP = "The app crashes every time I open it, version {}"


def mention(db, workspace, text: str) -> int:
    conversation = inbox_factories.conversation(db, workspace, text=text)
    with db.session() as session:
        return session.scalar(select(Mention.id).where(Mention.conversation_id == conversation.id))


def test_rebuild_now_then_join_through_the_queue(db, workspace) -> None:
    delivery = [mention(db, workspace, DELIVERY.format(1000 + i)) for i in range(15)]
    for i in range(15):
        mention(db, workspace, APP.format(f"2.{i}"))
    with db.session() as session:
        defer(session, "topics.rebuild_now", key="rebuild:test", workspace_id=workspace.id)
    late = mention(db, workspace, DELIVERY.format(9999))
    with db.session() as session:
        defer(session, spec("periodic:topics.join").kind, key="join:test")
    with db.session() as session:
        labels = sorted(session.scalars(select(Topic.label).where(Topic.workspace_id == workspace.id)))
        delivery_topic = topic_of(session, workspace.id, delivery[0])
        assert {topic_of(session, workspace.id, m).id for m in delivery} == {delivery_topic.id}
        assert topic_of(session, workspace.id, late).id == delivery_topic.id
    assert len(labels) == 2
    assert any("colis" in label or "commande" in label for label in labels)
