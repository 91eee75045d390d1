"""Inbox rows are kept rendered between pages: a kept row must be exactly what a fresh render gives,
after any change to what it shows, and every reader gets their own CSRF token in it."""

import re
from datetime import timedelta

import pytest
from jinja2 import meta

import inbox_factories
from ecoute.inbox.tags import create_tag
from ecoute.store import repo
from ecoute.store.models import Author, Conversation, Mention, Tag, User
from ecoute.store.types import utcnow
from ecoute.web.pages import inbox as inbox_page
from ecoute.web.pages.inbox_rows import CHROME_NAMES, FILTER_BAR_NAMES, ROW_FIELDS, RowCache
from ecoute.web.templating import TEMPLATE_DIR
from web_helpers import post_form

ROW_TEMPLATE = TEMPLATE_DIR / "desk" / "_row.html"
FILTER_TEMPLATE = TEMPLATE_DIR / "desk" / "_filters.html"
CHROME_TEMPLATE = TEMPLATE_DIR / "desk" / "_inbox_page.html"
SHORTCUTS_TEMPLATE = TEMPLATE_DIR / "desk" / "_shortcuts.html"
# What the row may read from the page around it; each is part of the key or fixed by it.
PAGE_NAMES = {"t", "fmt", "timers", "present", "ws", "query", "can", "rows"}


def test_the_row_template_reads_only_what_the_key_covers(app):
    source = ROW_TEMPLATE.read_text()
    env = app.state.templates.env

    assert meta.find_undeclared_variables(env.parse(source)) <= PAGE_NAMES
    reads: dict[str, set[str]] = {}
    for name, attribute in re.findall(r"\b(row\.assignee|c|m|a|row|tag|timer|ws|can)\.(\w+)", source):
        reads.setdefault(name, set()).add(attribute)
    for name in ("c", "m", "a", "row", "row.assignee", "tag", "timer"):
        assert reads.get(name, set()) <= set(ROW_FIELDS[name]), name
    assert reads["ws"] == {"slug"} and reads["can"] == {"status"}  # in the reader's part of the key


@pytest.fixture
def frozen(monkeypatch):
    """Pages judged at one fixed moment, so two renders can be compared byte for byte."""
    moment = utcnow().replace(second=30, microsecond=0)
    monkeypatch.setattr(inbox_page, "current_time", lambda: moment)
    return moment


def _kept_and_fresh(client, app, path: str, **kwargs) -> tuple[str, str]:
    kept = client.get(path, **kwargs).text
    app.state.row_cache = RowCache()
    fresh = client.get(path, **kwargs).text
    return kept, fresh


def _rows(html: str) -> str:
    return html[html.index('<ol class="rows"') : html.index("</ol>")]


def test_a_kept_row_follows_every_change_to_what_it_shows(app, db, workspace, owner, login_as, frozen):
    conv = inbox_factories.conversation(db, workspace, text="Mon colis n'est jamais arrivé", priority=80)
    other = inbox_factories.conversation(db, workspace, text="Toujours rien", priority=30)
    owner.get("/w/acme/")
    cache = app.state.row_cache

    hits = cache.hits
    again = owner.get("/w/acme/").text
    assert cache.hits - hits == 4  # both rows, the filter bar and the page around the list reused

    def check(**kwargs) -> str:
        owner.get("/w/acme/", **kwargs)  # the page as it was kept before this change, warmed
        kept, fresh = _kept_and_fresh(owner, app, "/w/acme/", **kwargs)
        assert _rows(kept) == _rows(fresh)
        return _rows(kept)

    before = _rows(again)
    post_form(owner, "/w/acme/bulk", {"ids": [str(conv.id)], "action": "status:open"})
    after_status = check()
    assert after_status != before
    post_form(owner, "/w/acme/bulk", {"ids": [str(conv.id)], "action": "tag:livraison"})
    assert "livraison" in check()
    post_form(owner, "/w/acme/bulk", {"ids": [str(conv.id)], "action": "assign:me"})
    assert 'class="assignee"' in check()
    with db.session() as session:
        mention = session.query(Mention).filter(Mention.conversation_id == conv.id).one()
        mention.text = "Colis arrivé abîmé"
        mention.sentiment = "neutral"
        session.get(Author, mention.author_id).display_name = "Jeanne Martin"
        session.get(Conversation, other.id).priority = 95
    rows = check()
    assert "Colis arrivé abîmé" in rows and "Jeanne Martin" in rows
    assert rows.index(f'data-id="{other.id}"') < rows.index(f'data-id="{conv.id}"')
    assert "Resolve" in check(headers={"accept-language": "en"})
    assert "Résoudre" in check(headers={"accept-language": "fr"})
    # Someone else opening a conversation shows on its row.
    agent = login_as("agent")
    post_form(agent, f"/w/acme/c/{conv.id}/presence", {"state": "replying"})
    assert "presence-mark replying" in check()


