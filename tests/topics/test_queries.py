"""Topic figures for an Insights page, on SQLite and PostgreSQL: volume and sentiment per topic in a
period against the one before, trending topics, a topic's most typical posts, one workspace only."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

import inbox_factories
from ecoute.store.models import Mention
from ecoute.topics.models import MentionTopic, MentionVector, Topic
from ecoute.topics.packing import pack
from ecoute.topics.queries import sample_posts, topic_summaries, trending
from factories import BASE_TIME

START = BASE_TIME + timedelta(minutes=60)
END = START + timedelta(minutes=60)


def topic(db, workspace, label: str, name: str | None = None) -> int:
    with db.session() as session:
        row = Topic(workspace_id=workspace.id, label=label, name=name, centroid=pack(np.array([1.0, 0.0])))
        session.add(row)
        session.flush()
        return row.id


def post(
    db, workspace, topic_id: int, minutes: int, sentiment: str, direction=(1.0, 0.0), hidden=False
) -> int:
    conversation = inbox_factories.conversation(
        db, workspace, minutes=minutes, sentiment=sentiment, text=f"post {minutes} {sentiment}"
    )
    with db.session() as session:
        mention = session.scalar(select(Mention).where(Mention.conversation_id == conversation.id))
        mention.hidden, mention_id = hidden, mention.id
        session.add(MentionTopic(mention_id=mention_id, workspace_id=workspace.id, topic_id=topic_id))
        vector = pack(np.array(direction))
        session.add(
            MentionVector(mention_id=mention_id, workspace_id=workspace.id, encoder="e5+use", vector=vector)
        )
    return mention_id


def test_each_topic_against_the_period_before_with_its_sentiment(db, workspace, other_workspace) -> None:
    delivery = topic(db, workspace, "livraison · retard", name="Livraisons")
    app = topic(db, workspace, "application · plante")
    for minutes, sentiment in ((70, "negative"), (80, "negative"), (90, "positive"), (100, "neutral")):
        post(db, workspace, delivery, minutes, sentiment)
    post(db, workspace, delivery, 10, "negative")  # the period before
    for minutes in (5, 20, 30):
        post(db, workspace, app, minutes, "negative")
    post(db, workspace, app, 75, "neutral")
    post(db, workspace, app, 130, "negative")  # after the period
    theirs = topic(db, other_workspace, "autre")
    post(db, other_workspace, theirs, 70, "positive")

    with db.session() as session:
        summaries = topic_summaries(session, workspace.id, START, END)
        rising = trending(session, workspace.id, START, END)

    first, second = summaries
    assert (first.title, first.mentions, first.previous, first.growth) == ("Livraisons", 4, 1, 3)
    assert (first.positive, first.neutral, first.negative) == (1, 1, 2)
    assert first.net_sentiment == -1 / 3
    assert (second.title, second.mentions, second.previous, second.growth) == (
        "application · plante",
        1,
        3,
        -2,
    )
    assert second.net_sentiment is None
    assert [s.topic_id for s in rising] == [delivery]


def test_sample_posts_are_the_closest_to_the_topic_centre_in_the_period(db, workspace) -> None:
    delivery = topic(db, workspace, "livraison")
    typical = post(db, workspace, delivery, 70, "negative", direction=(1.0, 0.05))
    odd = post(db, workspace, delivery, 80, "negative", direction=(0.2, 1.0))
    middling = post(db, workspace, delivery, 90, "negative", direction=(1.0, 0.5))
    post(db, workspace, delivery, 10, "negative")  # before the period
    hidden = post(db, workspace, delivery, 95, "negative", hidden=True)

    with db.session() as session:
        samples = [m.id for m in sample_posts(session, workspace.id, delivery, START, END, limit=2)]
        everything = [m.id for m in sample_posts(session, workspace.id, delivery, START, END, limit=10)]

    assert samples == [typical, middling]
    assert everything == [typical, middling, odd]
    assert hidden not in everything
