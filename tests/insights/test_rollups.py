"""The daily roll-ups give the Insights figures exactly as counting the mentions does: after a
first build, and after inserts, edits, deletions, hiding, brand links and analysis changes, both
before the job has run again (the changed days are counted directly) and after (recomputed), on
SQLite and PostgreSQL. The oracle is the direct count: the same figures with no roll-ups at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

import inbox_factories
from ecoute.insights import rollups
from ecoute.insights.listening import Period, listening
from ecoute.insights.rollups import MentionDay, MentionDaysBuilt, MentionDayStale, plan, refresh
from ecoute.jobs import defer
from ecoute.jobs.registry import spec
from ecoute.store import repo
from ecoute.store.models import Mention, MentionBrand
from ecoute.topics.models import MentionTopic, Topic
from ecoute.topics.queries import topic_summaries

NOW = datetime(2026, 10, 8, 13, 0, tzinfo=UTC)  # Thursday 8 October, 15:00 in Paris
ZONE = "Europe/Paris"
PLATFORMS = ("x", "mastodon", "reddit")
SENTIMENTS = ("positive", "neutral", "negative", None)
LANGS = ("fr", "en", None)


def _mention(db, workspace, at: datetime, n: int) -> int:
    conversation = inbox_factories.conversation(
        db, workspace, sentiment=SENTIMENTS[n % 4], lang=LANGS[n % 3], text=f"message {n}"
    )
    with db.session() as session:
        mention = session.scalars(select(Mention).where(Mention.conversation_id == conversation.id)).one()
        mention.created_at, mention.platform = at, PLATFORMS[n % 3]
        mention.likes, mention.shares, mention.replies_count = n % 5, n % 2, n % 3
        return mention.id


@pytest.fixture
def world(db, workspace, other_workspace):
    """A hundred days of mentions, several of them close to midnight in UTC and in Paris."""
    with db.session() as session:
        ours = repo.add_brand(session, workspace.id, "Cyclune")
        rival = repo.add_brand(session, workspace.id, "Kipwatt", competitor_of="Cyclune")
    ids = []
    for n in range(60):
        hour = (21, 22, 23, 0, 1, 12)[n % 6]
        at = (NOW - timedelta(days=(n * 7) % 100)).replace(hour=hour, minute=30)
        ids.append(_mention(db, workspace, at, n))
    _mention(db, other_workspace, NOW - timedelta(days=3), 1)
    with db.session() as session:
        for n, mention_id in enumerate(ids):
            if n % 3 == 0:
                session.add(MentionBrand(mention_id=mention_id, brand_id=ours.id, workspace_id=workspace.id))
            if n % 4 == 1:
                session.add(MentionBrand(mention_id=mention_id, brand_id=rival.id, workspace_id=workspace.id))
        session.get(Mention, ids[5]).hidden = True
        topics = [Topic(workspace_id=workspace.id, label=f"sujet {n}", size=0) for n in range(3)]
        session.add_all(topics)
        session.flush()
        for n, mention_id in enumerate(ids):
            if n % 7:
                topic_id = topics[n % 3].id
                session.add(MentionTopic(mention_id=mention_id, workspace_id=workspace.id, topic_id=topic_id))
    return ids, ours, rival


def _periods() -> list[Period]:
    return [Period.ending(NOW, days, ZONE) for days in (7, 30, 90)] + [
        Period.ending(NOW - timedelta(days=40), 30, ZONE)
    ]


def _check_exact(db, workspace) -> None:
    """Every period's figures equal the direct count (the same session without roll-ups)."""

    def topics(session, period: Period, offset):
        return topic_summaries(session, workspace.id, period.start, period.end, offset)

    with db.session() as session:
        got = [listening(session, workspace.id, p) for p in _periods()]
        got_topics = [topics(session, p, p.offset_minutes) for p in _periods()]
        session.execute(delete(MentionDaysBuilt))
        expected = [listening(session, workspace.id, p) for p in _periods()]
        expected_topics = [topics(session, p, None) for p in _periods()]
        session.rollback()
    for g, e in zip(got, expected, strict=True):
        assert g == e
    assert got_topics == expected_topics and sum(t.mentions for t in expected_topics[2]) > 20
    assert expected[2].total.mentions > 20 and expected[2].brands[0].tally.mentions > 5


def _rolled_days(db, workspace, days: int = 90) -> int:
    period = Period.ending(NOW, days, ZONE)
    with db.session() as session:
        return len(plan(session, workspace.id, period.offset_minutes, period.start, period.end).rolled)


