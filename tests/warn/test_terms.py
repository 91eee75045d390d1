from __future__ import annotations

import numpy as np
import pytest

from ecoute.warn.terms import Post, bursts, distinct_author_counts, emerging_terms, score_terms, terms_of

CALM = [Post(f"user{i % 60}", f"Mon vélo Cyclune roule bien, merci #velo jour {i}") for i in range(300)]


def test_terms_keep_hashtags_and_drop_common_words():
    assert terms_of("Les freins #BoycottCyclune sont HS, 2026") == {"freins", "#boycottcyclune"}


def test_a_hostile_hashtag_used_by_many_authors_emerges():
    angry = [Post(f"angry{i}", f"Plus jamais #BoycottCyclune freins cassés {i}") for i in range(25)]
    now = CALM[:100] + angry
    found = emerging_terms(now, CALM)
    assert {"#boycottcyclune", "freins", "cassés", "jamais"} <= {t.term for t in found}
    hashtag = next(t for t in found if t.term == "#boycottcyclune")
    assert hashtag.authors_now == 25 and hashtag.authors_before == 0
    assert "#velo" not in [t.term for t in found]


def test_one_author_repeating_a_term_does_not_make_it_emerge():
    spam = [Post("bot", f"#BoycottCyclune {i}") for i in range(200)]
    found = emerging_terms(CALM[:100] + spam, CALM)
    assert "#boycottcyclune" not in [t.term for t in found]


def test_a_term_as_common_as_before_does_not_emerge():
    assert emerging_terms(CALM[100:200], CALM) == []


def test_bursts_mark_the_intervals_where_a_term_jumps():
    totals = [100] * 30
    relevant = [2] * 12 + [30, 35, 28] + [2] * 15
    states = bursts(relevant, totals)
    assert states[12:15] == [1, 1, 1]
    assert sum(states) == 3


def test_bursts_stay_quiet_on_a_steady_rate():
    assert bursts([3, 2, 4, 3, 2, 3, 4, 2], [100] * 8) == [0] * 8


def test_bursts_refuse_impossible_counts():
    with pytest.raises(ValueError, match="between 0 and its total"):
        bursts([5], [3])


def test_the_fast_path_counts_distinct_authors_per_term_id():
    terms = np.array([7, 7, 7, 3, 3, 9])
    authors = np.array([1, 1, 2, 1, 5, 5])
    assert distinct_author_counts(terms, authors) == {7: 2, 3: 2, 9: 1}


def test_the_fast_path_and_the_text_path_agree():
    angry = [Post(f"angry{i}", f"Plus jamais #BoycottCyclune freins cassés {i}") for i in range(25)]
    now, before = CALM[:100] + angry, CALM
    vocabulary = {t: i for i, t in enumerate(sorted(set().union(*(terms_of(p.text) for p in now + before))))}
    people = {a: i for i, a in enumerate(sorted({p.author for p in now + before}))}

    def ids(posts):
        pairs = [(vocabulary[t], people[p.author]) for p in posts for t in terms_of(p.text)]
        return distinct_author_counts(np.array([a for a, _ in pairs]), np.array([b for _, b in pairs]))

    by_id = score_terms(ids(now), ids(before))
    by_text = emerging_terms(now, before)
    names = {i: t for t, i in vocabulary.items()}
    assert sorted((names[t.term], t.z) for t in by_id) == sorted((t.term, t.z) for t in by_text)
    assert len(by_text) >= 4
