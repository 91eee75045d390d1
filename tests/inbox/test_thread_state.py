"""A conversation read as a thread: the latest customer message after the brand's last word
drives its priority and needs-reply; a closing message ends it, a follow-up keeps it urgent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import reply_factories
from ecoute.inbox.thread_state import Message, read_thread
from ecoute.ingest import IngestOptions, ingest
from ecoute.keep_time.deadlines import open_clocks
from ecoute.store import repo
from ecoute.store.models import Conversation, Mention
from factories import raw_item

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass
class Annotation:
    intent: str
    sentiment: str
    needs_reply: bool
    priority: int
    lang: str = "fr"
    sentiment_score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def details(self) -> dict[str, object]:
        return {}


# What the model says of each text, so the thread reading is what is tested.
READ = {
    "@velora_fr mon vélo est bloqué depuis ce matin, inadmissible": Annotation(
        "complaint", "negative", True, 70
    ),
    "Nous sommes désolés, un technicien vous rappelle.": Annotation("other", "neutral", False, 5),
    "C'est réglé, merci @velora_fr !": Annotation("praise", "positive", True, 15),
    "Toujours bloqué ce soir @velora_fr, personne n'a rappelé": Annotation("complaint", "negative", True, 80),
    "@velora_fr une question sur la garantie": Annotation("question", "neutral", True, 40),
    "Sympa la vidéo @velora_fr": Annotation("other", "positive", False, 4),
}


def annotate(items):  # type: ignore[no-untyped-def]
    return [READ[item.text] for item in items]


def _brand(db, workspace) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Velora", query="velora", handles=["velora_fr"])


def _ingest(db, workspace, *items) -> None:  # type: ignore[no-untyped-def]
    ingest(db, workspace, list(items), options=IngestOptions(annotate=annotate))


def _state(db, workspace, external_id: str = "1") -> tuple[Conversation, Mention]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        mention = session.scalar(
            select(Mention).where(Mention.workspace_id == workspace.id, Mention.external_id == external_id)
        )
        assert mention is not None
        conversation = session.get(Conversation, mention.conversation_id)
        assert conversation is not None
        return conversation, mention


def _complaint(minutes: int = 0):  # type: ignore[no-untyped-def]
    text = "@velora_fr mon vélo est bloqué depuis ce matin, inadmissible"
    return raw_item("1", text, author="camille", created_at=T0 + timedelta(minutes=minutes))


def _reply(external_id: str, text: str, minutes: int, author: str = "camille"):  # type: ignore[no-untyped-def]
    return raw_item(
        external_id,
        text,
        author=author,
        kind="reply",
        parent_id="1",
        thread_id="1",
        created_at=T0 + timedelta(minutes=minutes),
    )


def _answered_complaint(db, workspace) -> None:  # type: ignore[no-untyped-def]
    """A customer's complaint and the brand's answer from its own account."""
    _brand(db, workspace)
    answer = _reply("2", "Nous sommes désolés, un technicien vous rappelle.", 10, "velora_fr")
    _ingest(db, workspace, _complaint(), answer)


def test_thanks_after_the_brands_answer_close_the_conversation(db, workspace) -> None:  # type: ignore[no-untyped-def]
    _answered_complaint(db, workspace)
    conversation, _ = _state(db, workspace)
    assert (conversation.needs_reply, conversation.priority) == (False, 70)  # the brand spoke last

    _ingest(db, workspace, _reply("3", "C'est réglé, merci @velora_fr !", 60))

    conversation, closing = _state(db, workspace, "3")
    with db.session() as session:
        assert open_clocks(session, workspace.id, [conversation.id]) == []  # no deadline either
    assert (conversation.needs_reply, conversation.priority, conversation.top_mention_id) == (
        False,
        6,
        closing.id,
    )
    assert (conversation.intent, conversation.sentiment) == ("praise", "positive")
    assert (closing.needs_reply, closing.priority, closing.intent) == (False, 6, "praise")
    assert closing.reasons == ["le client dit que c'est réglé"]
    assert closing.analysis["thread"] == "closure"
    assert closing.analysis["model"] == {"intent": "praise", "needs_reply": True, "priority": 15}


def test_a_closing_message_does_not_reopen_a_resolved_conversation(db, workspace) -> None:  # type: ignore[no-untyped-def]
    _answered_complaint(db, workspace)
    with db.session() as session:
        conversation, _ = _state(db, workspace)
        session.get(Conversation, conversation.id).status = "resolved"  # type: ignore[union-attr]

    _ingest(db, workspace, _reply("3", "C'est réglé, merci @velora_fr !", 60))

    conversation, _ = _state(db, workspace)
    assert (conversation.status, conversation.needs_reply) == ("resolved", False)


def test_a_follow_up_after_the_teams_reply_keeps_the_conversation_urgent(db, workspace) -> None:  # type: ignore[no-untyped-def]
    _brand(db, workspace)
    _ingest(db, workspace, _complaint(minutes=-120))
    conversation, _ = _state(db, workspace)
    outcome = reply_factories.submit(db, workspace, conversation.id, "Nous regardons tout de suite.")
    assert outcome.reply.status in ("sent", "recorded")
    assert not _state(db, workspace)[0].needs_reply

    later = datetime.now(UTC) + timedelta(minutes=5)  # after the reply, whenever the test runs
    follow_up = "Toujours bloqué ce soir @velora_fr, personne n'a rappelé"
    _ingest(
        db,
        workspace,
        raw_item(
            "4", follow_up, author="camille", kind="reply", parent_id="1", thread_id="1", created_at=later
        ),
    )

    conversation, follow = _state(db, workspace, "4")
    with db.session() as session:
        (clock,) = open_clocks(session, workspace.id, [conversation.id])
    assert clock.clock.priority == 80  # the first-response deadline of an urgent conversation
    assert (conversation.needs_reply, conversation.priority, conversation.top_mention_id) == (
        True,
        80,
        follow.id,
    )


def test_a_manual_no_reply_needed_holds_when_a_message_needing_none_arrives(db, workspace) -> None:  # type: ignore[no-untyped-def]
    _brand(db, workspace)
    _ingest(db, workspace, raw_item("1", "@velora_fr une question sur la garantie", author="camille"))
    with db.session() as session:
        conversation, _ = _state(db, workspace)
        session.get(Conversation, conversation.id).needs_reply = False  # type: ignore[union-attr]

    _ingest(db, workspace, _reply("2", "Sympa la vidéo @velora_fr", 30))

    assert _state(db, workspace)[0].needs_reply is False


def _message(
    id: int, minutes: int, speaker: str, text: str, intent: str, priority: int, needs: bool = True
) -> Message:
    return Message(id, T0 + timedelta(minutes=minutes), speaker, needs, priority, intent, "neutral", text)


def test_a_thanks_alone_is_not_read_as_closing_anything() -> None:
    alone = read_thread([_message(1, 0, "customer", "Merci pour tout !", "praise", 20)])
    assert alone is not None and (alone.needs_reply, alone.closing) == (True, None)


def test_heard_posts_never_drive_a_conversation_with_a_customer() -> None:
    state = read_thread(
        [
            _message(1, 0, "competitor", "Chez nous ça marche", "other", 38, needs=False),
            _message(2, 5, "customer", "@velora_fr une question sur la garantie", "question", 30),
        ]
    )
    assert state is not None and (state.top, state.needs_reply, state.priority) == (2, True, 30)


def test_a_customer_back_after_the_brands_last_word_is_as_urgent_as_ever() -> None:
    state = read_thread(
        [
            _message(1, 0, "customer", "Vélo bloqué", "complaint", 90),
            _message(
                2, 10, "customer", "Je suis passée, personne n'était au courant.", "other", 3, needs=False
            ),
        ],
        brand_spoke_at=T0 + timedelta(minutes=5),
    )
    assert state is not None and (state.top, state.priority, state.needs_reply, state.latest) == (
        1,
        90,
        True,
        2,
    )


def test_a_remark_asking_for_nothing_after_the_brands_answer_needs_no_reply() -> None:
    state = read_thread(
        [
            _message(1, 0, "customer", "Vélo bloqué", "complaint", 90),
            _message(2, 10, "customer", "Ok, je regarde ce soir", "other", 3, needs=False),
        ],
        brand_spoke_at=T0 + timedelta(minutes=5),
    )
    assert state is not None and (state.top, state.priority, state.needs_reply) == (2, 3, False)


def test_only_the_customer_whose_matter_it_is_can_close_it() -> None:
    complaint = Message(1, T0, "customer", True, 90, "complaint", "negative", "Vélo bloqué", author=7)
    bystander = Message(
        2, T0 + timedelta(minutes=5), "customer", False, 8, "praise", "positive", "Réglé, merci", author=8
    )
    owner = Message(
        3, T0 + timedelta(minutes=9), "customer", True, 20, "praise", "positive", "Réglé, merci", author=7
    )

    by_someone_else = read_thread([complaint, bystander])
    assert by_someone_else is not None and (by_someone_else.closing, by_someone_else.needs_reply) == (
        None,
        True,
    )
    by_the_customer = read_thread([complaint, bystander, owner])
    assert by_the_customer is not None and (by_the_customer.closing, by_the_customer.priority) == (3, 8)
