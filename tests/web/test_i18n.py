"""French and English: from the browser by default, then the user's saved choice."""

from datetime import UTC, datetime, timedelta

from ecoute.web.i18n import choose_locale, negotiate, translator
from web.conftest import csrf_of


def test_the_browser_language_decides_before_any_choice(client):
    french = client.get("/login", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"}).text
    english = client.get("/login", headers={"accept-language": "en-GB,en;q=0.8"}).text

    assert "Mot de passe" in french
    assert "Password" in english


def test_a_users_choice_is_saved_and_beats_the_browser(owner):
    token = csrf_of(owner.get("/w/acme/").text)
    owner.post("/locale", data={"locale": "en", "csrf_token": token})
    owner.cookies.delete("ecoute_locale")  # the choice lives on the user, not only in the cookie

    page = owner.get("/w/acme/", headers={"accept-language": "fr"}).text

    assert 'lang="en"' in page
    assert "Log out" in page


def test_an_unknown_language_is_refused(owner):
    token = csrf_of(owner.get("/w/acme/").text)

    assert owner.post("/locale", data={"locale": "de", "csrf_token": token}).status_code == 400


def test_negotiation_honours_quality_values_and_falls_back_to_english():
    assert negotiate("de-DE, en;q=0.4, fr;q=0.8") == "fr"
    assert negotiate("de-DE") == "en"
    assert negotiate(None) == "en"
    assert choose_locale("fr", "en", "en") == "fr"
    assert choose_locale(None, "fr", "en") == "fr"


def test_relative_times_numbers_and_dates_are_localised():
    now = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    fr = translator("fr", "Europe/Paris")
    en = translator("en", "Europe/Paris")

    assert fr.relative(now - timedelta(hours=3), now) == "il y a 3\xa0h"
    assert en.relative(now - timedelta(hours=3), now) == "3 hr. ago"
    assert fr.number(48000) == "48\u202f000"
    assert en.number(48000) == "48,000"
    assert fr.datetime(now, "short") == "01/10/2026 14:00"
    assert fr.t("inbox.mentions", n="3") == "3 mentions"
    assert fr.t("no.such.key") == "no.such.key"
