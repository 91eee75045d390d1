"""A workspace's mentions for the spike scan's tests: ten days of ordinary traffic, with or
without a two-hour outage (every mention negative) on the tenth day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from ecoute.store.models import Author, Conversation, Mention

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
OUTAGE = START + timedelta(days=9, hours=14)
NOW = START + timedelta(days=10)


def seed(db, workspace, outage: bool) -> None:
    rng = np.random.default_rng(workspace.id)
    with db.session() as session:
        author = Author(workspace_id=workspace.id, platform="x", handle=f"fan{workspace.id}")
        session.add(author)
        session.flush()
        conversation = Conversation(
            workspace_id=workspace.id, key=f"x:scan:{workspace.id}", platform="x", author_id=author.id,
            status="new", priority=50, needs_reply=False, mention_count=0, first_mention_at=START,
            last_mention_at=NOW,
        )  # fmt: skip
        session.add(conversation)
        session.flush()
        mentions = []
        for hour in range(10 * 24):
            at = START + timedelta(hours=hour)
            burst = outage and OUTAGE <= at < OUTAGE + timedelta(hours=2)
            count = 120 if burst else int(rng.poisson(8))
            for index in range(count):
                negative = burst or rng.random() < 0.1
                mentions.append(
                    Mention(
                        workspace_id=workspace.id, conversation_id=conversation.id, author_id=author.id,
                        platform="x", external_id=f"{hour}-{index}", text="Cyclune",
                        created_at=at + timedelta(minutes=index % 60),
                        sentiment="negative" if negative else "neutral",
                    )
                )  # fmt: skip
        session.add_all(mentions)
