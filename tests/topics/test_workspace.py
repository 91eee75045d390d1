"""A workspace's topics in the database, on SQLite and PostgreSQL: vectors embedded once, topics
rebuilt with agents' names and merges kept, new mentions joining the nearest topic, workspaces apart."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

import inbox_factories
from ecoute.topics.models import MentionTopic, MentionVector, Topic
from ecoute.topics.workspace import assign_new, ensure_vectors, merge, rebuild, rename, topic_of
from topic_world import SUBJECTS, Embedder, add_mentions


@pytest.fixture
def mentions(db, workspace):
    return {
        subject: add_mentions(db, workspace, subject, 20, start=100 * index)
        for subject, index in SUBJECTS.items()
    }


def test_rebuild_finds_the_topics_and_embeds_each_mention_once(db, workspace, mentions) -> None:
    embed = Embedder()
    with db.session() as session:
        outcome = rebuild(session, workspace.id, embed)
    with db.session() as session:
        outcome_again = rebuild(session, workspace.id, embed)
        topics = {
            subject: {topic_of(session, workspace.id, m).id for m in ids} for subject, ids in mentions.items()
        }
        labels = {subject: topic_of(session, workspace.id, ids[0]).label for subject, ids in mentions.items()}
    assert (outcome.mentions, outcome.topics, outcome.kept) == (60, 3, 0)
    assert (outcome_again.topics, outcome_again.kept) == (3, 3)
    assert embed.calls == 60
    assert all(len(ids) == 1 for ids in topics.values())
    assert len({next(iter(ids)) for ids in topics.values()}) == 3
    assert "livraison" in labels["livraison"]


def test_names_and_merges_survive_a_rebuild(db, workspace, mentions) -> None:
    embed = Embedder()
    with db.session() as session:
        rebuild(session, workspace.id, embed)
        delivery = topic_of(session, workspace.id, mentions["livraison"][0])
        refunds = topic_of(session, workspace.id, mentions["remboursement"][0])
        app = topic_of(session, workspace.id, mentions["application"][0])
        rename(session, workspace.id, app.id, "Bugs de l'appli")
        merged = merge(session, workspace.id, delivery.id, [refunds.id])
        merged_id, app_id = merged.id, app.id
    with db.session() as session:
        rebuild(session, workspace.id, embed, seed=1)
        after_delivery = topic_of(session, workspace.id, mentions["livraison"][3])
        after_refund = topic_of(session, workspace.id, mentions["remboursement"][5])
        after_app = topic_of(session, workspace.id, mentions["application"][0])
        live = session.scalar(
            select(func.count()).select_from(Topic).where(Topic.workspace_id == workspace.id)
        )
    assert after_delivery.id == after_refund.id == merged_id
    assert after_delivery.size == 40
    assert (after_app.id, after_app.name) == (app_id, "Bugs de l'appli")
    assert live == 2


def test_new_mentions_join_the_nearest_topic_without_a_rebuild(db, workspace, mentions) -> None:
    embed = Embedder()
    with db.session() as session:
        rebuild(session, workspace.id, embed)
    late = add_mentions(db, workspace, "remboursement", 2, start=500)
    with db.session() as session:
        joined = assign_new(session, workspace.id, embed)
        refunds = topic_of(session, workspace.id, mentions["remboursement"][0])
        assert [topic_of(session, workspace.id, m).id for m in late] == [refunds.id, refunds.id]
        assert refunds.size == 22
    assert joined == 2
    assert embed.calls == 62


def test_workspaces_keep_their_own_topics(db, workspace, other_workspace, mentions) -> None:
    embed = Embedder()
    theirs = add_mentions(db, other_workspace, "livraison", 25)
    with db.session() as session:
        rebuild(session, workspace.id, embed)
        ours = session.scalar(
            select(func.count()).select_from(MentionTopic).where(MentionTopic.workspace_id == workspace.id)
        )
        other_rows = session.scalar(
            select(func.count())
            .select_from(MentionVector)
            .where(MentionVector.workspace_id == other_workspace.id)
        )
        assert topic_of(session, other_workspace.id, theirs[0]) is None
        their_topic = topic_of(session, workspace.id, mentions["livraison"][0])
        with pytest.raises(LookupError):
            rename(session, other_workspace.id, their_topic.id, "not theirs")
    assert (ours, other_rows) == (60, 0)


def test_too_few_mentions_make_no_topics(db, workspace) -> None:
    add_mentions(db, workspace, "livraison", 5)
    with db.session() as session:
        outcome = rebuild(session, workspace.id, Embedder())
        assert assign_new(session, workspace.id, Embedder()) == 0
    assert (outcome.mentions, outcome.topics) == (5, 0)


def test_topics_come_from_the_most_recent_mentions_and_the_older_join_them(db, workspace, mentions) -> None:
    with db.session() as session:
        outcome = rebuild(session, workspace.id, Embedder(), most_recent=50)
        without = [m for ids in mentions.values() for m in ids if topic_of(session, workspace.id, m) is None]
        sizes = sum(session.scalars(select(Topic.size).where(Topic.workspace_id == workspace.id)))
    assert outcome.mentions == 50
    assert without == []
    assert sizes == 60


def test_a_backlog_without_vectors_is_embedded_newest_first_a_bounded_share_a_run(db, workspace):
    inbox_factories.conversation(db, workspace, text="ancien", minutes=0)
    inbox_factories.conversation(db, workspace, text="récent", minutes=60)
    embedded: list[list[str]] = []

    def embed(texts):
        embedded.append(list(texts))
        return np.ones((len(texts), 4), dtype=np.float32) / 2

    with db.session() as session:
        first = ensure_vectors(session, workspace.id, embed, limit=1)
    with db.session() as session:
        second = ensure_vectors(session, workspace.id, embed, limit=1)
        third = ensure_vectors(session, workspace.id, embed, limit=1)
        stored = session.query(MentionVector).count()

    assert (first, second, third, stored) == (1, 1, 0, 2)
    assert embedded == [["récent"], ["ancien"]]  # the newest mention first
