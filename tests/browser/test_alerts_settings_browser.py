"""Settings › Alerts in the browser: an admin makes the detectors more sensitive, shortens the
cooldown and mutes a term, in French; the page fits a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from demo_world import PASSWORD
from ecoute.store.models import Workspace
from ecoute.warn import preferences

PHONE = {"width": 390, "height": 844}


def _restore(live) -> None:
    with live.db.session() as session:
        workspace = session.get(Workspace, live.world.workspace.id)
        workspace.settings = {k: v for k, v in (workspace.settings or {}).items() if k != preferences.SETTING}


def test_an_admin_changes_the_sensitivity_and_mutes_a_term(open_as, live):
    admin = open_as("lea@cyclune.example", PASSWORD, locale="fr")
    try:
        admin.goto(live.at(f"/w/{live.world.workspace.slug}/admin/alerts"))
        admin.get_by_label("Sensible", exact=False).check()
        admin.fill("input[name=cooldown_minutes]", "60")
        admin.get_by_role("button", name="Enregistrer").click()
        expect(admin.get_by_role("status")).to_contain_text("Réglages des alertes enregistrés")
        expect(admin.locator("input[name=sensitivity][value=sensitive]")).to_be_checked()

        admin.fill("input[name=term]", "#BoycottCyclune")
        admin.locator("[data-muted-terms] button", has_text="Ignorer ce terme").click()
        expect(admin.locator("[data-muted='#boycottcyclune']")).to_be_visible()
        assert admin.js_errors == []
        with live.db.session() as session:
            chosen = preferences.load(session.get(Workspace, live.world.workspace.id))
        assert (chosen.sensitivity, chosen.cooldown_minutes) == ("sensitive", 60)
        assert chosen.muted_terms == ("#boycottcyclune",)
    finally:
        _restore(live)


def test_the_alert_settings_page_fits_a_phone(open_as, live):
    phone = open_as("lea@cyclune.example", PASSWORD, locale="en", viewport=PHONE)

    phone.goto(live.at(f"/w/{live.world.workspace.slug}/admin/alerts"))

    expect(phone.get_by_role("heading", name="Muted terms")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
