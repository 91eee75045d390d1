"""The bundled demo: a realistic workspace that loads offline through the one ingest path."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ecoute import demo
from ecoute.ingest import ingest
from ecoute.sources.base import RawItem
from ecoute.store import repo
from ecoute.store.models import Brand, Conversation, Mention, MentionBrand

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_demo_set_is_large_varied_and_written_for_the_demo():
    items = [i for i in demo.demo_items(NOW) if isinstance(i, RawItem)]
    languages = Counter(i.language for i in items)
    platforms = Counter(i.platform for i in items)
    dates = sorted(datetime.fromisoformat(str(i.created_at)) for i in items)

    assert len(items) == demo.count() >= 300
    assert languages["fr"] > languages["en"] > 50
    assert len(platforms) >= 6
    assert dates[-1] == NOW - demo.NEWEST_AGE
    assert dates[-1] - dates[0] > timedelta(weeks=4)
    assert sum(1 for i in items if i.parent_id) >= 20


def test_demo_loads_brand_competitors_threads_and_a_burst(db):
    setup = demo.setup_workspace(db)
    again = demo.setup_workspace(db)

    report = ingest(db, setup.workspace, demo.demo_items(NOW))
    rerun = ingest(db, setup.workspace, demo.demo_items(NOW))

    with db.session() as session:
        ws = setup.workspace.id
        rows = session.execute(
            select(Brand.name, func.count())
            .join(MentionBrand, MentionBrand.brand_id == Brand.id)
            .where(Brand.workspace_id == ws)
            .group_by(Brand.name)
        )
        per_brand = {name: count for name, count in rows}
        threads = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.workspace_id == ws, Conversation.mention_count >= 3)
        )
        days = Counter(
            d.date() for d in session.scalars(select(Mention.created_at).where(Mention.workspace_id == ws))
        )
        brands = repo.list_brands(session, ws)
    assert (again.created, setup.created) == (False, True)
    assert (report.stored, report.rejected, rerun.stored, rerun.duplicates) == (
        demo.count(),
        [],
        0,
        demo.count(),
    )
    assert [b.name for b in brands if b.competitor_of_id is None] == setup.brands
    assert all(per_brand[name] > 10 for name in setup.brands + setup.competitors)
    assert threads >= 6
    assert max(days.values()) >= 3 * (sum(days.values()) / len(days))  # the burst of complaints
