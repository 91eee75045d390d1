"""Urgent words in French and English: what makes a post urgent, and what agents are told.

Each family adds urgency to a priority (a safety issue more than a refund request), and the
word found is shown as a reason ("mot-clé : remboursement"). Patterns are plain on purpose,
so that a reader can audit them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import MAX_LEXICON_CHARS, unescape


@dataclass(frozen=True, slots=True)
class UrgentKeyword:
    """A family of urgent words; ``weight`` is how much urgency it adds to a priority."""

    category: str
    weight: float
    pattern: re.Pattern[str]
    # Set phrases in which a word of the family means something else ("feel the burn", "burn
    # calories"): a word found inside one does not count.
    idioms: re.Pattern[str] | None = None

    def find(self, text: str) -> str | None:
        """The first word of the family in ``text`` that is not part of an idiom, lowercased."""
        first = self.pattern.search(text)
        if first is None:  # most posts: no need to look for idioms
            return None
        spans = [m.span() for m in self.idioms.finditer(text)] if self.idioms else []
        if not spans:
            return first.group(0).lower()
        for match in self.pattern.finditer(text, first.start()):
            if not any(start <= match.start() and match.end() <= end for start, end in spans):
                return match.group(0).lower()
        return None


def words_pattern(alternatives: str) -> re.Pattern[str]:
    """Whole-word alternatives written one after the other, separated by " | "."""
    parts = [part.strip() for part in " ".join(alternatives.split()).split(" | ")]
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)


# The matched word itself is what agents see ("mot-clé : remboursement"), so keep stems whole.
URGENT_KEYWORDS: tuple[UrgentKeyword, ...] = (
    UrgentKeyword(
        "safety",
        0.35,
        words_pattern(
            r"""
        danger(?:eux|euse|ous)? | incendie | fire | en feu | on fire | explos\w* | fumée | smoke |
        brûl(?:é|ée|ure|ures) | burn(?:ed|t|s)? | intoxication | food poisoning | allerg\w+ |
        bless(?:é|ée|és|ure) | injur(?:y|ed|ies) | hôpital | hospital | urgences | électrocut\w* |
        electrocut\w* | gas leak | fuite de gaz | rappel produit | recall | unsafe |
        agress(?:é|ée|ion) | assault(?:ed)? | harcèlement | harass(?:ed|ment)
        """
        ),
        words_pattern(
            r"""
        (?:legs?|thighs?|quads?|calf|calves|muscles?|lungs?) (?:burn|burns|burning) |
        (?:feel|feels|feeling|felt) the burn |
        (?:burn|burns|burned|burnt|burning) (?:off )?(?:\w+ )?(?:calories|cals|kcal|fat) |
        (?:brûlé|brûler|brûle) (?:\w+ )?(?:calories|kcal) |
        (?:burn|burns|burned|burnt|burning) (?:a hole in|through) (?:my|your|his|her|our|their|the)
            (?:pocket|wallet|savings|budget)s? |
        (?:burn|burns|burned|burnt|burning) (?:money|cash|rubber|bridges|the midnight oil) |
        (?:i'm|im|i am|so|totally|feeling|feel) (?:burned|burnt) out | sick burn | slow burn |
        smoke and mirrors | fire sale
        """
        ),
    ),
    UrgentKeyword(
        "legal",
        0.3,
        words_pattern(
            r"""
        avocats? | lawyers? | attorneys? | tribunal | (?:in|to|take you to) court | sue | suing |
        lawsuit | procès | mise en demeure | (?:porter|porte|déposer|dépose) plainte | legal action |
        poursuites judiciaires | dgccrf | ufc(?:[- ]que[- ]choisir)? | 60 millions de consommateurs |
        médiateur | ombudsman | trading standards | bbb | small claims
        """
        ),
    ),
    UrgentKeyword(
        "fraud",
        0.25,
        words_pattern(
            r"""
        arnaque\w* | scam\w* | fraud\w* | escroquerie | escrocs? | stolen | piraté\w* | hacked |
        usurpation | phishing | hameçonnage
        """
        ),
    ),
    UrgentKeyword(
        "refund",
        0.2,
        words_pattern(
            r"""
        rembours\w* | refund\w* | money back | mon argent | my money | chargeback |
        prélevé deux fois | double prélèvement | charged twice | double charged | débité\w* |
        overcharged
        """
        ),
    ),
    UrgentKeyword(
        "urgent",
        0.2,
        words_pattern(
            r"""
        urgent\w* | urgence | asap | emergency | immédiatement | immediately | au plus vite |
        right now | tout de suite | sos | help!+ | à l'aide
        """
        ),
    ),
    UrgentKeyword(
        "churn",
        0.15,
        words_pattern(
            r"""
        résili\w+ | cancel(?:ling|ing|led)? my |
        cancel(?:ling|ing)? (?:the|this) (?:subscription|account) | switching to | je pars chez |
        je change d'opérateur | close my account | fermer mon compte | plus jamais | never again |
        dernière fois | last time i
        """
        ),
    ),
    UrgentKeyword(
        "outage",
        0.1,
        words_pattern(
            r"""
        panne | outage | (?:is|are|went|still|been) down | down again | coupure | hors service |
        ne marche (?:plus|pas) | ne fonctionne (?:plus|pas) | not working | doesn'?t work |
        stopped working | crash\w*
        """
        ),
    ),
)


def urgent_keywords(text: str) -> list[tuple[str, str]]:
    """``(category, word)`` for each family of urgent words found, first match of each family."""
    text = unescape(text[:MAX_LEXICON_CHARS])
    found = []
    for keyword in URGENT_KEYWORDS:
        word = keyword.find(text)
        if word:
            found.append((keyword.category, word))
    return found


def keyword_category(word: str) -> tuple[str, float] | None:
    """The family of an urgent word and the urgency it adds, or ``None``."""
    for keyword in URGENT_KEYWORDS:
        if keyword.pattern.search(word):
            return keyword.category, keyword.weight
    return None
