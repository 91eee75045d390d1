"""The inbox query layer: priority order, filters, full-text search and signed cursors."""

from datetime import timedelta

import pytest
from sqlalchemy import event, insert

import inbox_factories
from ecoute.inbox.queries import InboxFilters, InvalidCursor, get_conversation, list_conversations
from ecoute.store.models import Brand, ConversationTag, Mention, MentionBrand, Tag
from ecoute.store.repo import Invalid, NotFound
from factories import BASE_TIME

SECRET = "test-secret"


def _ids(db, workspace, filters=InboxFilters(), limit=50, cursor=None):
    with db.session() as session:
        page = list_conversations(session, workspace.id, filters, cursor=cursor, limit=limit, secret=SECRET)
    return [row.conversation.id for row in page.rows], page


def test_order_is_priority_then_most_recent_then_id(db, workspace):
    old_high = inbox_factories.conversation(db, workspace, priority=80, minutes=0)
    new_high = inbox_factories.conversation(db, workspace, priority=80, minutes=60)
    low = inbox_factories.conversation(db, workspace, priority=10, minutes=120)

    ids, _ = _ids(db, workspace)

    assert ids == [new_high.id, old_high.id, low.id]


def test_pages_chain_without_gaps_or_repeats(db, workspace):
    created = [inbox_factories.conversation(db, workspace, priority=p % 3, minutes=p) for p in range(7)]

    first, page1 = _ids(db, workspace, limit=3)
    second, page2 = _ids(db, workspace, limit=3, cursor=page1.next_cursor)
    third, page3 = _ids(db, workspace, limit=3, cursor=page2.next_cursor)

    expected = [c.id for c in sorted(created, key=lambda c: (-c.priority, -c.last_mention_at.timestamp()))]
    assert first + second + third == expected
    assert page3.next_cursor is None


