"""Upgrading clears ``needs_reply`` on the conversations a rule closed as spam before the rule did
so itself: resolved, tagged ``spam``, never answered. Anything else keeps its flag."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select

from ecoute.store import repo
from ecoute.store.db import Database, alembic_config, make_engine
from ecoute.store.models import Conversation, ConversationTag, Reply, Tag

AT = datetime(2026, 10, 13, 12, 0, tzinfo=UTC)


def test_spam_closed_before_the_rule_cleared_it_needs_no_reply_after_upgrading(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine)
    command.upgrade(config, "oauth_choices")
    db = Database(engine)
    with db.session() as session:
        ws = repo.create_workspace(session, "acme", "Acme")
        other = repo.create_workspace(session, "other", "Other")

        def conversation(workspace_id: int, key: str, status: str, tag: str | None, sent: bool) -> int:
            row = Conversation(workspace_id=workspace_id, key=key, platform="x", status=status,
                               needs_reply=True, first_mention_at=AT, last_mention_at=AT)  # fmt: skip
            session.add(row)
            session.flush()
            if tag:
                named_here = (Tag.workspace_id == workspace_id, Tag.name == tag)
                tag_id = session.scalar(select(Tag.id).where(*named_here))
                if tag_id is None:
                    named = Tag(workspace_id=workspace_id, name=tag)
                    session.add(named)
                    session.flush()
                    tag_id = named.id
                session.add(ConversationTag(workspace_id=workspace_id, conversation_id=row.id, tag_id=tag_id))
            if sent:
                session.add(Reply(workspace_id=workspace_id, conversation_id=row.id, text="Bonjour",
                                  status="sent", idempotency_key=key, sent_at=AT))  # fmt: skip
            session.flush()
            return row.id

        spam = conversation(ws.id, "x:author:cryptoking", "resolved", "spam", sent=False)
        answered_spam = conversation(ws.id, "x:author:answered", "resolved", "spam", sent=True)
        open_spam = conversation(ws.id, "x:author:still_open", "open", "spam", sent=False)
        other_tag = conversation(ws.id, "x:author:resolved_other", "resolved", "livraison", sent=False)
        elsewhere = conversation(other.id, "x:author:cryptoking", "resolved", "spam", sent=False)

    command.upgrade(config, "head")
    with db.session() as session:
        flags = dict(session.execute(select(Conversation.id, Conversation.needs_reply)).all())
    engine.dispose()

    assert flags == {spam: False, answered_spam: True, open_spam: True, other_tag: True, elsewhere: False}
