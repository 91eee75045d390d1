"""Settings › Drafts: the sector and the business's own words saved (audited), a bad wording named
with everything typed kept, a preview naming the problem, and the page in both languages."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.respond import sectors
from ecoute.store.models import AuditEvent, Workspace
from web_helpers import post_form

RESTAURANT = {
    "sector": "restaurant",
    "products": "Pizza Margherita\nTiramisu",
    "places": "Lyon",
    "contact_email": "bonjour@trattoria.example",
    "words_fr_team": "l'équipe du midi",
    "words_en_reference": "",
}


def _settings(db, workspace):
    with db.session() as session:
        return sectors.load_settings(session.get(Workspace, workspace.id))


def test_an_admin_sets_the_sector_and_words_and_the_change_is_audited(login_as, db, workspace):
    admin = login_as("admin")

    saved = post_form(admin, "/w/acme/admin/drafts", RESTAURANT)
    page = admin.get("/w/acme/admin/drafts")

    assert saved.status_code == 200
    settings = _settings(db, workspace)
    assert (settings.sector, settings.products, settings.places) == (
        "restaurant",
        ["Pizza Margherita", "Tiramisu"],
        ["Lyon"],
    )
    assert settings.words["fr"].team == "l'équipe du midi"
    assert '<option value="restaurant" selected>' in page.text
    with db.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "workspace.drafts")).one()
    assert event.after["sector"] == "restaurant"


def test_a_wording_that_cannot_be_used_is_named_and_what_was_typed_stays(login_as, db, workspace):
    admin = login_as("admin")
    bad = {**RESTAURANT, "wordings": "[fr.problems.bruit]\ncues = ['(a+)+']\nname = ['le bruit']"}

    answer = post_form(admin, "/w/acme/admin/drafts", bad)

    assert answer.status_code == 400
    assert "fr.problems.bruit: use plain" in answer.text
    assert "Pizza Margherita" in answer.text and "(a+)+" in answer.text
    assert _settings(db, workspace).sector == "other"


def test_the_preview_names_the_problem_in_the_sectors_words(login_as):
    admin = login_as("admin")
    post_form(admin, "/w/acme/admin/drafts", RESTAURANT)

    answer = post_form(
        admin,
        "/w/acme/admin/drafts/preview",
        {"text": "1h15 d'attente pour une pizza froide, le serveur était odieux.", "kind": "complaint"},
    )

    drafts = answer.text.split("data-preview>")[1].split("</ol>")[0]
    assert answer.status_code == 200
    assert "pizza froide" in drafts and "serveur" in drafts
    assert "commande" not in drafts


def test_the_page_speaks_french_and_english(login_as):
    admin = login_as("admin")

    french = admin.get("/w/acme/admin/drafts", headers={"accept-language": "fr"})
    english = admin.get("/w/acme/admin/drafts", headers={"accept-language": "en"})

    assert "Restaurant, café, traiteur" in french.text and "Votre métier, vos mots" in french.text
    assert "Restaurant, café, catering" in english.text and "Your trade, your words" in english.text


def test_words_equal_to_the_sectors_are_not_kept_so_a_new_sector_brings_its_own(login_as, db, workspace):
    admin = login_as("admin")
    post_form(admin, "/w/acme/admin/drafts", {"sector": "shop", "words_fr_reference": "numéro de commande"})
    post_form(admin, "/w/acme/admin/drafts", {"sector": "hotel"})

    answer = post_form(admin, "/w/acme/admin/drafts/preview", {"text": "Un cafard dans la chambre 12 !"})

    drafts = answer.text.split("data-preview>")[1].split("</ol>")[0]
    assert _settings(db, workspace).words == {}
    assert "numéro de réservation" in drafts and "numéro de commande" not in drafts