def test_each_reader_gets_their_own_csrf_token_in_kept_rows(app, db, workspace, owner, login_as, frozen):
    inbox_factories.conversation(db, workspace)
    agent = login_as("agent")

    for client in (owner, agent, owner):
        page = client.get("/w/acme/").text
        own = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        in_rows = re.findall(r'name="csrf_token" value="([^"]+)"', _rows(page))
        assert in_rows == [own]
    assert app.state.row_cache.hits >= 1


def test_the_ages_on_kept_rows_move_with_the_minute(app, db, workspace, owner, monkeypatch):
    conv = inbox_factories.conversation(db, workspace)
    moment = conv.last_mention_at + timedelta(minutes=10)
    monkeypatch.setattr(inbox_page, "current_time", lambda: moment)
    first = _rows(owner.get("/w/acme/", headers={"accept-language": "en"}).text)
    monkeypatch.setattr(inbox_page, "current_time", lambda: moment + timedelta(minutes=30))
    later = _rows(owner.get("/w/acme/", headers={"accept-language": "en"}).text)

    assert re.search(r"<time [^>]*>10m</time>", first), first
    assert re.search(r"<time [^>]*>40m</time>", later), later


def test_the_cache_keeps_a_bounded_number_of_rows():
    cache = RowCache(capacity=3)
    for n in range(5):
        cache.put((n,), f"<li>{n}</li>")

    assert len(cache) == 3
    assert cache.get((0,)) is None and cache.get((4,)) == "<li>4</li>"


def test_the_filter_bar_reads_only_what_its_key_covers(app):
    source = FILTER_TEMPLATE.read_text()
    env = app.state.templates.env

    # "shown" is the template's own (set in each branch of an if, which Jinja counts as read outside).
    assert meta.find_undeclared_variables(env.parse(source)) - {"shown"} <= FILTER_BAR_NAMES
    # The rights and the formatting it reads are in the key (the language fixes the platform names).
    assert set(re.findall(r"\bcan\.(\w+)", source)) == {"share_views"}
    assert set(re.findall(r"\bfmt\.(\w+)", source)) == {"platform"}
    assert set(re.findall(r"\bws\.(\w+)", source)) == {"slug"}


def _bar(html: str) -> str:
    start = html.index('<form class="filterbar"')
    return html[start : html.index("</form>", html.index('id="save-view"'))]


def test_a_kept_filter_bar_follows_every_change_to_what_it_offers(app, db, workspace, owner, frozen):
    inbox_factories.conversation(db, workspace)

    def check(path: str = "/w/acme/", **kwargs) -> str:
        owner.get(path, **kwargs)  # kept before the change, warmed
        kept, fresh = _kept_and_fresh(owner, app, path, **kwargs)
        assert _bar(kept) == _bar(fresh)
        return _bar(kept)

    before = check()
    hits = app.state.row_cache.hits
    assert _bar(owner.get("/w/acme/").text) == before
    assert app.state.row_cache.hits > hits
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Colis Express")
        create_tag(session, workspace.id, "livraison", None, actor="test")
    assert "Colis Express" in check() and "livraison" in check()
    with db.session() as session:
        session.query(Tag).filter(Tag.name == "livraison").one().name = "retard"
        session.query(User).first().name = "Zoé Lambert"
    bar = check()
    assert "retard" in bar and "livraison" not in bar and "Zoé Lambert" in bar
    filtered = check("/w/acme/?sentiment=negative&tag=1")
    assert '<option value="negative" selected>' in filtered and 'class="filter-chip"' in filtered
    assert "Clear filters" in check("/w/acme/?status=open", headers={"accept-language": "en"})
    assert "Effacer les filtres" in check("/w/acme/?status=open", headers={"accept-language": "fr"})


