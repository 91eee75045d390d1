"""What the reply helpers take and give: drafts, knowledge snippets, a workspace's catalogue, and
each platform's length limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Characters a reply may hold on each platform (the platforms' documented limits; the X limit is
# the standard account's). Unknown platforms get DEFAULT_LIMIT, which keeps a reply readable.
PLATFORM_LIMITS: dict[str, int] = {
    "x": 280,
    "twitter": 280,
    "bluesky": 300,
    "mastodon": 500,
    "instagram": 2200,
    "facebook": 8000,
    "google_reviews": 4096,
    "reddit": 10000,
    "youtube": 10000,
}
DEFAULT_LIMIT = 1000
# Platforms whose limit counts UTF-8 bytes too (Google's ReviewReply.comment: 4096 bytes).
BYTE_LIMITS: dict[str, int] = {"google_reviews": 4096}

# Where a reply is public and the platform has no private messages to move to: the customer is
# asked to get in touch by e-mail (or directly, when the workspace has no support address).
NO_PRIVATE_MESSAGES = frozenset({"google_reviews", "trustpilot", "yelp", "youtube", "rss", "blog", "file"})
REVIEW_PLATFORMS = frozenset({"google_reviews", "trustpilot", "yelp"})
SUPPORTED_LANGUAGES = ("fr", "en")


def limit_for(platform: str | None) -> int:
    """The most characters a reply may have on ``platform``."""
    return PLATFORM_LIMITS.get((platform or "").lower(), DEFAULT_LIMIT)


def counted_length(platform: str | None, text: str) -> int:
    """A reply's length as ``platform`` counts it against its limit: X weighs links, CJK and
    emoji (``ecoute.sources.x.length``); elsewhere, characters."""
    if (platform or "").lower() in ("x", "twitter"):
        from ecoute.sources.x.length import weighted_length

        return weighted_length(text)
    return len(text)


@dataclass(frozen=True)
class KnowledgeItem:
    """A fact the team wrote once and drafts may quote: a question and its answer, in one language.

    ``keywords`` are extra words customers use for it ("horaires, ouvert, heure" for opening hours).
    ``lang`` None means the answer suits any language (a phone number, a URL).
    """

    title: str
    answer: str
    lang: str | None = None
    keywords: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class Catalogue:
    """The workspace's business as its drafts speak of it: its trade, what it sells, where, and
    its own words.

    ``sector`` picks the wordings (``ecoute.respond.sectors``: restaurant, hotel, shop…; "other"
    uses the neutral ones). ``words`` are, per language, the workspace's own words over the
    sector's (``reference``: what customers quote, "numéro de réservation"; ``venue``: what its
    places are, "restaurant"; ``team``: who answers, "l'équipe de salle"). ``wordings`` is a TOML
    text of its own additions (see docs/drafts.md). ``other_names`` are names that must never be
    taken for a person or a shop (competitors, partners). ``contact_email`` is where customers are
    sent from platforms with no private messages (reviews, YouTube).
    """

    products: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    contact_email: str | None = None
    sector: str = "other"
    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    wordings: str = ""


@dataclass(frozen=True)
class Draft:
    """One proposed reply.

    ``strategy`` names its approach ("apology_next_step", "answer", "follow_up", "thanks"…) for the
    interface to label; ``knowledge_id``/``knowledge_title`` tell which snippet it quotes;
    ``trimmed`` says optional sentences were left out to fit the platform's ``limit``;
    ``originality`` is the variety score (100 = nothing like the team's recent replies).
    """

    text: str
    lang: str
    intent: str
    strategy: str
    limit: int
    trimmed: bool = False
    originality: int = 100
    knowledge_title: str | None = None
    knowledge_id: int | None = None
    specifics: dict[str, str] = field(default_factory=dict)
    polished: bool = False
