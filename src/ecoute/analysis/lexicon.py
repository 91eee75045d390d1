"""Lexicon and surface features of tone: VADER (English), textblob-fr (French), emojis, intensity.

The embedding knows what a post is about; these say how loudly and how warmly it is said,
and they carry over to topics the training data never saw. Each feature is a plain number,
so the heads stay linear and cheap.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
import threading
import types
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

from .text import MAX_LEXICON_CHARS, word_set

POSITIVE_EMOJIS = frozenset(
    "😀😃😄😁😊☺🙂😍🥰😘😻💖💕💗💓💞💝❤♥💙💚💛🧡💜🤍👍👌🙌💯✨🎉🥳🤩😎🔥⭐🌟🏆🥇🤗🙏💪✅☀😇😋🤤👑"
    "🫶🥹😌🤌💃🕺🍾🥂🌈😆🌞🌸🌷💐🎂🎁😺"
)
NEGATIVE_EMOJIS = frozenset(
    "😡🤬😠😤👎😢😭😞😔😟😕🙁☹😩😫😖😣💔🤮🤢😒🙄😑😐🤦🤷😱😰😨😓💩🖕⚠❌🚫😬🥵🥶😪😵🫠🤒🤕😿🤯🥴😦😧"
)
IRONY_EMOJIS = frozenset("🙃🤡👏😂🤣😅")
NEGATIONS = word_set(
    "ne n' pas jamais plus aucun aucune rien personne ni sans zéro zero not no never nothing nobody none nor "
    "without cannot can't don't doesn't didn't isn't aren't wasn't weren't won't wouldn't couldn't "
    "shouldn't haven't hasn't hadn't ain't dont doesnt didnt isnt wont cant"
)
LAUGHTER_RE = re.compile(
    r"\b(?:l+o+l+|mdr+|ptdr+|x+d+|(?:ha){2,}h?|(?:he){2,}|(?:hi){2,}|lmao+|rofl)\b", re.I
)
CLAUSE_RE = re.compile(r"[.,;:!?()\n…]+")
ELONGATED_RE = re.compile(r"([^\W\d_])\1{2,}")
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
INTENSIFIERS = word_set(
    "très trop vraiment tellement grave hyper super ultra franchement carrément absolument totalement "
    "very so really extremely totally absolutely literally seriously super"
)

POLARITY_DIR = Path(__file__).parent / "lexicons"
NEGATION_WINDOW = 3


class PolarityList:
    """Our own word lists (lexicons/polarity_*.txt): opinion words and the valence of news."""

    def __init__(self, path: Path):
        entries = {"+": [], "-": []}  # type: dict[str, list[str]]
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                sign, word = line.split(" ", 1)
                entries[sign].append(word.strip())
        self.exact = {
            word: 1 if sign == "+" else -1
            for sign, words in entries.items()
            for word in words
            if not word.endswith("*") and " " not in word
        }
        self.phrases = [
            (word, 1 if sign == "+" else -1)
            for sign, words in entries.items()
            for word in words
            if " " in word
        ]
        self.stems = {
            sign: _stems_pattern([w[:-1] for w in words if w.endswith("*")])
            for sign, words in entries.items()
        }

    def polarity(self, word: str) -> int:
        if word in self.exact:
            return self.exact[word]
        if self.stems["+"].match(word):
            return 1
        return -1 if self.stems["-"].match(word) else 0

    def scores(self, text: str) -> tuple[int, int]:
        """(positive, negative) counts; a negation in the three words before flips a word.

        A negation reaches no further than its clause: in "pas de souci, merci" it turns
        "souci" around, not "merci".
        """
        lowered = text.lower().replace("’", "'")
        positive = negative = 0
        for clause in CLAUSE_RE.split(lowered):
            tokens = WORD_RE.findall(clause)
            for i, token in enumerate(tokens):
                value = self.polarity(token)
                if value and any(
                    t in NEGATIONS or t.endswith("n't") for t in tokens[max(0, i - NEGATION_WINDOW) : i]
                ):
                    value = -value
                positive += value > 0
                negative += value < 0
        for phrase, value in self.phrases:
            if phrase in lowered:
                positive += value > 0
                negative += value < 0
        if "pas mal" in lowered:  # "not bad" is praise in French
            positive, negative = positive + 2, max(negative - 1, 0)
        if "pas terrible" in lowered:  # and "not terrible" is a let-down
            positive, negative = max(positive - 1, 0), negative + 2
        return positive, negative


def _stems_pattern(stems: list[str]) -> re.Pattern[str]:
    if not stems:
        return re.compile(r"(?!x)x")
    return re.compile(
        "(?:" + "|".join(re.escape(stem) for stem in sorted(stems, key=len, reverse=True)) + ")"
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
    "own_positive",
    "own_negative",
    "own_balance",
)


class Lexicons:
    """VADER and textblob-fr, loaded once (textblob-fr reads its lexicon in about a second)."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self._french = french_sentiment()
        # pattern loads its lexicon lazily on first use, and that first load is not thread-safe:
        # do it now, while only one thread knows this object.
        self._french("bon")
        self._polarity = {lang: PolarityList(POLARITY_DIR / f"polarity_{lang}.txt") for lang in ("fr", "en")}

    def features(self, text: str, lang: str) -> np.ndarray:
        text = text[:MAX_LEXICON_CHARS]
        vader = self._vader.polarity_scores(text)
        fr_polarity, fr_subjectivity = self._french(text) if lang == "fr" else (0.0, 0.0)
        is_en = lang != "fr"  # VADER is the better guess for English and for unknown languages
        polarity = vader["compound"] if is_en else float(np.clip(2.0 * fr_polarity, -1.0, 1.0))
        surface = surface_features(text)
        positive, negative = self._polarity["fr" if lang == "fr" else "en"].scores(text)
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
                math.log1p(positive),
                math.log1p(negative),
                (positive - negative) / (positive + negative + 1),
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


def french_sentiment() -> Callable[[str], tuple[float, float]]:
    """textblob-fr's French sentiment, ``(polarity, subjectivity)``: what its ``PatternAnalyzer``
    returns, without importing textblob and NLTK, which its package does first (2.4 s of CPU at
    every start of ``ecoute analyze``, for nothing used here)."""
    if "textblob_fr" not in sys.modules:
        spec = importlib.util.find_spec("textblob_fr")
        if spec is not None and spec.submodule_search_locations:
            package = types.ModuleType("textblob_fr")
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules["textblob_fr"] = package  # its modules, without its __init__
            try:
                from textblob_fr.fr import sentiment

                return sentiment  # type: ignore[no-any-return]
            finally:
                del sys.modules["textblob_fr"]  # a later import of the package gets all of it
    from textblob_fr.fr import sentiment

    return sentiment  # type: ignore[no-any-return]


def get_lexicons() -> Lexicons:
    """The process-wide lexicons."""
    with _lexicons_lock:
        return _shared_lexicons()


@cache
def _shared_lexicons() -> Lexicons:
    return Lexicons()
