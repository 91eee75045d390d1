"""Which language a post is in: ISO 639-1 code, or "und" when the text cannot tell.

Two detectors vote on the words that remain once handles, hashtags, links and emojis are gone
(see ``text.for_language``): py3langid (fast, character n-grams, trained on long text) and
lingua (slower but far better on tweet-length text), both restricted to the languages a French
or English desk actually meets, so that "merci pour le colis" is never Catalan. French and
English get a small prior: most of a workspace's posts are in them, and a short ambiguous post
is likelier to be one of them than, say, Dutch.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from .text import for_language, letter_count, word_set

UNDETERMINED = "und"
LANGUAGES: tuple[str, ...] = (
    "fr",
    "en",
    "es",
    "de",
    "it",
    "pt",
    "nl",
    "ar",
    "ru",
    "tr",
    "pl",
    "ja",
    "zh",
    "ko",
)
FIRST_CLASS = ("fr", "en")
FIRST_CLASS_PRIOR = 1.6
MIN_LETTERS = 4
# The best language must either win outright or clearly lead the runner-up; otherwise "und".
# Short texts need a clearer vote (one word like "top" or "bravo" belongs to many languages).
WIN = 0.55
LEAD = (0.35, 0.2)  # at least this confidence, and this far ahead of the second
WIN_SHORT = 0.7
LEAD_SHORT = (0.4, 0.25)
SHORT_LETTERS = 12
LINGUA_WEIGHT = 0.55
LANGID_WEIGHT = 0.25
WORDS_WEIGHT = 0.20
# Words that are frequent in posts and belong to one of the two first-class languages only.
# They settle the short cases the statistical detectors hesitate on ("merci", "trop bien").
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "fr": word_set(
        "le la les des du un une et est je tu il elle nous vous ils elles pas ne mon ma mes ton ta tes "
        "son sa ses notre votre vos leur leurs pour sur avec sans dans chez très trop bien merci bonjour "
        "bonsoir salut c'est j'ai j'aime j'adore n'est qu'il qu'on d'un d'une l'on au aux ce cet cette "
        "ces qui que quoi où comment pourquoi quand mais ou donc car encore toujours jamais rien déjà "
        "aussi vraiment franchement nul génial super svp stp ça oui non depuis plus moins avoir être fait"
    ),
    "en": word_set(
        "the a an and is are was were i you he she we they not my your his her our their for on with "
        "without in at this that these those who what where how why when but or so still never nothing "
        "already also really thanks thank please hi hello hey it's i'm i've don't can't won't doesn't "
        "didn't isn't yes no since more less have has had been be do does did just got get love hate "
        "great awesome terrible worst best"
    ),
}
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    confidence: float


class LanguageDetector:
    """Loaded once per process (lingua's models take a second to build)."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES):
        from lingua import IsoCode639_1, LanguageDetectorBuilder
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.languages = languages
        isos = [getattr(IsoCode639_1, code.upper()) for code in languages]
        self._lingua = LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()
        self._langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self._langid.set_languages(list(languages))
        self._lock = threading.Lock()

    def detect(self, text: str) -> LanguageGuess:
        words = for_language(text)
        letters = letter_count(words)
        if letters < MIN_LETTERS:
            return LanguageGuess(UNDETERMINED, 0.0)
        ranked = sorted(self._votes(words).items(), key=lambda item: item[1], reverse=True)
        (code, best), (_, second) = ranked[0], ranked[1]
        win, (lead_min, lead_gap) = (WIN_SHORT, LEAD_SHORT) if letters < SHORT_LETTERS else (WIN, LEAD)
        if best >= win or (best >= lead_min and best - second >= lead_gap):
            return LanguageGuess(code, round(best, 4))
        return LanguageGuess(UNDETERMINED, round(best, 4))

    def detect_many(self, texts: list[str]) -> list[LanguageGuess]:
        return [self.detect(text) for text in texts]

    def _votes(self, words: str) -> dict[str, float]:
        with self._lock:  # lingua's detector is shared; keep calls serial
            lingua = {
                value.language.iso_code_639_1.name.lower(): value.value
                for value in self._lingua.compute_language_confidence_values(words)
            }
        langid = dict(self._langid.rank(words)[:3])
        by_words = function_word_vote(words)
        weights = (LINGUA_WEIGHT, LANGID_WEIGHT, WORDS_WEIGHT if by_words else 0.0)
        votes = {
            code: weights[0] * lingua.get(code, 0.0)
            + weights[1] * float(langid.get(code, 0.0))
            + weights[2] * by_words.get(code, 0.0)
            for code in self.languages
        }
        for code in FIRST_CLASS:
            votes[code] *= FIRST_CLASS_PRIOR
        total = sum(votes.values()) or 1.0
        return {code: value / total for code, value in votes.items()}


def function_word_vote(words: str) -> dict[str, float]:
    """Share of French vs English function words; empty when there are none."""
    tokens = [token.replace("’", "'") for token in WORD_RE.findall(words.lower())]
    hits = {code: sum(token in vocabulary for token in tokens) for code, vocabulary in FUNCTION_WORDS.items()}
    total = sum(hits.values())
    return {code: count / total for code, count in hits.items()} if total else {}


_detector_lock = threading.Lock()


def get_language_detector() -> LanguageDetector:
    """The process-wide detector (building lingua's models takes about a second)."""
    with _detector_lock:
        return _shared_detector()


@cache
def _shared_detector() -> LanguageDetector:
    return LanguageDetector()