def test_a_cursor_is_refused_when_altered_or_used_with_other_filters_or_workspace(
    db, workspace, other_workspace
):
    for priority in range(3):
        inbox_factories.conversation(db, workspace, priority=priority)
    _, page = _ids(db, workspace, limit=1)
    altered = page.next_cursor[:-2] + ("AA" if not page.next_cursor.endswith("AA") else "BB")

    with pytest.raises(InvalidCursor):
        _ids(db, workspace, limit=1, cursor=altered)
    with pytest.raises(InvalidCursor):
        _ids(db, workspace, InboxFilters(status=("new",)), limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        _ids(db, other_workspace, limit=1, cursor=page.next_cursor)


def test_filters_on_mention_analysis_status_and_dates(db, workspace):
    complaint = inbox_factories.conversation(
        db, workspace, sentiment="negative", intent="complaint", lang="fr"
    )
    praise = inbox_factories.conversation(
        db, workspace, sentiment="positive", intent="praise", lang="en", minutes=60 * 24
    )
    resolved = inbox_factories.conversation(db, workspace, status="resolved", sentiment="neutral", lang="fr")

    assert _ids(db, workspace, InboxFilters(sentiment="negative"))[0] == [complaint.id]
    assert _ids(db, workspace, InboxFilters(intent="praise"))[0] == [praise.id]
    assert _ids(db, workspace, InboxFilters(lang="en"))[0] == [praise.id]
    assert _ids(db, workspace, InboxFilters(status=("resolved",)))[0] == [resolved.id]
    assert _ids(db, workspace, InboxFilters(since=BASE_TIME + timedelta(hours=1)))[0] == [praise.id]
    assert _ids(db, workspace, InboxFilters(until=BASE_TIME + timedelta(hours=1)))[0] == sorted(
        [complaint.id, resolved.id], reverse=True
    )


def test_filters_on_assignee_tag_and_brand(db, workspace):
    agent = inbox_factories.user(db, workspace, "agent")
    assigned = inbox_factories.conversation(db, workspace, assignee_id=agent.id)
    tagged = inbox_factories.conversation(db, workspace)
    with db.session() as session:
        tag = Tag(workspace_id=workspace.id, name="livraison")
        brand = Brand(workspace_id=workspace.id, name="Velora", query="", handles=[])
        session.add_all([tag, brand])
        session.flush()
        session.add(ConversationTag(conversation_id=tagged.id, tag_id=tag.id, workspace_id=workspace.id))
        mention_id = _first_mention_id(session, workspace, tagged)
        session.execute(
            insert(MentionBrand),
            [{"mention_id": mention_id, "brand_id": brand.id, "workspace_id": workspace.id}],
        )

    assert _ids(db, workspace, InboxFilters(assignee_id=agent.id))[0] == [assigned.id]
    assert _ids(db, workspace, InboxFilters(unassigned=True))[0] == [tagged.id]
    assert _ids(db, workspace, InboxFilters(tag_id=tag.id))[0] == [tagged.id]
    assert _ids(db, workspace, InboxFilters(brand_id=brand.id))[0] == [tagged.id]


def _first_mention_id(session, workspace, conversation):
    return get_conversation(session, workspace.id, conversation.id).mentions[0].id


def test_full_text_search_finds_the_conversation_of_any_mention_accents_folded(db, workspace):
    parcel = inbox_factories.conversation(
        db, workspace, text="Colis perdu", replies=["Aucune réponse du SAV"]
    )
    inbox_factories.conversation(db, workspace, text="Super vélo, merci !")

    assert _ids(db, workspace, InboxFilters(q="reponse"))[0] == [parcel.id]
    assert _ids(db, workspace, InboxFilters(q='"; DROP TABLE mentions; --'))[0] == []
    assert _ids(db, workspace, InboxFilters(q="?!"))[0] == []


def test_rows_carry_the_top_mentions_reasons(db, workspace):
    inbox_factories.conversation(db, workspace, reasons=["réclamation négative"], replies=["merci"])

    _, page = _ids(db, workspace)

    assert page.rows[0].reasons == ["réclamation négative"]
    assert page.rows[0].top_mention.text == "Mon colis n'est jamais arrivé"


def test_a_page_reads_its_rows_in_three_statements_whatever_its_length(db, workspace):
    agent = inbox_factories.user(db, workspace)
    convs = [
        inbox_factories.conversation(
            db, workspace, priority=n, handle=f"fan{n}", assignee_id=agent.id if n % 2 else None
        )
        for n in range(6)
    ]
    with db.session() as session:
        tag = Tag(workspace_id=workspace.id, name="livraison", color="#ff8800")
        session.add(tag)
        session.flush()
        session.add(ConversationTag(conversation_id=convs[0].id, tag_id=tag.id, workspace_id=workspace.id))
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    _, page = _ids(db, workspace)

    assert len(statements) == 3  # the page, its details by id, its tags
    rows = {row.conversation.id: row for row in page.rows}
    for n, conv in enumerate(convs):
        row = rows[conv.id]
        assert (row.conversation.priority, row.author.handle) == (n, f"fan{n}")
        assert (row.assignee.name if row.assignee else None) == (agent.name if n % 2 else None)
        assert (row.top_mention.id, row.top_mention.conversation_id) == (conv.top_mention_id, conv.id)
    assert [(t.name, t.color) for t in rows[convs[0].id].tags] == [("livraison", "#ff8800")]
    assert rows[convs[1].id].tags == []


def test_a_hidden_top_mention_gives_way_to_the_next_visible_one(db, workspace):
    conv = inbox_factories.conversation(db, workspace, replies=["toujours rien"])
    with db.session() as session:
        session.get(Mention, conv.top_mention_id).hidden = True

    _, page = _ids(db, workspace)

    assert page.rows[0].top_mention.text == "toujours rien"
    assert page.rows[0].top_mention.id != conv.top_mention_id


def test_a_conversation_is_looked_up_within_its_workspace_only(db, workspace, other_workspace):
    theirs = inbox_factories.conversation(db, other_workspace)

    with db.session() as session, pytest.raises(NotFound):
        get_conversation(session, workspace.id, theirs.id)


def test_bad_filters_and_limits_are_refused():
    with pytest.raises(Invalid):
        InboxFilters(status=("archived",))
    with pytest.raises(Invalid):
        InboxFilters(since=BASE_TIME.replace(tzinfo=None))
