"""A person at the desk, in a real browser: log in, filter, search, assign, resolve, correct a
label, switch the language, use the keyboard, and see a colleague on the same conversation."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from demo_world import PASSWORD
from ecoute.store.models import Author, Conversation

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _rows(page):
    return page.locator("li.row")


def test_log_in_and_see_the_most_urgent_first_with_reasons(page):
    expect(page.locator("h1#inbox-heading")).to_have_text("To do")
    priorities = [int(p) for p in page.locator(".row .prio-num").all_inner_texts()]

    assert len(priorities) > 10
    assert priorities == sorted(priorities, reverse=True)
    expect(_rows(page).first.locator(".reason").first).to_be_visible()
    for key in "jjk":
        page.keyboard.press(key)
    expect(_rows(page).nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    expect(_rows(page).nth(1)).not_to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/w/demo/c/\d+"))
    page.keyboard.press("u")
    page.wait_for_url(re.compile(r"/w/demo/$"))
    assert page.js_errors == []


def test_filter_by_sentiment_then_search(page, live):
    page.select_option("select[name=sentiment]", "negative")  # applies itself
    page.wait_for_url(re.compile(r"sentiment=negative"))
    chips = page.locator(".row .row-why .chip.sent-negative")
    assert chips.count() == _rows(page).count() > 0

    page.keyboard.press("/")
    page.keyboard.type("batterie")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=batterie"))

    expect(page.locator("h1#inbox-heading")).to_have_text("Results for “batterie”")
    assert "sentiment=negative" in page.url
    assert 0 < _rows(page).count() <= chips.count()

    page.select_option("select[name=sentiment]", "")  # back to any sentiment: the search stays
    page.wait_for_url(lambda url: "sentiment=" not in url)
    assert page.url.endswith("/w/demo/?q=batterie")  # filters left on "any" stay out of the link


def test_assign_with_a_and_resolve_with_e_from_the_keyboard(page, live):
    page.goto(live.at("/w/demo/?assignee=none&sentiment=negative"))
    first_id = _rows(page).first.get_attribute("data-id")

    page.keyboard.press("j")
    expect(_rows(page).first).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("a")
    page.get_by_role("button", name="Marie Dubois").click()
    expect(page.locator("[data-toast]")).to_contain_text("Assigned to Marie Dubois")
    assert page.locator(f'li.row[data-id="{first_id}"]').count() == 0  # no longer unassigned

    page.goto(live.at(f"/w/demo/?assignee={live.world.team['marie@cyclune.example']}"))
    target = page.locator(f'li.row[data-id="{first_id}"]')
    expect(target).to_be_visible()
    index = [r.get_attribute("data-id") for r in _rows(page).all()].index(first_id)
    for _ in range(index + 1):
        page.keyboard.press("j")
    expect(target).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("e")

    expect(page.locator("[data-toast]")).to_contain_text("Conversation resolved")
    expect(page.locator(f'li.row[data-id="{first_id}"]')).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(f'li.row[data-id="{first_id}"]')).to_have_count(1)


def test_select_several_and_tag_them_at_once(page, live):
    page.goto(live.at("/w/demo/?platform=reddit"))
    page.keyboard.press("j")
    page.keyboard.press("x")  # from the keyboard…
    _rows(page).nth(2).locator("input[name=ids]").click()  # …and with the mouse
    expect(page.locator("[data-bulk-count]")).to_have_text("2 selected")

    page.select_option("#bulk select[name=action]", "tag:batterie")

    expect(page.locator("[data-toast]")).to_contain_text("2 conversations tagged “batterie”")
    assert page.locator(".row .chip.tag", has_text="batterie").count() >= 2


def test_open_a_conversation_and_correct_a_label(page, live):
    page.locator(".row-link").nth(2).click()
    page.wait_for_url(re.compile(r"/c/\d+"))
    message = page.locator("li.entry.msg").first
    current = message.locator(".entry-foot .chip[class*=sent-]").inner_text().strip()
    new_label = "Positive" if current != "Positive" else "Neutral"

    message.locator("details.correct summary").click()
    message.locator("form").filter(has=page.locator("input[value=sentiment]")).get_by_role(
        "button", name=new_label
    ).click()

    expect(page.locator("[data-toast]")).to_contain_text(f"Label corrected: {new_label}")
    chip = page.locator("li.entry.msg").first.locator(".entry-foot .chip[class*=sent-]")
    expect(chip).to_have_text(new_label)
    expect(chip.locator(".corrected")).to_have_count(1)


def test_write_a_note_with_r(page, live):
    page.locator(".row-link").nth(3).click()
    page.wait_for_url(re.compile(r"/c/\d+"))
    page.keyboard.press("r")  # the reply box when it is there, else the note box
    expect(page.locator(".conv-main textarea:focus")).to_have_count(1)
    page.locator("#composer").fill("Appelé le client, il attend un retour vendredi.")
    page.get_by_role("button", name="Add note").click()

    expect(page.locator("li.entry.note").last).to_contain_text("Appelé le client")
    expect(page.locator("[data-toast]")).to_contain_text("Note added")


def test_switch_between_french_and_english(page):
    page.get_by_role("button", name="FR", exact=True).click()
    expect(page.locator("h1#inbox-heading")).to_have_text("À traiter")
    expect(page.locator(".views")).to_contain_text("Réponse attendue")
    expect(page.locator(".row .reason").first).to_be_visible()
    assert re.search(r"il y a|sans réponse depuis|abonnés|mot-clé", page.locator("main").inner_text())

    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_contain_text("Raccourcis clavier")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("h1#inbox-heading")).to_have_text("To do")
    expect(page.locator(".views")).to_contain_text("Needs a reply")


def test_a_colleague_sees_who_is_viewing_and_who_is_replying(open_as, live):
    marie = open_as("marie@cyclune.example", PASSWORD, locale="fr")
    boss = open_as(locale="en")
    conversation = marie.locator(".row-link").first.get_attribute("href").split("?")[0]
    marie.goto(live.at(conversation))

    boss.goto(live.at(conversation))
    expect(boss.locator("[data-presence]")).to_contain_text("Marie Dubois is viewing")
    expect(marie.locator("[data-presence]")).to_contain_text("Démo consulte cette conversation")

    marie.locator("#composer").fill("Je m’en occupe")
    expect(boss.locator("[data-presence]")).to_contain_text("Marie Dubois is replying")

    boss.goto(live.at("/w/demo/"))
    conversation_id = conversation.rstrip("/").rsplit("/", 1)[1]
    expect(boss.locator(f'[data-presence-for="{conversation_id}"]')).to_contain_text("Marie Dubois")

    marie.goto(live.at("/w/demo/"))  # leaving the page says goodbye at once
    expect(boss.locator(f'[data-presence-for="{conversation_id}"]')).to_be_empty()


def _conversation_of(live, handle: str) -> str:
    with live.db.session() as session:
        found = session.scalar(
            select(Conversation.id)
            .join(Author, Author.id == Conversation.author_id)
            .where(Conversation.workspace_id == live.world.workspace.id, Author.handle == handle)
            .order_by(Conversation.mention_count.desc())
        )
    assert found is not None, f"the demo has no conversation with @{handle}"
    return f"/w/demo/c/{found}"


def test_screenshots_of_the_inbox_and_a_conversation(open_as, live, screenshots):
    """The README's pictures: a morning at the desk, and a customer whom a fake support account
    insulted, while Marie is already writing to her."""
    conversation = _conversation_of(live, "lea_dbx")
    marie = open_as("marie@cyclune.example", PASSWORD, locale="fr")
    marie.goto(live.at(conversation))
    marie.locator("#composer").fill("Bonjour Léa, …")
    for suffix, viewport, locale in (("", LAPTOP, "en"), ("-fr", LAPTOP, "fr"), ("-phone", PHONE, "fr")):
        page = open_as(locale=locale, viewport=viewport)
        page.keyboard.press("j")
        page.screenshot(path=str(screenshots / f"inbox{suffix}.png"))
        page.goto(live.at(conversation))
        expect(page.locator("[data-presence] .presence-mark.replying")).to_be_visible()
        page.screenshot(path=str(screenshots / f"conversation{suffix}.png"))
        assert page.js_errors == []

    names = {f"{page}{suffix}.png" for page in ("inbox", "conversation") for suffix in ("", "-fr", "-phone")}
    assert names <= {path.name for path in screenshots.glob("*.png")}  # the folder may hold others' too


def test_everything_works_without_javascript(browser, live):
    """Progressive enhancement: with scripts off, filters apply with their button and triage
    forms post and come back."""
    context = browser.new_context(viewport=LAPTOP, locale="en", java_script_enabled=False)
    page = context.new_page()
    page.goto(live.at("/login"))
    page.fill("input[name=email]", live.world.owner_email)
    page.fill("input[name=password]", live.world.owner_password)
    page.click("button[type=submit]")
    page.get_by_role("button", name="EN", exact=True).click()
    page.goto(live.at("/w/demo/?platform=mastodon"))

    page.select_option("select[name=intent]", "complaint")
    page.locator("form[data-filters] button.apply").click()
    page.wait_for_url(re.compile(r"intent=complaint"))
    first = _rows(page).first
    conversation_id = first.get_attribute("data-id")
    first.locator("input[name=ids]").check()
    page.select_option("#bulk select[name=action]", "status:pending")
    page.locator("#bulk button.apply").click()

    expect(page.locator("[data-toast]")).to_contain_text("Marked as pending")
    page.goto(live.at(f"/w/demo/c/{conversation_id}"))
    expect(page.locator(".conv-title .pill")).to_have_text("Pending")
    context.close()
