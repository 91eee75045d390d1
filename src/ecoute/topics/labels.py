"""Topic labels: the words and two-word phrases that set a topic apart, by class-based TF-IDF.

Each topic's texts are joined into one document; a term's weight is its frequency in that topic
times ``log(1 + mean words per topic / the term's frequency over all topics)`` (c-TF-IDF, as
BERTopic defines it), so words common to every topic ("card", "please") sink. French and English
share one vocabulary: stop words of both languages are dropped, and elisions (l', d', qu', j'…)
are split off before counting so "l'application" counts as "application". A label is the best
terms joined by " · ", skipping a term that shares a word with one already chosen ("card" or
"card payment" after "card arrival", "activating card" after "activate card"), and two-word
terms that repeat one word ("card card").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

TERMS_PER_LABEL = 3
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)@[\w.]+|\d+")
_TOKEN = r"(?u)\b[^\W\d_]{2,}\b"
_WORD = re.compile(r"[^\W\d_]{2,}")
# Words that carry no topic in customer messages, on top of the two languages' stop-word lists.
_EXTRA_STOP_WORDS = {"bonjour", "merci", "svp", "stp", "please", "hi", "hello", "thanks", "thank"}


@cache
def stop_words() -> frozenset[str]:
    """French and English stop words, with and without accents (people type both)."""
    import stopwordsiso

    words = set(stopwordsiso.stopwords("fr")) | set(stopwordsiso.stopwords("en")) | _EXTRA_STOP_WORDS
    words |= {_strip_accents(word) for word in words}
    return frozenset(word for word in words if _WORD.fullmatch(word))


def prepare(text: str) -> str:
    """The text as the label vocabulary sees it: no links, handles, numbers or elided articles."""
    return _ELISION.sub(" ", _NOISE.sub(" ", text.lower()))


def topic_labels(
    texts: Sequence[str], topics: np.ndarray, terms: int = TERMS_PER_LABEL, ignore: Iterable[str] = ()
) -> dict[int, str]:
    """A label per topic id in ``topics`` (one id per text), from the texts' words; ``ignore``:
    words that say nothing of a topic here (the brands every mention is about)."""
    from sklearn.feature_extraction.text import CountVectorizer  # as in ``clustering.cluster``

    ids = sorted(int(topic) for topic in np.unique(topics))
    documents = [" ".join(prepare(texts[i]) for i in np.flatnonzero(topics == topic)) for topic in ids]
    unwanted = stop_words() | {word for text in ignore for word in prepare(text).split()}
    vectorizer = CountVectorizer(
        ngram_range=(1, 2), stop_words=sorted(unwanted), token_pattern=_TOKEN, lowercase=False
    )
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # nothing but stop words, numbers and links in every text
        return {topic: "" for topic in ids}
    weights = c_tf_idf(counts.toarray().astype(np.float64))
    vocabulary = vectorizer.get_feature_names_out()
    return {topic: _label(weights[row], vocabulary, terms) for row, topic in enumerate(ids)}


def c_tf_idf(counts: np.ndarray) -> np.ndarray:
    """Class-based TF-IDF of a topics × terms count matrix."""
    frequency = counts.sum(axis=0)
    average_words = counts.sum() / max(len(counts), 1)
    idf = np.log1p(average_words / np.maximum(frequency, 1))
    row_totals = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    return counts / row_totals * idf


def _label(weights: np.ndarray, vocabulary: np.ndarray, terms: int) -> str:
    chosen: list[str] = []
    for index in np.argsort(-weights, kind="stable")[: terms * 10]:
        if weights[index] <= 0 or len(chosen) == terms:
            break
        term = str(vocabulary[index])
        if len(_stems(term)) < len(term.split()):
            continue
        if not any(_near_duplicate(term, other) for other in chosen):
            chosen.append(term)
    return " · ".join(chosen)


def _near_duplicate(term: str, other: str) -> bool:
    """Terms sharing a word, up to its first five letters: "activating card" repeats "activate
    card", "card" and "account american" repeat "card arrival" and "american express"."""
    return bool(_stems(term) & _stems(other))


def _stems(term: str) -> set[str]:
    return {_stem(_strip_accents(word)) for word in term.split()}


def _stem(word: str) -> str:
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    return word[:5]


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
