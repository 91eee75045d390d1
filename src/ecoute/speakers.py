"""Who speaks in an item, seen from the workspace: a customer, the brand itself, someone reposting
the brand's own post or someone else's, a declared competitor, or the press.

Only a customer's message is something to answer. The others are kept for listening (alerts,
insights, share of voice) but never wait in the reply queue: the brand does not answer itself,
a repost of its own update ("RT @brand: …") is not a complaint whatever its words, a repost of
a customer's post ("RT @customer: …", often by a bot or a news account) adds no words of its own
(the post it shares is answered where it was heard, as the X connector skips native reposts), a
competitor's jab (and what people answer the competitor, "@rival …", without a word to the brand)
is for the team to know about, and a news article quoting the brand is not a customer writing to it.
"""

from __future__ import annotations

import re

from ecoute.brands import BrandMatcher
from ecoute.normalise import Item

CUSTOMER, OWN, ECHO, COMPETITOR, PRESS = "customer", "own", "echo", "competitor", "press"
REPOST = "repost"  # someone reposting another account's post, word for word
TO_COMPETITOR = "to_competitor"  # someone writing to a competitor, not to the brand
HEARD = (ECHO, REPOST, COMPETITOR, PRESS, TO_COMPETITOR)  # kept for listening, never answered
HANDLE_RE = re.compile(r"(?<![\w@])@([\w.]+)")
# Platforms whose items are publications (a feed source's default label; reviews and comments
# arriving through a feed keep their kind and stay customers').
FEED_PLATFORMS = frozenset({"rss", "atom", "news", "blog"})
REPOST_RE = re.compile(r"^\s*(?:RT|MT|repost(?:ed)?|reposté)\s*:?\s*@([\w.]+)\b", re.IGNORECASE)
FIRST_PERSON_RE = re.compile(
    r"\b(?:je|me|moi|mon|ma|mes|nous|notre|nos|vous|votre|vos|tu|ton|ta|tes|i|my|mine|we|our|you|your)\b"
    r"|\b[jm]['’]",
    re.IGNORECASE,
)
# A headline: a title, a dash and a summary of a sentence or more ("Panne géante chez X — L'opérateur
# évoque un câble sectionné."), or a title and the article's link; no exclamation, no question.
HEADLINE_RE = re.compile(r"^[^@#!?\n]{20,}?\s[—–]\s[^@#!?]{40,}\.$|^[^@#!?\n]{30,}\shttps?://\S+$", re.DOTALL)


def speaker_of(item: Item, matcher: BrandMatcher) -> str:
    """The item's speaker (one of the module's constants), from its author and its shape."""
    author = (item.author or "").lower()
    if author and author in matcher.own_handles:
        return OWN
    if author and author in matcher.competitor_handles:
        return COMPETITOR
    reposted = REPOST_RE.match(item.text)
    if reposted:
        return ECHO if reposted.group(1).lower() in matcher.own_handles else REPOST
    addressed = [handle.lower().rstrip(".") for handle in HANDLE_RE.findall(item.text)]
    if addressed and addressed[0] in matcher.competitor_handles and matcher.own_handles.isdisjoint(addressed):
        return TO_COMPETITOR
    if item.kind == "post" and (item.platform in FEED_PLATFORMS or is_headline(item.text)):
        return PRESS
    return CUSTOMER


def is_headline(text: str) -> bool:
    """A publisher's headline: a title and a summary or a link, addressed to nobody, with no one
    speaking for themselves in it (a customer writes "I", "my order", "@brand")."""
    return bool(HEADLINE_RE.match(text.strip())) and not FIRST_PERSON_RE.search(text)
