from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecoute.warn.impersonation import Account, Brand, assess
from ecoute.warn.skeleton import name_key, skeleton
from ecoute.warn.wording import REASONS

NOW = datetime(2026, 11, 1, tzinfo=UTC)
BRAND = Brand("Cyclune", ("cyclune", "CycluneSAV"), partners=("cyclune_lyon_store",))


def fresh(handle, display="", bio="", days=10, followers=40, verified=False, replied=()):
    return Account("x", handle, display, bio, NOW - timedelta(days=days), followers, verified, tuple(replied))


def established(handle, display="", bio=""):
    return Account("x", handle, display, bio, NOW - timedelta(days=2000), 3000, False, ())


def test_skeletons_follow_tr39():
    assert skeleton("Сyclune") == "Cyclune"  # Cyrillic capital es
    assert skeleton("paypa1") == skeleton("paypal")
    assert skeleton("rn") == skeleton("m")
    assert name_key("Ｃｙｃｌｕｎｅ_Care") == name_key("cyclune.care")


@pytest.mark.parametrize(
    "handle",
    ["Сyclune", "cyc1une", "cycIune", "cyclunne", "cyclne", "cylcune", "cyclune_support", "SAV_Cyclune",
     "AskCyclune", "cyclune.officiel", "cyclunе_aide", "cylcune_help"],
)  # fmt: skip
def test_look_alikes_of_a_young_small_account_are_flagged(handle):
    verdict = assess(fresh(handle, "Cyclune Service Client"), BRAND, NOW)
    assert verdict.impersonation, verdict
    assert verdict.score >= 0.6


@pytest.mark.parametrize(
    ("handle", "display", "bio"),
    [
        ("cyclunefan", "Cyclune Fan Club", "Fan account, not affiliated."),
        ("marie_dupont", "Marie Dupont | Cyclune", "Customer care at @cyclune. Views my own."),
        ("velo_lyon", "Vélo Lyon — revendeur Cyclune", "Revendeur agréé Cyclune. SAV en magasin."),
        ("cyclune_lovers", "I love my Cyclune", ""),
        ("jules_42", "Jules", "Client Cyclune depuis 2019."),
    ],
)
def test_fans_employees_resellers_and_customers_are_not_flagged(handle, display, bio):
    verdict = assess(fresh(handle, display, bio, replied=["a", "b"]), BRAND, NOW)
    assert not verdict.impersonation, verdict


def test_the_brands_own_accounts_and_partners_are_excluded():
    for handle in ("@CycluneSAV", "cyclune", "cyclune_lyon_store"):
        verdict = assess(fresh(handle, "Cyclune Support"), BRAND, NOW)
        assert (verdict.impersonation, verdict.score) == (False, 0.0)


def test_replying_to_people_who_tagged_the_brand_makes_it_stronger():
    quiet = assess(established("cyclune_care"), BRAND, NOW)
    angler = assess(
        Account("x", "cyclune_care", "", "", NOW - timedelta(days=2000), 3000, False, ("ana", "bo")),
        BRAND,
        NOW,
        tagged_brand={"ana", "bo", "chris"},
    )
    assert angler.score > quiet.score
    assert "replied to 2 people who tagged the brand" in angler.reasons


def test_replies_to_people_who_never_tagged_the_brand_do_not_count():
    verdict = assess(fresh("cyclune_care", replied=["zed"]), BRAND, NOW, tagged_brand={"ana"})
    assert not any("replied" in reason for reason in verdict.reasons)


def test_an_edit_away_alone_on_an_established_account_is_not_enough():
    verdict = assess(established("cyclone"), BRAND, NOW)
    assert not verdict.impersonation


def test_reasons_say_why_in_words():
    verdict = assess(fresh("cyc1une_help", "Cyclune", "Service client officiel 24/7"), BRAND, NOW)
    assert verdict.reasons[0] == "handle 'cyc1une_help' is the brand's name with the words help"
    assert "account created 10 days ago" in verdict.reasons
    assert "only 40 followers" in verdict.reasons
    assert "bio offers customer support" in verdict.reasons


def test_a_parody_marker_weakens_the_score():
    plain = assess(fresh("cyclune_help"), BRAND, NOW)
    parody = assess(fresh("cyclune_help", bio="Parody account"), BRAND, NOW)
    assert parody.score < plain.score
    assert not parody.impersonation


def test_reasons_come_in_french_too():
    verdict = assess(
        fresh("cyc1une_help", "Cyclune", "Service client officiel 24/7", days=1), BRAND, NOW, lang="fr"
    )
    assert verdict.reasons[0] == "l'identifiant « cyc1une_help » est le nom de la marque avec les mots help"
    assert "compte créé il y a 1 jour" in verdict.reasons
    assert "seulement 40 abonnés" in verdict.reasons
    assert "la bio propose un service client" in verdict.reasons


def test_every_reason_has_both_languages():
    for code, forms in REASONS.items():
        assert set(forms) == {"en", "fr"}, code