def test_each_reader_gets_their_own_filter_bar_rights_and_csrf_token(
    app, db, workspace, owner, login_as, frozen
):
    inbox_factories.conversation(db, workspace)
    viewer = login_as("viewer")

    for client in (owner, viewer, owner, viewer):
        page = client.get("/w/acme/?status=open").text
        own = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        assert re.findall(r'name="csrf_token" value="([^"]+)"', _bar(page)) == [own]
        assert ('name="shared"' in _bar(page)) is (client is owner)


def test_the_page_around_the_list_reads_only_what_its_key_covers(app):
    source = CHROME_TEMPLATE.read_text()
    env = app.state.templates.env

    # "bar" is the template's own (set in one branch of an if, which Jinja counts as read outside).
    assert meta.find_undeclared_variables(env.parse(source)) - {"bar"} <= CHROME_NAMES
    assert meta.find_undeclared_variables(env.parse(SHORTCUTS_TEMPLATE.read_text())) <= {"t", "ui"}
    assert set(re.findall(r"\bws\.(\w+)", source)) == {"slug"}
    assert set(re.findall(r"\bviewer\.(\w+)", source)) == {"id"}
    assert set(re.findall(r"\blists\.(\w+)", source)) <= {"members", "tags"}  # in the filter bar's key
    assert set(re.findall(r"\bcounts\.(\w+)", source)) == {"shown"}
    # Nothing that changes from one page of a view to the next is read around the list.
    changing = {"page", "cursor", "rows", "timers", "flash"}
    assert not meta.find_undeclared_variables(env.parse(source)) & changing


def _around_list(html: str) -> str:
    return html[html.index('<div class="desk inbox-desk"') :]


def test_a_kept_page_around_the_list_follows_every_change_to_what_it_shows(
    app, db, workspace, owner, login_as, frozen
):
    conv = inbox_factories.conversation(db, workspace, text="Mon colis n'est jamais arrivé", priority=80)
    inbox_factories.conversation(db, workspace, text="Toujours rien", priority=30)

    def check(client=owner, path: str = "/w/acme/", **kwargs) -> str:
        client.get(path, **kwargs)  # the page as it was kept before this change, warmed
        kept, fresh = _kept_and_fresh(client, app, path, **kwargs)
        assert kept == fresh
        return _around_list(kept)

    before = check()
    assert re.search(r'<span class="label">[^<]+</span>\s*<span class="n">2</span>', before)
    post_form(owner, "/w/acme/bulk", {"ids": [str(conv.id)], "action": "status:resolved"})
    counted = check()
    assert counted != before and re.search(r'<span class="n">1</span>', counted)
    post_form(owner, "/w/acme/views", {"name": "Réclamations", "query": "intent=complaint"})
    assert "Réclamations" in check()
    assert re.search(r'aria-current="page">[^\n]*Réclamations', check(path="/w/acme/?intent=complaint"))
    with db.session() as session:
        create_tag(session, workspace.id, "livraison", None, actor="test")
        session.query(User).first().name = "Zoé Lambert"
    page = check()
    assert 'value="tag:livraison"' in page and "Zoé Lambert" in page
    assert "Keyboard shortcuts" in check(headers={"accept-language": "en"})
    searched = check(path="/w/acme/?q=colis")
    assert 'value="colis"' in searched
    # Another reader, with other rights: no bulk resolve for a viewer.
    viewer = login_as("viewer")
    theirs = check(viewer)
    assert 'value="status:resolved"' in page and 'value="status:resolved"' not in theirs


def test_each_reader_gets_their_own_csrf_token_around_the_list(app, db, workspace, owner, login_as, frozen):
    inbox_factories.conversation(db, workspace)
    agent = login_as("agent")
    other_owner = login_as("owner")

    for client in (owner, agent, owner, other_owner, agent):
        page = client.get("/w/acme/").text
        own = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        tokens = re.findall(r'name="csrf_token" value="([^"]+)"', page)
        assert len(tokens) >= 4 and set(tokens) == {own}
        assert app.state.row_cache.csrf_slot not in page and app.state.row_cache.list_slot not in page
