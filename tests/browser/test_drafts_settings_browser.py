"""Settings › Drafts in the browser: an admin switches the demo to the hotel sector (the words'
placeholders follow), saves, tries a guest's message and sees it named in the hotel's words; the
composer's drafts on the demo speak the shop's own words; the page fits a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from demo_world import PASSWORD
from ecoute import demo
from ecoute.respond import sectors
from ecoute.store.models import Conversation, Mention, Workspace

PHONE = {"width": 390, "height": 844}


def _restore_demo_settings(live) -> None:
    with live.db.session() as session:
        workspace = session.get(Workspace, live.world.workspace.id)
        sectors.save_settings(session, workspace, demo.draft_settings(), actor="test")


def test_an_admin_switches_the_sector_and_previews_a_guests_message(open_as, live, screenshots):
    admin = open_as("lea@cyclune.example", PASSWORD, locale="fr")
    try:
        admin.goto(live.at(f"/w/{live.world.workspace.slug}/admin/drafts"))
        sector = admin.locator("select[name=sector]")
        expect(sector).to_have_value("shop")
        sector.select_option("hotel")
        expect(admin.locator("[data-word='fr-reference']")).to_have_attribute(
            "placeholder", "numéro de réservation"
        )
        admin.get_by_role("button", name="Enregistrer").click()
        expect(admin.get_by_role("status")).to_contain_text("Réglages des brouillons enregistrés")

        admin.fill("textarea[name=text]", "Un cafard dans la salle de bain de la chambre 214, inadmissible.")
        admin.get_by_role("button", name="Voir les brouillons").click()

        drafts = admin.locator("[data-preview] li")
        expect(drafts.first).to_contain_text("le cafard dans la chambre 214")
        expect(admin.locator("[data-preview]")).not_to_contain_text("commande")
        admin.locator("#preview").screenshot(path=str(screenshots / "drafts-settings-fr.png"))
        assert admin.js_errors == []
    finally:
        _restore_demo_settings(live)


def test_the_composer_speaks_the_shops_own_words(open_as, live):
    with live.db.session() as session:
        conversation_id = session.scalar(
            select(Conversation.id)
            .join(Mention, Mention.conversation_id == Conversation.id)
            .where(
                Conversation.workspace_id == live.world.workspace.id,
                Mention.text.like("%commande #CL-20931 passée%"),
            )
            .limit(1)
        )
    page = open_as(locale="fr")

    page.goto(live.at(f"/w/{live.world.workspace.slug}/c/{conversation_id}"))

    first = page.locator("[data-draft]").first
    expect(first).to_contain_text(re.compile(r"commande #CL-20931"))
    expect(first).to_contain_text("adresse e-mail utilisée pour la commande")


def test_the_settings_page_fits_a_phone(open_as, live):
    phone = open_as("lea@cyclune.example", PASSWORD, locale="en", viewport=PHONE)

    phone.goto(live.at(f"/w/{live.world.workspace.slug}/admin/drafts"))

    expect(phone.get_by_role("heading", name="Your trade, your words")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
