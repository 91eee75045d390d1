"""Rules applied on ingest through the real ingest path, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

import inbox_factories
from ecoute.inbox import rule_admin
from ecoute.inbox.moderation import set_hidden
from ecoute.inbox.rule_engine import apply_rules, rules_hook
from ecoute.inbox.rules import load_compiled, validate_spec
from ecoute.ingest import IngestOptions, compose_hooks, ingest
from ecoute.store import repo
from ecoute.store.models import AuditEvent, Conversation, ConversationTag, Mention, Tag
from ecoute.store.people import Rule, RuleHit
from ecoute.store.repo import Invalid
from factories import raw_item


@dataclass
class Labels:
    """What the analysis engine would say: read from the text so each test decides."""

    lang: str | None = "fr"
    sentiment: str | None = "neutral"
    sentiment_score: float | None = 0.0
    intent: str | None = "other"
    needs_reply: bool | None = False
    priority: int | None = 10
    reasons: list[str] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {}


def annotate(items):
    labels = []
    for item in items:
        if "colis" in item.text:
            labels.append(Labels(sentiment="negative", intent="complaint", needs_reply=True, priority=60))
        elif "en DM" in item.text:  # spam the analysis misreads, as it once did in the demo
            labels.append(Labels(sentiment="negative", intent="complaint", needs_reply=True, priority=82))
        elif "merci" in item.text:
            labels.append(Labels(sentiment="positive", intent="praise", priority=15))
        else:
            labels.append(Labels(lang="en" if "hello" in item.text else "fr"))
    return labels


def add_rule(db, workspace, **spec):
    spec.setdefault("name", "rule")
    with db.session() as session:
        return rule_admin.create_rule(session, workspace.id, validate_spec(spec), actor="test")


def run(db, workspace, *items, hook=None):
    options = IngestOptions(annotate=annotate, after_store=hook or rules_hook(), batch_size=50)
    return ingest(db, workspace, list(items), options=options)


def conversation_of(db, workspace, external_id):
    with db.session() as session:
        mention = session.scalar(
            select(Mention).where(Mention.workspace_id == workspace.id, Mention.external_id == external_id)
        )
        conversation = session.get(Conversation, mention.conversation_id)
        tags = session.scalars(
            select(Tag.name)
            .join(ConversationTag, ConversationTag.tag_id == Tag.id)
            .where(ConversationTag.conversation_id == conversation.id)
            .order_by(Tag.name)
        ).all()
        return conversation, list(tags), mention


def test_a_rule_tags_and_assigns_the_conversations_it_matches(db, workspace):
    agent = inbox_factories.user(db, workspace, "agent")
    add_rule(
        db, workspace, name="Colis", conditions={"intent": ["complaint"], "keywords": "colis OR livraison"},
        actions=[{"type": "tag", "tag": "livraison"}, {"type": "assign", "user_id": agent.id}],
    )  # fmt: skip

    run(
        db,
        workspace,
        raw_item("1", "Mon colis est perdu", author="marie"),
        raw_item("2", "Bonjour", author="paul"),
    )

    matched, tags, _ = conversation_of(db, workspace, "1")
    other, other_tags, _ = conversation_of(db, workspace, "2")
    assert (tags, matched.assignee_id) == (["livraison"], agent.id)
    assert (other_tags, other.assignee_id) == ([], None)


def test_close_as_spam_resolves_and_tags_and_keeps_the_mention(db, workspace):
    add_rule(db, workspace, name="Spam", conditions={"keywords": "crypto OR casino"},
             actions=[{"type": "close_spam"}])  # fmt: skip

    run(db, workspace, raw_item("1", "Gagnez au casino en ligne, méthode en DM", author="bot"))

    conversation, tags, mention = conversation_of(db, workspace, "1")
    assert (conversation.status, tags, mention.hidden) == ("resolved", ["spam"], False)
    assert conversation.needs_reply is False  # out of the reply queue and the response metrics


def test_spam_stays_closed_and_a_real_question_opens_it_again(db, workspace):
    add_rule(db, workspace, name="Spam", conditions={"keywords": "crypto OR casino"},
             actions=[{"type": "close_spam"}])  # fmt: skip
    run(db, workspace, raw_item("1", "Gagnez au casino en ligne", author="bot"))

    run(db, workspace, raw_item("2", "Le marché crypto explose, méthode en DM", author="bot"))
    again, _, _ = conversation_of(db, workspace, "2")
    assert (again.status, again.needs_reply) == ("resolved", False)

    run(db, workspace, raw_item("3", "Bonjour, mon colis 4412 n'est toujours pas arrivé", author="bot"))
    reopened, tags, _ = conversation_of(db, workspace, "3")
    assert (reopened.id, reopened.status, reopened.needs_reply) == (again.id, "open", True)
    assert tags == ["spam"]  # the tag stays: an agent decides whether it was one


def customer_thread_with_spam(db, workspace):
    """Marie's complaint (priority 60) and, in her thread, spam the analysis misreads (82)."""
    run(
        db,
        workspace,
        raw_item("1", "Mon colis n'est jamais arrivé", author="marie", thread_id="1"),
        raw_item("2", "Gagnez au casino en ligne, méthode en DM", author="bot", parent_id="1", thread_id="1"),
    )


