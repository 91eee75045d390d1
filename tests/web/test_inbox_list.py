"""The inbox list: filters and search live in the URL, views count what waits, rows explain why."""

import re
from datetime import timedelta

import inbox_factories
from ecoute.store import repo
from ecoute.store.models import Conversation, Mention, MentionBrand
from ecoute.store.types import utcnow
from web_helpers import post_form


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="row[^"]*" data-id="(\d+)"', html)]


def test_filters_are_read_from_the_url_and_shown_as_chosen(owner, db, workspace):
    angry = inbox_factories.conversation(db, workspace, sentiment="negative", intent="complaint")
    happy = inbox_factories.conversation(db, workspace, sentiment="positive", intent="praise")

    negative = owner.get("/w/acme/?sentiment=negative").text
    praise = owner.get("/w/acme/?intent=praise").text

    assert _ids(negative) == [angry.id]
    assert '<option value="negative" selected>' in negative
    assert _ids(praise) == [happy.id]


def test_search_and_needs_reply_and_language(owner, db, workspace):
    battery = inbox_factories.conversation(db, workspace, text="La batterie est morte", lang="fr")
    english = inbox_factories.conversation(db, workspace, text="The lock is broken", lang="en")
    with db.session() as session:
        session.get(Conversation, english.id).needs_reply = False

    found = owner.get("/w/acme/?q=batterie").text
    needing = owner.get("/w/acme/?needs_reply=1").text
    in_english = owner.get("/w/acme/?lang=en", headers={"accept-language": "en"}).text

    assert _ids(found) == [battery.id]
    assert (
        "Results for “batterie”" in owner.get("/w/acme/?q=batterie", headers={"accept-language": "en"}).text
    )
    assert _ids(needing) == [battery.id]
    assert _ids(in_english) == [english.id]
    assert "Language: English" in in_english  # the active filter, removable


def test_the_brand_filter_tells_competitors_apart(owner, db, workspace):
    with db.session() as session:
        ours = repo.add_brand(session, workspace.id, "Cyclune")
        rival = repo.add_brand(session, workspace.id, "Galvéo", competitor_of="Cyclune")
    about_rival = inbox_factories.conversation(db, workspace, text="Galvéo est plus léger")
    inbox_factories.conversation(db, workspace, text="Rien à voir")
    with db.session() as session:
        mention_id = session.query(Mention.id).filter(Mention.conversation_id == about_rival.id).scalar()
        session.add(MentionBrand(mention_id=mention_id, brand_id=rival.id, workspace_id=workspace.id))

    page = owner.get(f"/w/acme/?brand={rival.id}", headers={"accept-language": "en"}).text

    assert _ids(page) == [about_rival.id]
    assert "Galvéo · competitor" in page
    assert f'<option value="{ours.id}"' in page


def test_the_views_count_what_waits(owner, db, workspace):
    inbox_factories.conversation(db, workspace, status="new")
    inbox_factories.conversation(db, workspace, status="open")
    inbox_factories.conversation(db, workspace, status="resolved")
    conv = inbox_factories.conversation(db, workspace, status="pending")
    post_form(owner, "/w/acme/bulk", {"ids": [str(conv.id)], "action": "assign:me"})

    page = owner.get("/w/acme/", headers={"accept-language": "en"}).text

    counts = dict(re.findall(r'<span class="label">([^<]+)</span>\s*<span class="n">(\d+)</span>', page))
    assert counts == {"To do": "3", "Needs a reply": "3", "Assigned to me": "1", "Unassigned": "2"}


def test_rows_explain_their_priority_in_the_readers_language_with_a_live_wait(owner, db, workspace):
    conv = inbox_factories.conversation(
        db, workspace, reasons=["plainte négative", "48\u00a0k abonnés", "sans réponse depuis 2\u00a0min"]
    )
    with db.session() as session:
        mention = session.query(Mention).filter(Mention.conversation_id == conv.id).one()
        mention.created_at = utcnow() - timedelta(hours=4)

    english = owner.get("/w/acme/", headers={"accept-language": "en"}).text
    french = owner.get("/w/acme/", headers={"accept-language": "fr"}).text

    assert "48k followers" in english
    assert "unanswered for 4\u00a0h" in english
    assert "sans réponse depuis 4\u00a0h" in french
    assert "2\u00a0min" not in french


def test_each_row_links_to_its_conversation_and_remembers_the_filters(owner, db, workspace):
    conv = inbox_factories.conversation(db, workspace, text="Où est mon vélo ?")

    page = owner.get("/w/acme/?sentiment=negative").text
    link = re.search(rf'href="(/w/acme/c/{conv.id}[^"]*)"', page).group(1)
    opened = owner.get(link.replace("&amp;", "&")).text

    assert "back=" in link
    assert 'href="/w/acme/?sentiment=negative" data-back' in opened
    assert "Où est mon vélo ?" in opened


def test_a_filtered_inbox_with_nothing_says_so(owner, db, workspace):
    inbox_factories.conversation(db, workspace, sentiment="negative")

    page = owner.get("/w/acme/?sentiment=positive", headers={"accept-language": "en"}).text

    assert _ids(page) == []
    assert "No conversation matches these filters." in page
