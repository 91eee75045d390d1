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


BOT_REPOST = "2108085427896685836"  # "RT @lea_dbx: 8h, devant l'école de ma fille…", by a news bot
TIP = "2095909946389511970"  # "Paris tip: … rent a @cyclune_fr e-bike … without the leg burn 😅"
BRAND_UPDATE = "2108108915997333125"  # the brand's post about the outage, answered by several customers
UNDER_IT = ("2108109872300057911", "2108110669218138913", "2108112988665584776")  # Léa, Flo, Ian


def test_the_top_of_the_demo_inbox_is_customers_waiting(db: Database) -> None:
    load_demo(db)

    mention, conversation = _read(db, BOT_REPOST)
    assert (mention.needs_reply, mention.analysis["speaker"]) == (False, "repost")
    assert not conversation.needs_reply

    mention, conversation = _read(db, TIP)
    assert not any("burn" in reason for reason in mention.reasons)
    assert mention.intent == "praise" and mention.priority < 40  # was a complaint at 89

    update, brands = _read(db, BRAND_UPDATE)
    customers = [_read(db, external_id) for external_id in UNDER_IT]
    assert len({conversation.id for _, conversation in customers} | {brands.id}) == 4
    assert not brands.needs_reply
    with db.session() as session:
        for mention, conversation in customers:
            assert conversation.author_id == mention.author_id  # listed under the customer, not the brand
            assert session.get(Conversation, conversation.id).top_mention_id == mention.id
