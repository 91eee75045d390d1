"""Impersonators among a workspace's authors, on a real database: a look-alike of the brand that
answers the brand's customers is flagged once, with its reasons and the people it answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ecoute.store import repo
from ecoute.store.models import Author, Conversation, Mention, MentionBrand
from ecoute.warn.impersonators import scan_authors
from ecoute.warn.models import Alert

AT = datetime(2026, 10, 3, 8, 0, tzinfo=UTC)


def _post(session, workspace, author, external_id, text, *, parent=None, brand=None, minutes=0):
    conversation = Conversation(
        workspace_id=workspace.id, key=f"x:imp:{external_id}", platform="x", author_id=author.id,
        status="new", priority=50, needs_reply=True, mention_count=1, first_mention_at=AT, last_mention_at=AT,
    )  # fmt: skip
    session.add(conversation)
    session.flush()
    mention = Mention(
        workspace_id=workspace.id, conversation_id=conversation.id, author_id=author.id, platform="x",
        external_id=external_id, text=text, created_at=AT + timedelta(minutes=minutes),
        parent_external_id=parent,
    )  # fmt: skip
    session.add(mention)
    session.flush()
    if brand is not None:
        session.add(MentionBrand(mention_id=mention.id, brand_id=brand.id, workspace_id=workspace.id))
    return mention


def _author(session, workspace, handle, name="", followers=100, verified=False):
    author = Author(workspace_id=workspace.id, platform="x", handle=handle, display_name=name,
                    followers=followers, verified=verified)  # fmt: skip
    session.add(author)
    session.flush()
    return author


def test_a_look_alike_answering_the_brands_customers_is_flagged_once(db, workspace):
    with db.session() as session:
        brand = repo.add_brand(session, workspace.id, "Cyclune", handles=["cyclune_fr", "cyclune_aide"])
        repo.add_brand(session, workspace.id, "Kipwatt", competitor_of="Cyclune", handles=["kipwatt"])
        customer = _author(session, workspace, "virgile_b", "Virgile")
        fake = _author(
            session, workspace, "cyclune_service_client", "Cyclune Service Client ✅", followers=214
        )
        own = _author(session, workspace, "cyclune_aide", "Cyclune Aide", followers=9000, verified=True)
        rival = _author(session, workspace, "kipwatt_support", "Kipwatt Support")
        fan = _author(session, workspace, "marie_velo", "Marie")
        _post(session, workspace, customer, "1", "@cyclune_fr ma batterie ne charge plus", brand=brand)
        _post(session, workspace, fake, "2", "@virgile_b lisez le manuel", parent="1", minutes=5)
        _post(session, workspace, own, "3", "@virgile_b nous regardons", parent="1", minutes=6)
        _post(session, workspace, rival, "4", "@virgile_b venez chez nous", parent="1", minutes=7)
        _post(session, workspace, fan, "5", "J'adore mon Cyclune", brand=brand, minutes=8)

    now = AT + timedelta(days=1)
    with db.session() as session:
        first = scan_authors(session, workspace.id, now)
        flagged = [(a.subject, a.details["contacted"], a.details["brand"]) for a in first]
    with db.session() as session:
        scan_authors(session, workspace.id, now)
        alerts = session.scalars(select(Alert).where(Alert.workspace_id == workspace.id)).all()

    assert flagged == [("x:cyclune_service_client", ["virgile_b"], "Cyclune")]
    assert len(alerts) == 1 and alerts[0].kind == "impersonation" and alerts[0].observed == 1
    reasons = alerts[0].details["reasons"]
    assert "replied to 1 person who tagged the brand" in reasons["en"]
    assert "a répondu à 1 personne qui a cité la marque" in reasons["fr"]
    assert "only 214 followers" in reasons["en"] and alerts[0].details["score"] >= 0.6


def test_a_workspace_without_brands_of_its_own_flags_nobody(db, workspace, other_workspace):
    with db.session() as session:
        repo.add_brand(session, other_workspace.id, "Cyclune", handles=["cyclune_fr"])
        _author(session, workspace, "cyclune_service_client", "Cyclune Service Client")
    with db.session() as session:
        assert scan_authors(session, workspace.id, AT) == []
        assert scan_authors(session, other_workspace.id, AT) == []  # its brand, but not its authors