def test_rollups_match_the_mentions_through_every_kind_of_change(db, workspace, world):
    ids, ours, rival = world
    _check_exact(db, workspace)  # nothing rolled up yet: all counted directly
    first = refresh(db, workspace.id, ZONE, NOW)
    with db.session() as session:
        marks = select(func.count()).where(MentionDayStale.workspace_id == workspace.id)
        assert session.scalar(marks) == 0  # the other workspace's are its own
        built_offsets = set(session.scalars(select(MentionDaysBuilt.offset_minutes)))
    assert first.built > 90 and built_offsets == {60, 120}
    assert _rolled_days(db, workspace) == 89  # every whole day but today comes from the roll-ups
    _check_exact(db, workspace)

    # Inserts on old days, analysis changes, moved and edited mentions, hiding, deletion, brands.
    added = _mention(db, workspace, (NOW - timedelta(days=20)).replace(hour=23, minute=10), 7)
    with db.session() as session:
        session.get(Mention, ids[2]).sentiment = "positive"
        session.get(Mention, ids[8]).created_at = NOW - timedelta(days=33, hours=5)
        session.get(Mention, ids[9]).likes = 1000
        session.get(Mention, ids[10]).hidden = True
        session.get(Mention, ids[5]).hidden = False
        session.get(Mention, ids[11]).lang = "de"
        session.add(MentionBrand(mention_id=added, brand_id=rival.id, workspace_id=workspace.id))
        session.execute(delete(MentionBrand).where(MentionBrand.mention_id == ids[3]))
        session.execute(delete(MentionBrand).where(MentionBrand.mention_id == ids[12]))
        session.execute(delete(MentionTopic).where(MentionTopic.mention_id == ids[12]))
        session.execute(delete(Mention).where(Mention.id == ids[12]))
        moved = session.get(MentionTopic, ids[13])
        moved.topic_id = session.get(MentionTopic, ids[15]).topic_id  # as a merge moves them
    with db.session() as session:
        stale = set(
            session.scalars(select(MentionDayStale.day).where(MentionDayStale.workspace_id == workspace.id))
        )
    assert (NOW - timedelta(days=20)).date().isoformat() in stale
    assert _rolled_days(db, workspace) < 89  # the changed days are counted directly meanwhile
    _check_exact(db, workspace)

    again = refresh(db, workspace.id, ZONE, NOW)
    assert again.recomputed > 0 and again.built == 0
    assert _rolled_days(db, workspace) == 89
    _check_exact(db, workspace)


def test_a_rolled_up_day_holds_the_days_counts(db, workspace, world):
    refresh(db, workspace.id, ZONE, NOW)
    day = date(2026, 10, 1)
    start = datetime(2026, 9, 30, 22, 0, tzinfo=UTC)  # midnight in Paris (summer time)
    with db.session() as session:
        rows = session.execute(
            select(func.sum(MentionDay.mentions), func.sum(MentionDay.engagement)).where(
                MentionDay.workspace_id == workspace.id,
                MentionDay.offset_minutes == 120,
                MentionDay.day == day.isoformat(),
                MentionDay.brand_id == 0,
            )
        ).one()
        direct = session.execute(
            select(func.count(), func.sum(Mention.likes + Mention.shares + Mention.replies_count)).where(
                Mention.workspace_id == workspace.id,
                Mention.hidden.is_(False),
                Mention.created_at >= start,
                Mention.created_at < start + timedelta(days=1),
            )
        ).one()
    assert direct[0] > 0
    assert (rows[0], rows[1]) == (direct[0], direct[1])


def test_the_job_rolls_up_every_workspace_and_clears_the_marks(db, workspace, other_workspace, world):
    with db.session() as session:
        defer(session, spec("periodic:insights.rollup").kind, key="rollup:test")
    with db.session() as session:
        built = set(session.execute(select(MentionDaysBuilt.workspace_id, MentionDaysBuilt.offset_minutes)))
        marks = session.scalar(select(func.count()).select_from(MentionDayStale))
    assert built == {(workspace.id, 60), (workspace.id, 120), (other_workspace.id, 0)}
    assert marks == 0
    _check_exact(db, workspace)


def test_a_topic_rebuild_marks_every_day_and_is_recomputed_a_chunk_at_a_time(
    db, workspace, world, monkeypatch
):
    monkeypatch.setattr(rollups, "BUILD_DAYS", 5)  # many small transactions, as with a long history
    first = refresh(db, workspace.id, ZONE, NOW)
    with db.session() as session:  # what a rebuild does: every assignment replaced
        rows = session.execute(select(MentionTopic.mention_id, MentionTopic.topic_id)).all()
        session.execute(delete(MentionTopic))
        topic_ids = sorted({topic_id for _, topic_id in rows})
        session.add_all(
            MentionTopic(
                mention_id=m, workspace_id=workspace.id, topic_id=topic_ids[(m + 1) % len(topic_ids)]
            )
            for m, _ in rows
        )
    with db.session() as session:
        marked = session.scalar(select(func.count()).where(MentionDayStale.workspace_id == workspace.id))
    assert marked > 10 and first.built > 90
    _check_exact(db, workspace)
    again = refresh(db, workspace.id, ZONE, NOW)
    with db.session() as session:
        assert session.scalar(select(func.count()).where(MentionDayStale.workspace_id == workspace.id)) == 0
    assert again.recomputed >= marked and _rolled_days(db, workspace) == 89
    _check_exact(db, workspace)
