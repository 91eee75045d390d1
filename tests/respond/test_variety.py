"""The robotic-reply check: the same reply with names and numbers swapped is flagged, a different
one passes."""

from __future__ import annotations

from ecoute.respond import WARN_SIMILARITY, check_variety
from ecoute.respond.variety import normalise

SENT = [
    "Bonjour Bastien, désolés pour l'attente. On regarde tout de suite votre commande #CL-20931 avec notre "
    "transporteur. Vous pouvez nous envoyer votre e-mail en message privé ? — Chloé",
    "Bonjour Sylvain, la révision complète est à 89 € (freins, transmission, diagnostic batterie). "
    "Rdv dans l'app ou en boutique.",
]


def test_same_reply_with_name_order_and_signature_swapped_is_flagged():
    report = check_variety(
        "Bonjour Laura, désolés pour l'attente. On regarde tout de suite votre commande CL-21077 avec notre "
        "transporteur. Vous pouvez nous envoyer votre e-mail en message privé ? — Hugo",
        SENT,
    )

    assert report.warning is True
    assert report.nearest_text == SENT[0]
    assert report.nearest_similarity >= 0.95
    assert report.score <= 5


def test_swapped_amounts_and_names_inside_sentences_still_count_as_the_same_reply():
    report = check_variety(
        "Hi Jake, sorry about that. Karim from the Lyon shop will call you today about the 1 490 € refund.",
        ["Hi Emma, sorry about that. Inès from the Lyon shop will call you today about the 59 € refund."],
        names=["Karim", "Inès"],
    )

    assert report.warning is True
    assert report.nearest_similarity >= WARN_SIMILARITY


def test_a_genuinely_different_reply_passes_with_a_high_score():
    report = check_variety(
        "Bonjour Odile, votre remboursement de 1 490 € a été validé ce jour, "
        "vous le verrez sous 3 à 5 jours. Pardon pour ce délai.",
        SENT,
    )

    assert report.warning is False
    assert report.score >= 50
    assert report.nearest_similarity < WARN_SIMILARITY


def test_one_sentence_rewritten_out_of_three_passes():
    report = check_variety(
        "Bonjour Laura, désolés pour l'attente. On regarde tout de suite votre commande CL-21077 avec notre "
        "transporteur. Pouvez-vous nous écrire en MP avec le nom utilisé pour la commande ? — Hugo",
        SENT,
    )

    assert report.warning is False
    assert 0.5 < report.nearest_similarity < WARN_SIMILARITY


def test_nothing_sent_yet_means_fully_original():
    report = check_variety("Merci Claire !", [])

    assert (report.score, report.nearest_text, report.warning) == (100, None, False)


def test_normalise_replaces_what_varies_between_customers():
    assert normalise(
        "Bonjour Claire ! Commande #CL-20931, 1 890 €, voir https://x.fr @cyclune_aide — Chloé"
    ) == ("bonjour <name> commande <n> <n> voir <url> <handle> <sig>")