def test_spam_in_a_customers_thread_is_hidden_and_the_customers_matter_stays_open(db, workspace):
    add_rule(db, workspace, name="Spam", conditions={"keywords": "crypto OR casino"},
             actions=[{"type": "close_spam"}])  # fmt: skip
    customer_thread_with_spam(db, workspace)

    thread, tags, customer = conversation_of(db, workspace, "1")
    _, _, spam = conversation_of(db, workspace, "2")
    with db.session() as session:
        audit = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target_id).where(
                AuditEvent.workspace_id == workspace.id, AuditEvent.action == "mention.hide"
            )
        ).all()
    assert spam.conversation_id == thread.id
    assert (thread.status, thread.needs_reply, tags) == ("new", True, [])  # Marie still needs an answer
    assert (spam.hidden, customer.hidden) == (True, False)
    # The spam (priority 82 as read) no longer drives the thread: Marie's message (60) does.
    assert (thread.priority, thread.top_mention_id) == (60, customer.id)
    assert [(actor.split(":")[0], action, target) for actor, action, target in audit] == [
        ("rule", "mention.hide", str(spam.id))
    ]


def test_hiding_a_message_by_hand_reads_the_thread_again_and_showing_it_again_too(db, workspace):
    customer_thread_with_spam(db, workspace)
    _, _, spam = conversation_of(db, workspace, "2")

    def flip(hidden: bool) -> tuple[int, int, bool]:
        with db.session() as session:
            set_hidden(session, workspace.id, spam.id, hidden, actor="user:1:admin@example.org")
        thread, _, _ = conversation_of(db, workspace, "1")
        return thread.priority, thread.top_mention_id, thread.needs_reply

    customer = conversation_of(db, workspace, "1")[2].id
    assert flip(True) == (60, customer, True)
    assert flip(False) == (82, spam.id, True)


def test_author_reach_and_verified_conditions(db, workspace):
    add_rule(db, workspace, name="Influence", conditions={"min_followers": 10_000, "verified": True},
             actions=[{"type": "set_priority", "priority": 95}])  # fmt: skip

    run(
        db,
        workspace,
        raw_item("1", "Bonjour", author="star", author_followers=48_000, author_verified=True),
        raw_item("2", "Bonjour", author="small", author_followers=48_000, author_verified=False),
        raw_item("3", "Bonjour", author="nobody", author_verified=True),
    )

    priorities = [conversation_of(db, workspace, n)[0].priority for n in ("1", "2", "3")]
    star, _, mention = conversation_of(db, workspace, "1")
    assert priorities == [95, 10, 10]
    assert (mention.priority, star.top_mention_id) == (95, mention.id)


def test_language_platform_and_brand_conditions(db, workspace):
    with db.session() as session:
        rival = repo.add_brand(session, workspace.id, "Cyclia", query="cyclia")
    add_rule(db, workspace, name="Rival EN", conditions={"language": ["en"], "platforms": ["reddit"],
             "brand_ids": [rival.id]}, actions=[{"type": "tag", "tag": "veille"}])  # fmt: skip

    run(
        db,
        workspace,
        raw_item("1", "hello cyclia", platform="reddit", author="a"),
        raw_item("2", "hello cyclia", platform="x", author="b"),
        raw_item("3", "bonjour cyclia", platform="reddit", author="c"),
        raw_item("4", "hello there", platform="reddit", author="d"),
    )

    assert [conversation_of(db, workspace, n)[1] for n in ("1", "2", "3", "4")] == [["veille"], [], [], []]


def test_rules_run_in_order_and_the_first_one_sets_the_priority(db, workspace):
    add_rule(db, workspace, name="first", conditions={"intent": ["complaint"]},
             actions=[{"type": "set_priority", "priority": 90}, {"type": "tag", "tag": "a"}])  # fmt: skip
    add_rule(db, workspace, name="second", conditions={"sentiment": ["negative"]},
             actions=[{"type": "set_priority", "priority": 20}, {"type": "tag", "tag": "b"}])  # fmt: skip

    run(db, workspace, raw_item("1", "colis perdu", author="marie"))

    conversation, tags, _ = conversation_of(db, workspace, "1")
    assert (conversation.priority, tags) == (90, ["a", "b"])


