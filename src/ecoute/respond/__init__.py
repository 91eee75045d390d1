"""Answering customers: reply drafts in their language, saved replies, the robotic-reply check.

    from ecoute.respond import draft_replies, check_variety, render_snippet

See docs/drafts.md for what the drafts look like on the demo data and how they are built.
"""

from .drafts import draft_replies, reply_language
from .names import first_name
from .types import DEFAULT_LIMIT, PLATFORM_LIMITS, Catalogue, Draft, KnowledgeItem, limit_for
from .variety import WARN_SIMILARITY, VarietyReport, check_variety

__all__ = [
    "DEFAULT_LIMIT",
    "PLATFORM_LIMITS",
    "WARN_SIMILARITY",
    "Catalogue",
    "Draft",
    "KnowledgeItem",
    "VarietyReport",
    "check_variety",
    "draft_replies",
    "first_name",
    "limit_for",
    "reply_language",
]
