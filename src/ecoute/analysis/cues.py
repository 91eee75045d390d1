"""Rule cues in French and English: what a post asks for, and the words that make it urgent.

Cues are features for the intent and needs-reply heads (a question mark, an order number, a
"toujours pas"), and the urgent keywords are also shown to agents as reasons for a priority
("mot-clé : remboursement"). Patterns are deliberately plain so that a reader can audit them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .text import HANDLE_RE, HASHTAG_RE, MAX_LEXICON_CHARS, URL_RE, unescape


@dataclass(frozen=True, slots=True)
class UrgentKeyword:
    """A family of urgent words; ``weight`` is how much urgency it adds to a priority."""

    category: str
    weight: float
    pattern: re.Pattern[str]


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


# The matched word itself is what agents see ("mot-clé : remboursement"), so keep stems whole.
URGENT_KEYWORDS: tuple[UrgentKeyword, ...] = (
    UrgentKeyword(
        "safety",
        0.35,
        _words(
            r"danger(?:eux|euse|ous)?",
            r"incendie",
            r"fire",
            r"en feu",
            r"on fire",
            r"explos\w*",
            r"fumée",
            r"smoke",
            r"brûl(?:é|ée|ure|ures)",
            r"burn(?:ed|t|s)?",
            r"intoxication",
            r"food poisoning",
            r"allerg\w+",
            r"bless(?:é|ée|és|ure)",
            r"injur(?:y|ed|ies)",
            r"hôpital",
            r"hospital",
            r"urgences",
            r"électrocut\w*",
            r"electrocut\w*",
            r"gas leak",
            r"fuite de gaz",
            r"rappel produit",
            r"recall",
            r"unsafe",
            r"agress(?:é|ée|ion)",
            r"assault(?:ed)?",
            r"harcèlement",
            r"harass(?:ed|ment)",
        ),
    ),
    UrgentKeyword(
        "legal",
        0.3,
        _words(
            r"avocats?",
            r"lawyers?",
            r"attorneys?",
            r"tribunal",
            r"(?:in|to|take you to) court",
            r"sue",
            r"suing",
            r"lawsuit",
            r"procès",
            r"mise en demeure",
            r"(?:porter|porte|déposer|dépose) plainte",
            r"legal action",
            r"poursuites judiciaires",
            r"dgccrf",
            r"ufc(?:[- ]que[- ]choisir)?",
            r"60 millions de consommateurs",
            r"médiateur",
            r"ombudsman",
            r"trading standards",
            r"bbb",
            r"small claims",
        ),
    ),
    UrgentKeyword(
        "fraud",
        0.25,
        _words(
            r"arnaque\w*",
            r"scam\w*",
            r"fraud\w*",
            r"escroquerie",
            r"escrocs?",
            r"stolen",
            r"piraté\w*",
            r"hacked",
            r"usurpation",
            r"phishing",
            r"hameçonnage",
        ),
    ),
    UrgentKeyword(
        "refund",
        0.2,
        _words(
            r"rembours\w*",
            r"refund\w*",
            r"money back",
            r"mon argent",
            r"my money",
            r"chargeback",
            r"prélevé deux fois",
            r"double prélèvement",
            r"charged twice",
            r"double charged",
            r"débité\w*",
            r"overcharged",
        ),
    ),
    UrgentKeyword(
        "urgent",
        0.2,
        _words(
            r"urgent\w*",
            r"urgence",
            r"asap",
            r"emergency",
            r"immédiatement",
            r"immediately",
            r"au plus vite",
            r"right now",
            r"tout de suite",
            r"sos",
            r"help!+",
            r"à l'aide",
        ),
    ),
    UrgentKeyword(
        "churn",
        0.15,
        _words(
            r"résili\w+",
            r"cancel(?:ling|ing|led)? my",
            r"cancel(?:ling|ing)? (?:the|this) (?:subscription|account)",
            r"switching to",
            r"je pars chez",
            r"je change d'opérateur",
            r"close my account",
            r"fermer mon compte",
            r"plus jamais",
            r"never again",
            r"dernière fois",
            r"last time i",
        ),
    ),
    UrgentKeyword(
        "outage",
        0.1,
        _words(
            r"panne",
            r"outage",
            r"(?:is|are|went|still|been) down",
            r"down again",
            r"coupure",
            r"hors service",
            r"ne marche (?:plus|pas)",
            r"ne fonctionne (?:plus|pas)",
            r"not working",
            r"doesn'?t work",
            r"stopped working",
            r"crash\w*",
        ),
    ),
)

QUESTION_START_RE = re.compile(
    r"^(?:bonjour|hello|hi|hey|salut|bonsoir)?[\s,!.]*"
    r"(?:comment|pourquoi|quand|où|combien|quel(?:le)?s?|qui|est-ce|est ce|peut-on|puis-je|pouvez|"
    r"savez|avez|auriez|serait|y a-t-il|y-a-t-il|how|why|when|where|what|which|who|whom|can|could|"
    r"would|will|do|does|did|is|are|was|were|should|may|anyone|any idea|is there)\b",
    re.IGNORECASE,
)
INVERTED_QUESTION_RE = re.compile(r"\b\w+-(?:vous|tu|il|elle|on|ils|elles|je|t-il|t-elle|t-on)\b", re.I)
REQUEST_RE = _words(
    r"aidez[- ]moi",
    r"help me",
    r"pouvez[- ]vous",
    r"pourriez[- ]vous",
    r"can you",
    r"could you",
    r"please",
    r"pls",
    r"plz",
    r"svp",
    r"stp",
    r"s'il vous plaît",
    r"dm",
    r"mp",
    r"en privé",
    r"contact(?:ez)?[- ]moi",
    r"rappelez[- ]moi",
    r"call me",
    r"get back to me",
    r"any update",
    r"des nouvelles",
    r"une réponse",
    r"an answer",
    r"reply",
    r"répondez",
    r"let me know",
    r"tenez[- ]moi",
)
REFERENCE_RE = re.compile(
    r"(?:commande|order|ticket|dossier|case|réf(?:érence)?|ref(?:erence)?|colis|parcel|tracking|suivi|"
    r"contrat|contract|booking|réservation|reservation|confirmation|facture|invoice)\s*"
    r"(?:n°|no\.?|num(?:éro)?|number|#|:)?\s*[a-z]*\d[\w-]{3,}"
    r"|\b(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])[a-z0-9-]{8,}\b|\b\d{7,}\b",
    re.IGNORECASE,
)
WAITING_RE = re.compile(
    r"\b(?:\d+|deux|trois|quatre|cinq|plusieurs|two|three|four|five|several)\s*"
    r"(?:jours?|j|heures?|h|hrs?|hours?|days?|semaines?|weeks?|mois|months?|min(?:utes?)?)\b"
    r"|\b(?:toujours pas|still (?:no|not|nothing|waiting)|depuis|since|again|encore une fois|à nouveau|"
    r"no one|personne ne|aucune réponse|no response|no reply|pas de réponse|jamais reçu|"
    r"never (?:received|arrived))\b",
    re.IGNORECASE,
)
COMPLAINT_RE = _words(
    r"inadmissible",
    r"honteux",
    r"honte",
    r"scandal\w*",
    r"inacceptable",
    r"unacceptable",
    r"déçu\w*",
    r"disappoint\w*",
    r"nul(?:le)?s?",
    r"worst",
    r"pire",
    r"terrible",
    r"horrible",
    r"ridicul\w*",
    r"lamentable",
    r"joke",
    r"blague",
    r"useless",
    r"incompétent\w*",
    r"incompetent",
    r"cassé\w*",
    r"broken",
    r"damaged",
    r"abîmé\w*",
    r"endommagé\w*",
    r"bug\w*",
    r"erreur",
    r"error",
    r"jamais reçu",
    r"never (?:received|arrived|came)",
    r"lost",
    r"perdu\w*",
    r"retard\w*",
    r"delay\w*",
    r"late",
    r"annulé\w*",
    r"cancel(?:l)?ed",
    r"facturé\w*",
    r"charged",
    r"rude",
    r"impoli\w*",
    r"mépris\w*",
    r"foutez",
    r"fed up",
    r"marre",
    r"ras le bol",
    r"wtf",
    r"smh",
    r"ffs",
)
PRAISE_RE = _words(
    r"merci\w*",
    r"thanks?",
    r"thank you",
    r"thx",
    r"ty",
    r"bravo",
    r"félicitations",
    r"congrat\w*",
    r"kudos",
    r"love",
    r"adore\w*",
    r"j'adore",
    r"génial\w*",
    r"excellent\w*",
    r"parfait\w*",
    r"perfect",
    r"top",
    r"super",
    r"great",
    r"amazing",
    r"awesome",
    r"best",
    r"meilleur\w*",
    r"recommande\w*",
    r"recommend\w*",
    r"impeccable",
    r"au top",
    r"shout ?out",
    r"fantastic",
    r"formidable",
    r"chapeau",
)
SPAM_RE = _words(
    r"follow(?:back| back| me| us)?",
    r"giveaway",
    r"concours",
    r"gagne[rz]?",
    r"win",
    r"promo(?:tion)?s?",
    r"code promo",
    r"promo code",
    r"discount",
    r"réduction",
    r"link in bio",
    r"lien en bio",
    r"crypto\w*",
    r"bitcoin",
    r"nft",
    r"earn",
    r"gratuit\w*",
    r"free",
    r"click",
    r"cliquez",
    r"subscribe",
    r"abonnez[- ]vous",
    r"check out my",
    r"visit my",
    r"my channel",
    r"ma chaîne",
    r"dm for",
    r"dm me",
    r"onlyfans",
    r"casino",
    r"forex",
    r"investi\w*",
    r"job alert",
    r"hiring",
    r"recrute\w*",
    r"offre d'emploi",
)

FEATURE_NAMES: tuple[str, ...] = (
    "question_marks",
    "ends_with_question",
    "question_start",
    "inverted_question",
    "request",
    "reference",
    "waiting",
    "complaint_words",
    "praise_words",
    "spam_words",
    "urls",
    "handles",
    "hashtags",
    "starts_with_handle",
    *(f"urgent_{keyword.category}" for keyword in URGENT_KEYWORDS),
)


def urgent_keywords(text: str) -> list[tuple[str, str]]:
    """``(category, word)`` for each family of urgent words found, first match of each family."""
    text = unescape(text[:MAX_LEXICON_CHARS])
    found = []
    for keyword in URGENT_KEYWORDS:
        match = keyword.pattern.search(text)
        if match:
            found.append((keyword.category, match.group(0).lower()))
    return found


def cue_features(text: str) -> np.ndarray:
    """Numbers the intent and needs-reply heads read next to the embedding."""
    raw = unescape(text[:MAX_LEXICON_CHARS])
    plain = HANDLE_RE.sub(" ", URL_RE.sub(" ", raw)).strip()
    categories = {category for category, _ in urgent_keywords(raw)}
    values = [
        _log(plain.count("?")),
        float(plain.rstrip(" .!)😊🙏").endswith("?")),
        float(bool(QUESTION_START_RE.search(plain))),
        float(bool(INVERTED_QUESTION_RE.search(plain))),
        _log(len(REQUEST_RE.findall(plain))),
        float(bool(REFERENCE_RE.search(plain))),
        _log(len(WAITING_RE.findall(plain))),
        _log(len(COMPLAINT_RE.findall(plain))),
        _log(len(PRAISE_RE.findall(plain))),
        _log(len(SPAM_RE.findall(plain))),
        _log(len(URL_RE.findall(raw))),
        _log(len(HANDLE_RE.findall(raw))),
        _log(len(HASHTAG_RE.findall(raw))),
        float(raw.lstrip().startswith("@")),
        *(float(keyword.category in categories) for keyword in URGENT_KEYWORDS),
    ]
    return np.array(values, dtype=np.float32)


def _log(count: int) -> float:
    return math.log1p(count)
