"""The inbox page (priority order, reasons, pages) and the conversation page (thread, author)."""

import re

from sqlalchemy import select

import inbox_factories
from ecoute.ingest import ingest
from ecoute.store import repo
from ecoute.store.models import Mention
from factories import raw_item


def _order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-id="(\d+)"', html)]


def test_the_inbox_lists_conversations_by_priority_with_their_reasons(owner, db, workspace):
    low = inbox_factories.conversation(db, workspace, priority=20, minutes=30)
    high = inbox_factories.conversation(
        db, workspace, priority=90, reasons=["plainte négative", "mot-clé\u00a0: remboursement"], minutes=0
    )
    middle = inbox_factories.conversation(db, workspace, priority=55, minutes=10)

    page = owner.get("/w/acme/", headers={"accept-language": "fr"}).text

    assert _order(page) == [high.id, middle.id, low.id]
    assert "mot-clé\u00a0: remboursement" in page


def test_resolved_conversations_leave_the_default_inbox(owner, db, workspace):
    done = inbox_factories.conversation(db, workspace, status="resolved", priority=99)
    todo = inbox_factories.conversation(db, workspace, status="open", priority=10)

    default = _order(owner.get("/w/acme/").text)
    everything = _order(owner.get("/w/acme/?status=all").text)

    assert default == [todo.id]
    assert everything == [done.id, todo.id]


def test_the_next_page_follows_the_cursor(owner, db, workspace):
    created = [inbox_factories.conversation(db, workspace, priority=p) for p in range(60)]

    first = owner.get("/w/acme/").text
    cursor = re.search(r"cursor=([\w-]+)", first).group(1)
    second = owner.get(f"/w/acme/?cursor={cursor}").text

    expected = [c.id for c in sorted(created, key=lambda c: -c.priority)]
    assert _order(first) + _order(second) == expected


def test_a_conversation_page_shows_the_thread_and_the_author(owner, db, workspace):
    conversation = inbox_factories.conversation(
        db,
        workspace,
        text="Toujours pas livré",
        replies=["Et toujours rien"],
        handle="marie",
        followers=48000,
    )

    page = owner.get(f"/w/acme/c/{conversation.id}", headers={"accept-language": "fr"}).text

    assert page.index("Toujours pas livré") < page.index("Et toujours rien")
    assert "@marie" in page
    assert "48\u00a0k" in page  # followers, the way people say it


def test_a_reply_under_the_brands_post_shows_the_post_it_answers(owner, db, workspace):
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Acme", query="acme", handles=["acme_fr"])
    ingest(
        db,
        workspace,
        [
            raw_item("p1", "Acme : incident sur les paiements, on vous tient au courant", author="acme_fr"),
            raw_item("r1", "@acme_fr acme, 2 h que ma carte est refusée", author="marie", parent_id="p1"),
        ],
    )
    with db.session() as session:
        ids = dict(
            session.execute(
                select(Mention.external_id, Mention.conversation_id).where(
                    Mention.workspace_id == workspace.id
                )
            ).all()
        )
    assert ids["p1"] != ids["r1"]

    page = owner.get(f"/w/acme/c/{ids['r1']}", headers={"accept-language": "fr"}).text

    assert "En réponse à « Acme : incident sur les paiements" in page
    assert f'href="/w/acme/c/{ids["p1"]}#m' in page