def test_hits_are_counted_once_per_rule_and_mention_and_disabled_rules_do_not_fire(db, workspace):
    counted = add_rule(db, workspace, name="complaints", conditions={"intent": ["complaint"]},
                       actions=[{"type": "tag", "tag": "plainte"}])  # fmt: skip
    off = add_rule(db, workspace, name="off", enabled=False, conditions={"intent": ["complaint"]},
                   actions=[{"type": "tag", "tag": "jamais"}])  # fmt: skip

    run(db, workspace, raw_item("1", "colis perdu", author="a"), raw_item("2", "colis cassé", author="b"))
    with db.session() as session:
        ids = list(session.scalars(select(Mention.id).where(Mention.workspace_id == workspace.id)))
        again = apply_rules(session, workspace.id, ids, load_compiled(session, workspace.id))

    with db.session() as session:
        rule = session.get(Rule, counted.id)
        disabled = session.get(Rule, off.id)
        hits = session.scalars(select(RuleHit.rule_id).where(RuleHit.workspace_id == workspace.id)).all()
    assert (rule.hits, disabled.hits, again, hits) == (2, 0, 0, [counted.id, counted.id])
    assert rule.last_hit_at is not None


def test_a_rule_never_takes_a_conversation_away_from_its_assignee(db, workspace):
    first = inbox_factories.user(db, workspace, "agent")
    second = inbox_factories.user(db, workspace, "agent")
    run(db, workspace, raw_item("1", "colis perdu", author="marie"))
    with db.session() as session:
        conversation = conversation_of(db, workspace, "1")[0]
        session.get(Conversation, conversation.id).assignee_id = first.id
    add_rule(db, workspace, name="to second", conditions={"intent": ["complaint"]},
             actions=[{"type": "assign", "user_id": second.id}])  # fmt: skip

    run(db, workspace, raw_item("2", "colis toujours perdu", author="marie"))

    assert conversation_of(db, workspace, "2")[0].assignee_id == first.id


def test_the_hook_sees_a_rule_edited_between_batches(db, workspace):
    hook = rules_hook()
    rule = add_rule(
        db, workspace, name="r", conditions={"keywords": "alpha"}, actions=[{"type": "tag", "tag": "t"}]
    )
    run(db, workspace, raw_item("1", "alpha", author="a"), hook=hook)
    with db.session() as session:
        spec = validate_spec(
            {"name": "r", "conditions": {"keywords": "beta"}, "actions": [{"type": "tag", "tag": "t"}]}
        )
        rule_admin.update_rule(session, workspace.id, rule.id, spec, actor="test")

    run(db, workspace, raw_item("2", "alpha", author="b"), raw_item("3", "beta", author="c"), hook=hook)

    assert [conversation_of(db, workspace, n)[1] for n in ("1", "2", "3")] == [["t"], [], ["t"]]


def test_hooks_compose_in_order(db, workspace):
    calls = []
    add_rule(db, workspace, name="spam", conditions={"keywords": "casino"}, actions=[{"type": "close_spam"}])

    def after(session, workspace_id, mention_ids):
        status = session.scalar(select(Conversation.status).where(Conversation.workspace_id == workspace_id))
        calls.append((len(mention_ids), status))

    run(db, workspace, raw_item("1", "casino", author="a"), hook=compose_hooks(rules_hook(), None, after))

    assert calls == [(1, "resolved")]
    assert compose_hooks(None, None) is None


def test_rules_of_another_workspace_never_apply(db, workspace, other_workspace):
    add_rule(
        db, other_workspace, name="theirs", conditions={"keywords": "colis"}, actions=[{"type": "close_spam"}]
    )

    run(db, workspace, raw_item("1", "colis perdu", author="a"))

    assert conversation_of(db, workspace, "1")[0].status == "new"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "x", "conditions": {}, "actions": [{"type": "close_spam"}]}, "at least one condition"),
        ({"name": "x", "conditions": {"keywords": "(colis"}, "actions": [{"type": "close_spam"}]}, "posit"),
        ({"name": "x", "conditions": {"intent": ["angry"]}, "actions": [{"type": "close_spam"}]}, "intent"),
        ({"name": "x", "conditions": {"intent": ["praise"]}, "actions": []}, "actions"),
        ({"name": "x", "conditions": {"intent": ["praise"]}, "actions": [{"type": "explode"}]}, "actions.0"),
        ({"name": "x", "conditions": {"intent": ["praise"]},
          "actions": [{"type": "set_priority", "priority": 101}]}, "priority"),
    ],
)  # fmt: skip
def test_a_bad_rule_is_refused_with_a_readable_reason(spec, message):
    with pytest.raises(Invalid, match=message):
        validate_spec(spec)
