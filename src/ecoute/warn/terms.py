"""Emerging terms and hashtags: which words a window's posts use far more than the baseline's,
counted in distinct authors (fifty posts by one account are one voice), scored by the log-odds
ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words"), and
Kleinberg's two-state burst model (2002) over a term's share of posts per interval."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

_STOP_TEXT = """
the and for you are was with this that have not but all its it's your our out get just what from they
about will can has had been one when more there their them then than too very how why who les des une
est pas que qui pour dans par sur avec mais sont ont vous nous ils elle ses leur tout fait plus cette
aux être avoir comme même encore très bien alors
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_TOKENS = re.compile(r"#\w+|\w{3,}", re.UNICODE)


@dataclass(frozen=True)
class Post:
    author: str
    text: str


@dataclass(frozen=True)
class EmergingTerm:
    term: Any  # the term's text, or its id on the fast path
    authors_now: int
    authors_before: int
    log_odds: float
    z: float


def terms_of(text: str) -> set[str]:
    """Hashtags (kept with their ``#``) and words of three letters or more, lower-cased, minus
    common French and English words and bare numbers."""
    found = {token.casefold() for token in _TOKENS.findall(text)}
    return {t for t in found if t not in STOP_WORDS and not t.lstrip("#").isdigit()}


def author_counts(posts: Iterable[Post]) -> tuple[Counter[str], int]:
    """How many distinct authors used each term, and how many distinct authors posted."""
    by_term: dict[str, set[str]] = {}
    authors = set()
    for post in posts:
        authors.add(post.author)
        for term in terms_of(post.text):
            by_term.setdefault(term, set()).add(post.author)
    return Counter({term: len(names) for term, names in by_term.items()}), len(authors)


def emerging_terms(
    current: Iterable[Post],
    baseline: Iterable[Post],
    min_authors: int = 5,
    min_z: float = 3.0,
    prior: float = 0.1,
) -> list[EmergingTerm]:
    """Terms used by markedly more authors now than in the baseline, strongest first."""
    now, _ = author_counts(current)
    before, _ = author_counts(baseline)
    return score_terms(now, before, min_authors, min_z, prior)


def distinct_author_counts(term_ids: np.ndarray, author_ids: np.ndarray) -> Counter[int]:
    """Distinct authors per term from parallel arrays of (term, author) occurrences: the fast
    path when mentions' terms were extracted once, at ingestion, into integer ids."""
    if term_ids.shape != author_ids.shape:
        raise ValueError("term_ids and author_ids differ in shape")
    if not term_ids.size:
        return Counter()
    span = int(author_ids.max()) + 1
    pairs = np.sort(term_ids.astype(np.int64) * span + author_ids)  # sorted: np.unique is far slower
    pairs = pairs[_firsts(pairs)]
    terms = pairs // span
    starts = np.flatnonzero(_firsts(terms))
    counts = np.diff(np.append(starts, len(terms)))
    return Counter(dict(zip(terms[starts].tolist(), counts.tolist(), strict=True)))


def _firsts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts, in a sorted array."""
    mask = np.ones(len(ordered), dtype=bool)
    mask[1:] = ordered[1:] != ordered[:-1]
    return mask


def score_terms(
    now: Mapping[T, int],
    before: Mapping[T, int],
    min_authors: int = 5,
    min_z: float = 3.0,
    prior: float = 0.1,
) -> list[EmergingTerm]:
    """The log-odds ratio of each term's distinct-author count now against the baseline, with
    an informative Dirichlet prior from the pooled counts; ``prior`` is its strength relative
    to them, so rare terms are shrunk toward no difference rather than exploding."""
    if not now:
        return []
    pooled = Counter(now) + Counter(before)
    total_pooled = sum(pooled.values())
    size_now, size_before = sum(now.values()), sum(before.values())
    alpha_total = prior * total_pooled
    found = []
    for term, count in now.items():
        if count < min_authors:
            continue
        alpha = alpha_total * pooled[term] / total_pooled
        past = before.get(term, 0)
        odds_now = math.log((count + alpha) / (size_now + alpha_total - count - alpha))
        odds_before = math.log((past + alpha) / (size_before + alpha_total - past - alpha))
        delta = odds_now - odds_before
        z = delta / math.sqrt(1.0 / (count + alpha) + 1.0 / (past + alpha))
        if z >= min_z:
            found.append(EmergingTerm(term, count, past, round(delta, 4), round(z, 3)))
    return sorted(found, key=lambda t: t.z, reverse=True)


def bursts(relevant: Sequence[int], totals: Sequence[int], s: float = 2.0, gamma: float = 1.0) -> list[int]:
    """Kleinberg's two-state burst detection for batched counts: ``relevant[t]`` of
    ``totals[t]`` posts mention the term. Returns the most likely state per interval (1 =
    bursting, at ``s`` times the base rate), found by Viterbi; ``gamma`` is the cost of entering
    a burst, in units of log(number of intervals)."""
    if len(relevant) != len(totals):
        raise ValueError("relevant and totals differ in length")
    if not totals or sum(totals) == 0:
        return [0] * len(totals)
    if any(r < 0 or r > n for r, n in zip(relevant, totals, strict=True)):
        raise ValueError("each interval's relevant count must lie between 0 and its total")
    base = sum(relevant) / sum(totals)
    rates = (base, min(0.9999, s * base))
    enter = gamma * math.log(len(totals))
    cost = [0.0, math.inf]
    back: list[tuple[int, int]] = []
    for r, n in zip(relevant, totals, strict=True):
        fit = [_binomial_cost(r, n, p) for p in rates]
        stay0, from1 = cost[0], cost[1]
        best0 = (stay0, 0) if stay0 <= from1 else (from1, 1)
        best1 = (cost[0] + enter, 0) if cost[0] + enter <= cost[1] else (cost[1], 1)
        cost = [best0[0] + fit[0], best1[0] + fit[1]]
        back.append((best0[1], best1[1]))
    state = 0 if cost[0] <= cost[1] else 1
    states = []
    for previous in reversed(back):
        states.append(state)
        state = previous[state]
    return states[::-1]


def _binomial_cost(r: int, n: int, p: float) -> float:
    if p <= 0:
        return 0.0 if r == 0 else math.inf
    return -(r * math.log(p) + (n - r) * math.log(1 - p))
