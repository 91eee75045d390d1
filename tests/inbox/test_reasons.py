"""Priority reasons read in the reader's language, with a waiting time that keeps growing."""

from datetime import UTC, datetime, timedelta

from ecoute.inbox.reasons import explain, summary

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
STORED = [
    "plainte négative",
    "mot-clé\u00a0: remboursement",
    "48\u00a0k abonnés",
    "compte vérifié",
    "1,5\u00a0k j'aime",
    "sans réponse depuis 32\u00a0j",
    "règle : client VIP",
]


def _texts(reasons):
    return [r.text for r in reasons]


def test_french_reasons_are_written_again_in_english():
    english = explain(STORED, "en", now=NOW)

    assert _texts(english) == [
        "negative complaint",
        "keyword: remboursement",
        "48k followers",
        "verified account",
        "1.5k likes",
        "règle : client VIP",
    ]


def test_the_stored_waiting_time_is_replaced_by_the_live_one():
    waiting = explain(STORED, "fr", waiting_since=NOW - timedelta(hours=3), now=NOW)
    answered = explain(STORED, "fr", waiting_since=None, now=NOW)
    fresh = explain(STORED, "fr", waiting_since=NOW - timedelta(minutes=5), now=NOW)

    assert _texts(waiting)[-1] == "sans réponse depuis 3\u00a0h"
    assert [r.kind for r in waiting].count("waiting") == 1
    assert "waiting" not in [r.kind for r in answered]
    assert "waiting" not in [r.kind for r in fresh]


def test_plain_spaces_are_understood_like_no_break_spaces():
    assert _texts(explain(["48 k abonnés", "mot-clé : panne"], "en", now=NOW)) == [
        "48k followers",
        "keyword: panne",
    ]


def test_a_list_row_keeps_the_few_reasons_that_say_most():
    reasons = explain(STORED, "en", waiting_since=NOW - timedelta(hours=5), now=NOW)

    assert _texts(summary(reasons)) == [
        "unanswered for 5\u00a0h",
        "keyword: remboursement",
        "règle : client VIP",
    ]
    assert _texts(
        summary(explain(["48 k abonnés", "compte vérifié", "40 partages", "1,5 k j'aime"], "en", now=NOW))
    ) == [
        "48k followers",
        "40 shares",
    ]
