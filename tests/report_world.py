"""A workspace with a brand, its competitor, a week of mentions about them and an alert, plus a
second workspace whose secrets must never reach a report of the first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import inbox_factories
from ecoute.store import repo
from ecoute.store.models import Brand, Mention, MentionBrand, Workspace
from ecoute.warn.models import Alert

FIRST, LAST = date(2026, 10, 2), date(2026, 10, 8)  # Paris days
OTHER_SECRET = "Globex confidential launch"


@dataclass(frozen=True)
class World:
    ours: Brand
    rival: Brand
    mentions: dict[str, int]  # name -> mention id
    alert_id: int


def _mention(db, workspace: Workspace, at: datetime, brand: Brand | None, **fields) -> int:
    sentiment = fields.pop("sentiment", "negative")
    conv = inbox_factories.conversation(
        db, workspace, sentiment=sentiment, text=fields.pop("text", "Bonjour")
    )
    with db.session() as session:
        mention = session.query(Mention).filter(Mention.conversation_id == conv.id).one()
        mention.created_at = at
        for name, value in fields.items():
            setattr(mention, name, value)
        if brand is not None:
            session.add(MentionBrand(mention_id=mention.id, brand_id=brand.id, workspace_id=workspace.id))
        return mention.id


def build(db, workspace: Workspace, other: Workspace) -> World:
    with db.session() as session:
        ours = repo.add_brand(session, workspace.id, "Cyclune")
        rival = repo.add_brand(session, workspace.id, "Kipwatt", competitor_of="Cyclune")
        theirs = repo.add_brand(session, other.id, "Globex")
    day = datetime(2026, 10, 8, 8, 0, tzinfo=UTC)
    made = {
        "angry": _mention(db, workspace, day, ours, text="Le verrou Cyclune est en panne depuis hier",
                          likes=50, shares=5, sentiment_score=-0.9),
        "happy": _mention(db, workspace, datetime(2026, 10, 7, 9, tzinfo=UTC), ours, sentiment="positive",
                          platform="mastodon", text="Cyclune répare vite", likes=3, sentiment_score=0.8),
        "rival": _mention(db, workspace, datetime(2026, 10, 6, 9, tzinfo=UTC), rival,
                          text="=HYPERLINK(\"http://evil.example\") Kipwatt déçoit", sentiment_score=-0.3),
        "before": _mention(db, workspace, datetime(2026, 9, 28, 9, tzinfo=UTC), rival, sentiment="positive"),
        "hidden": _mention(db, workspace, day, ours, text="Message masqué Cyclune", hidden=True, likes=900),
        "theirs": _mention(db, other, day, theirs, text=OTHER_SECRET, likes=5000),
    }  # fmt: skip
    with db.session() as session:
        alert = Alert(
            workspace_id=workspace.id,
            kind="volume",
            subject="",
            details={},
            started_at=datetime(2026, 10, 7, 6, tzinfo=UTC),
            peak_at=datetime(2026, 10, 7, 8, tzinfo=UTC),
            ended_at=datetime(2026, 10, 7, 12, tzinfo=UTC),
            observed=40,
            expected=4.2,
            peak_z=6.0,
        )
        elsewhere = Alert(
            workspace_id=other.id,
            kind="negative_share",
            subject="",
            details={},
            started_at=day,
            peak_at=day,
            observed=9,
            expected=1,
            peak_z=5.0,
        )
        session.add_all([alert, elsewhere])
        session.flush()
        return World(ours, rival, made, alert.id)  # fmt: skip
