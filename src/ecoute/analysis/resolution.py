"""Whether a customer's message closes the matter: "c'est réglé, merci", "all sorted", "found it".

Read only in the context of a thread (``ecoute.inbox.thread_state``): after the team's answer, or
after the same customer's earlier message. Alone, "merci !" is praise and may deserve an answer;
after an apology and a refund it is the end of the conversation. Patterns are plain, French and
English, so a reader can audit them; a message that is still waiting ("toujours pas", "still
nothing", "same problem", a question) never closes anything, whatever thanks it holds.
"""

from __future__ import annotations

import re

from .keywords import words_pattern

# Said in so many words: the problem is gone.
SOLVED_RE = words_pattern(
    r"""
        réglée? | résolue? | c'est bon | tout est bon | tout va bien | tout marche | tout fonctionne |
        ça remarche | ça marche (?:à nouveau|de nouveau|enfin|maintenant) | ça refonctionne |
        ça fonctionne (?:à nouveau|de nouveau|enfin|maintenant) | remarche | refonctionne |
        fonctionne à nouveau | fausse alerte |
        plus de peur que de mal | problème résolu | sorted | resolved | solved | fixed |
        works (?:again|now|fine) | working (?:again|now|fine) | all good | all fine | all working |
        everything works | false alarm | never mind | nevermind | made it right
    """
)
# Something came back or arrived: closing when the message is not unhappy ("arrived broken" is not);
# the French participles need a verb before them ("l'arrivée de …" is a noun).
BACK_RE = words_pattern(
    r"""
        débloquée?s? | reçue?s? | retrouvée?s? | restaurée?s? | remboursée?s? | réparée?s? | rétablie?s? |
        (?:bien|enfin|finalement|est|sont|c'est) (?:arrivée?s?|revenue?s?) |
        received | arrived | landed | found it | found the | came back | back on |
        restored
    """
)
THANKS_RE = words_pattern(r"merci | thanks? | thank you | thx | cheers | much appreciated")
# Still waiting, still unhappy, or someone else's problem: the thread is not closed.
UNRESOLVED_RE = words_pattern(
    r"""
        toujours pas | toujours rien | toujours aucun\w* | toujours impossible | toujours en attente |
        pas encore | encore une fois | à nouveau en panne | aucune nouvelle | aucune réponse |
        pas de réponse |
        merci pour rien | même problème | pareil pour moi | moi aussi | jamais reçue?s? | jamais arrivée?s? |
        still | not yet | again and again | no news | no answer | no reply | thanks for nothing |
        same (?:here|problem|issue) | me too | never (?:received|arrived|came) |
        personne ne | personne n'\w+ |
        ça commence à bien faire | ras le bol | j'en ai marre | nobody | no one | fed up | typical |
        nothing (?:yet|at all|since)
    """
)
NEGATED_RE = re.compile(
    r"\b(?:pas|plus|jamais|not|never|n't|no longer)\s+(?:\w+\s+)?"
    r"(?:réglée?|résolue?|reçue?s?|arrivée?s?|remboursée?s?|réparée?s?|sorted|resolved|solved|fixed|"
    r"received|arrived|working|restored)\b",
    re.IGNORECASE,
)


def still_waiting(text: str) -> bool:
    """The message says the problem goes on, or asks something: someone must answer it."""
    return "?" in text or bool(UNRESOLVED_RE.search(text) or NEGATED_RE.search(text))


def closes(text: str, *, intent: str | None, sentiment: str | None) -> bool:
    """Whether ``text``, written after an answer or an earlier message, closes the matter: it
    says the problem is solved, or it thanks without complaining, and nothing in it still waits."""
    if still_waiting(text):
        return False
    thanks = bool(THANKS_RE.search(text))
    if SOLVED_RE.search(text) or (BACK_RE.search(text) and (sentiment != "negative" or thanks)):
        return True
    calm = intent not in ("complaint", "question") and sentiment != "negative"
    return calm and (thanks or intent == "praise")
