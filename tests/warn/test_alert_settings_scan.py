"""The workspace's alert settings change what the scan raises: its sensitivity (the detectors'
target rate and floors), the detectors it runs, and the terms it mutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ecoute.store.models import Author, Conversation, Mention, Workspace
from ecoute.warn import preferences
from ecoute.warn.models import Alert
from ecoute.warn.scan import scan_workspace
from scan_world import NOW, START, seed

BURST = START + timedelta(days=9, hours=15)


def _set(db, workspace, **changes) -> None:
    with db.session() as session:
        preferences.update(
            session, session.get(Workspace, workspace.id), changes, secret_key="k" * 32, actor="t"
        )


def _add(db, workspace, at, texts: list[str], prefix: str, sentiment: str = "neutral") -> None:
    """One post per text, each by its own author, a minute apart from ``at``."""
    with db.session() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.workspace_id == workspace.id))
        for n, text in enumerate(texts):
            author = Author(workspace_id=workspace.id, platform="x", handle=f"{prefix}{n}")
            session.add(author)
            session.flush()
            session.add(
                Mention(
                    workspace_id=workspace.id, conversation_id=conversation.id, author_id=author.id,
                    platform="x", external_id=f"{prefix}-{n}", text=text, sentiment=sentiment,
                    created_at=at + timedelta(minutes=n % 60),
                )
            )  # fmt: skip


def _volume_at_burst(db, workspace) -> bool:
    with db.session() as session:
        starts = session.scalars(
            select(Alert.started_at).where(Alert.workspace_id == workspace.id, Alert.kind == "volume")
        ).all()
    return BURST in starts


@pytest.mark.parametrize(("sensitivity", "raised"), [("quiet", False), ("sensitive", True)])
def test_sensitivity_sets_how_large_a_spike_raises_an_alert(db, workspace, sensitivity, raised):
    seed(db, workspace, outage=False)
    _add(db, workspace, BURST, ["Cyclune"] * 28, "burst")  # about 36 in the hour where 8 are usual
    _set(db, workspace, sensitivity=sensitivity)
    scan_workspace(db, workspace.id, now=NOW)
    assert _volume_at_burst(db, workspace) is raised


def test_a_detector_turned_off_raises_nothing(db, workspace):
    seed(db, workspace, outage=True)
    _set(db, workspace, detectors=["negative_share"])
    kinds = {a.kind for a in scan_workspace(db, workspace.id, now=NOW)}
    assert kinds == {"negative_share"}


def test_a_rising_hashtag_raises_a_term_alert_until_it_is_muted(db, workspace, other_workspace):
    words = ("livraison", "batterie", "atelier", "merci", "vélo", "appli", "prix", "boutique", "cargo")
    for ws in (workspace, other_workspace):
        seed(db, ws, outage=False)
        usual = [f"Cyclune {words[n % 9]} {words[(n * 3 + 1) % 9]}" for n in range(80)]
        for day in range(1, 7):
            _add(db, ws, NOW - timedelta(days=day, hours=4), usual, f"usual{ws.id}-{day}-")
        _add(db, ws, NOW - timedelta(hours=3), ["Toujours en panne #CycluneFail"] * 12, f"angry{ws.id}-")
    _set(db, workspace, muted_terms=["#cyclunefail"])

    theirs = scan_workspace(db, other_workspace.id, now=NOW)
    mine = scan_workspace(db, workspace.id, now=NOW)

    raised = {a.subject: a for a in theirs if a.kind == "term"}
    assert raised["term:#cyclunefail"].details["authors"] == 12
    assert raised["term:#cyclunefail"].details["authors_before"] == 0
    assert "term:panne" in {a.subject for a in mine}  # other rising words still raise alerts
    assert "term:#cyclunefail" not in {a.subject for a in mine}
