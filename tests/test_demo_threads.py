"""The demo read as threads: a customer's "all sorted" after the team's reply, a repost of the
brand's own update, a competitor's jab and the press articles wait for no reply."""

from __future__ import annotations

from sqlalchemy import select

from demo_world import load_demo
from ecoute.respond.composer_data import composer_data
from ecoute.store.db import Database
from ecoute.store.models import Conversation, Mention

CLOSING = "4006979850977444790"  # "Bilan : Orbite débloquée… Je garde mon vélo", after the team's reply
REPOST = "2108197042518620968"  # "RT @cyclune_fr: Point 14h : certificat renouvelé…"
JAB = "2108147507789740159"  # the competitor's own post about the outage


def _read(db: Database, external_id: str) -> tuple[Mention, Conversation]:
    with db.session() as session:
        mention = session.scalar(select(Mention).where(Mention.external_id == external_id))
        assert mention is not None and mention.conversation_id is not None
        conversation = session.get(Conversation, mention.conversation_id)
        assert conversation is not None
        return mention, conversation


def test_the_demo_threads_follow_their_latest_message(db: Database) -> None:
    workspace = load_demo(db)

    closing, conversation = _read(db, CLOSING)
    assert (conversation.needs_reply, conversation.top_mention_id) == (False, closing.id)
    assert conversation.priority < 35 and conversation.intent == "praise"
    with db.session() as session:
        composed = composer_data(
            session, workspace, session.get(Conversation, conversation.id), agent_name=None
        )
        assert composed is not None and composed.mention.id == closing.id
        assert all(draft.strategy.startswith("thanks") for draft in composed.drafts)

    for external_id in (REPOST, JAB):
        mention, conversation = _read(db, external_id)
        assert (mention.needs_reply, mention.intent) == (False, "other")
        assert (conversation.needs_reply, conversation.intent) == (False, "other")
        assert conversation.priority < 40

    with db.session() as session:
        articles = list(session.scalars(select(Mention).where(Mention.platform == "rss")))
        assert len(articles) >= 5
        assert not any(a.needs_reply or a.intent == "complaint" for a in articles)
        assert all(a.analysis["speaker"] == "press" for a in articles)
