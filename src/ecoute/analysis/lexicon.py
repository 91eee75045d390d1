"""Lexicon and surface features of tone: VADER (English), textblob-fr (French), emojis, intensity.

The embedding knows what a post is about; these say how loudly and how warmly it is said,
and they carry over to topics the training data never saw. Each feature is a plain number,
so the heads stay linear and cheap.
"""

from __future__ import annotations

import math
import re
import threading
from functools import cache

import numpy as np

from .text import MAX_LEXICON_CHARS, word_set

POSITIVE_EMOJIS = frozenset(
    "😀😃😄😁😊☺🙂😍🥰😘😻💖💕💗💓💞💝❤♥💙💚💛🧡💜🤍👍👌🙌💯✨🎉🥳🤩😎🔥⭐🌟🏆🥇🤗🙏💪✅☀😇😋🤤👑"
)
NEGATIVE_EMOJIS = frozenset("😡🤬😠😤👎😢😭😞😔😟😕🙁☹😩😫😖😣💔🤮🤢😒🙄😑😐🤦🤷😱😰😨😓💩🖕⚠❌🚫😬🥵🥶😪😵")
IRONY_EMOJIS = frozenset("🙃🤡👏😂🤣😅")
NEGATIONS = word_set(
    "ne n' pas jamais plus aucun aucune rien personne ni sans not no never nothing nobody none nor "
    "without cannot can't don't doesn't didn't isn't aren't wasn't weren't won't wouldn't couldn't "
    "shouldn't haven't hasn't hadn't ain't dont doesnt didnt isnt wont cant"
)
LAUGHTER_RE = re.compile(
    r"\b(?:l+o+l+|mdr+|ptdr+|x+d+|(?:ha){2,}h?|(?:he){2,}|(?:hi){2,}|lmao+|rofl)\b", re.I
)
ELONGATED_RE = re.compile(r"([^\W\d_])\1{2,}")
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
INTENSIFIERS = word_set(
    "très trop vraiment tellement grave hyper super ultra franchement carrément absolument totalement "
    "very so really extremely totally absolutely literally seriously super"
)

FEATURE_NAMES: tuple[str, ...] = (
    "en_compound",
    "en_positive",
    "en_negative",
    "en_neutral",
    "fr_polarity",
    "fr_subjectivity",
    "polarity",
    "any_compound",
    "emoji_positive",
    "emoji_negative",
    "emoji_irony",
    "negations",
    "intensifiers",
    "exclamations",
    "multi_exclamation",
    "caps_words",
    "elongated",
    "laughter",
    "length",
)


class Lexicons:
    """VADER and textblob-fr, loaded once (textblob-fr reads its lexicon in about a second)."""

    def __init__(self) -> None:
        from textblob_fr import PatternAnalyzer
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self._french = PatternAnalyzer()
        # pattern loads its lexicon lazily on first use, and that first load is not thread-safe:
        # do it now, while only one thread knows this object.
        self._french.analyze("bon")

    def features(self, text: str, lang: str) -> np.ndarray:
        text = text[:MAX_LEXICON_CHARS]
        vader = self._vader.polarity_scores(text)
        fr_polarity, fr_subjectivity = self._french.analyze(text) if lang == "fr" else (0.0, 0.0)
        is_en = lang != "fr"  # VADER is the better guess for English and for unknown languages
        polarity = vader["compound"] if is_en else float(np.clip(2.0 * fr_polarity, -1.0, 1.0))
        surface = surface_features(text)
        return np.array(
            [
                vader["compound"] * is_en,
                vader["pos"] * is_en,
                vader["neg"] * is_en,
                vader["neu"] * is_en,
                fr_polarity,
                fr_subjectivity,
                polarity,
                vader["compound"],
                *surface,
            ],
            dtype=np.float32,
        )


def surface_features(text: str) -> list[float]:
    """Emojis, negation, intensity and length, the same in every language."""
    words = WORD_RE.findall(text)
    lowered = [word.lower().replace("’", "'") for word in words]
    caps = sum(1 for word in words if len(word) >= 3 and word.isupper())
    return [
        _log_count(sum(ch in POSITIVE_EMOJIS for ch in text)),
        _log_count(sum(ch in NEGATIVE_EMOJIS for ch in text)),
        _log_count(sum(ch in IRONY_EMOJIS for ch in text)),
        _log_count(sum(word in NEGATIONS or word.endswith("n't") for word in lowered)),
        _log_count(sum(word in INTENSIFIERS for word in lowered)),
        _log_count(text.count("!")),
        float("!!" in text or "?!" in text or "!?" in text),
        caps / max(len(words), 1),
        _log_count(len(ELONGATED_RE.findall(text))),
        _log_count(len(LAUGHTER_RE.findall(text))),
        math.log1p(len(text)) / 7.0,
    ]


def _log_count(count: int) -> float:
    return math.log1p(count)


_lexicons_lock = threading.Lock()


def get_lexicons() -> Lexicons:
    """The process-wide lexicons."""
    with _lexicons_lock:
        return _shared_lexicons()


@cache
def _shared_lexicons() -> Lexicons:
    return Lexicons()
