"""Rule cues in French and English: what a post asks for (a question, a reference, a request).

Cues are features for the intent and needs-reply heads next to the embedding: a question
mark, an order number, a "toujours pas", a spam phrase. Patterns are deliberately plain so
that a reader can audit them.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .keywords import URGENT_KEYWORDS, urgent_keywords, words_pattern
from .text import HANDLE_RE, HASHTAG_RE, MAX_LEXICON_CHARS, URL_RE, unescape

QUESTION_START_RE = re.compile(
    r"^(?:bonjour|hello|hi|hey|salut|bonsoir)?[\s,!.]*"
    r"(?:comment|pourquoi|quand|où|combien|quel(?:le)?s?|qui|est-ce|est ce|peut-on|puis-je|pouvez|"
    r"savez|avez|auriez|serait|y a-t-il|y-a-t-il|how|why|when|where|what|which|who|whom|can|could|"
    r"would|will|do|does|did|is|are|was|were|should|may|anyone|any idea|is there)\b",
    re.IGNORECASE,
)
INVERTED_QUESTION_RE = re.compile(r"\b\w+-(?:vous|tu|il|elle|on|ils|elles|je|t-il|t-elle|t-on)\b", re.I)
REQUEST_RE = words_pattern(
    r"""
        aidez[- ]moi | help me | pouvez[- ]vous | pourriez[- ]vous | can you | could you | please |
        pls | plz | svp | stp | s'il vous plaît | dm | mp | en privé | contact(?:ez)?[- ]moi |
        rappelez[- ]moi | call me | get back to me | any update | des nouvelles | une réponse |
        an answer | reply | répondez | let me know | tenez[- ]moi
        """
)
REFERENCE_RE = re.compile(
    r"(?:commande|order|ticket|dossier|case|réf(?:érence)?|ref(?:erence)?|colis|parcel|tracking|suivi|"
    r"contrat|contract|booking|réservation|reservation|confirmation|facture|invoice)\s*"
    r"(?:n°|no\.?|num(?:éro)?|number|#|:)?\s*[a-z]*\d[\w-]{3,}"
    r"|\b(?=[a-z0-9-]*\d)(?=[a-z0-9-]*[a-z])[a-z0-9-]{8,}\b|\b\d{7,}\b",
    re.IGNORECASE,
)
DURATION = (
    r"(?:\d+|une?|deux|trois|quatre|cinq|six|plusieurs|an?|one|two|three|four|five|six|several)\s*"
    r"(?:jours?|j|heures?|h|hrs?|hours?|days?|semaines?|weeks?|mois|months?|min(?:utes?)?)\b"
)
# A duration is a wait when it is counted from something ("depuis 3 jours", "3 jours que",
# "for two weeks", "3 days ago"); "4 mois plus tard" or "three weeks into my commute" is not.
WAITING_RE = re.compile(
    r"\b(?:depuis|ça fait|ca fait|cela fait|voilà|il y a|for|since|over|after|waited|waiting|attend\w*)\s+"
    + DURATION
    + r"|\b"
    + DURATION
    + r"\s+(?:que|qu'|sans|d'attente|de retard|ago|without|and still|late|of waiting)"
    r"|\b(?:toujours pas|still (?:no|not|nothing|waiting)|depuis|since|again|encore une fois|à nouveau|"
    r"no one|personne ne|aucune réponse|no response|no reply|pas de réponse|jamais reçu|"
    r"never (?:received|arrived))\b",
    re.IGNORECASE,
)
COMPLAINT_RE = words_pattern(
    r"""
        inadmissible | honteux | honte | scandal\w* | inacceptable | unacceptable | déçu\w* |
        disappoint\w* | nul(?:le)?s? | worst | pire | terrible | horrible | ridicul\w* | lamentable |
        joke | blague | useless | incompétent\w* | incompetent | cassé\w* | broken | damaged |
        abîmé\w* | endommagé\w* | bug\w* | erreur | error | jamais reçu |
        never (?:received|arrived|came) | lost | perdu\w* | retard\w* | delay\w* | late | annulé\w* |
        cancel(?:l)?ed | facturé\w* | charged | rude | impoli\w* | mépris\w* | foutez | fed up |
        marre | ras le bol | wtf | smh | ffs
        """
)
PRAISE_RE = words_pattern(
    r"""
        merci\w* | thanks? | thank you | thx | ty | bravo | félicitations | congrat\w* | kudos |
        love | adore\w* | j'adore | génial\w* | excellent\w* | parfait\w* | perfect | top | super |
        great | amazing | awesome | best | meilleur\w* | recommande\w* | recommend\w* | impeccable |
        au top | shout ?out | fantastic | formidable | chapeau
        """
)
SPAM_RE = words_pattern(
    r"""
        follow(?:back| back| me| us)? | giveaway | concours | gagne[rz]? | win | promo(?:tion)?s? |
        code promo | promo code | discount | réduction | link in bio | lien en bio | crypto\w* |
        bitcoin | nft | earn | gratuit\w* | free | click | cliquez | subscribe | abonnez[- ]vous |
        check out my | visit my | my channel | ma chaîne | dm for | dm me | onlyfans | casino |
        forex | investi\w* | job alert | hiring | recrute\w* | offre d'emploi
        """
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
