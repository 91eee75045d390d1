"""Impersonation: accounts whose handle or display name imitate a brand's own, scored with the
reasons in words.

The core is the name: the TR39 skeleton of a handle or display name equal to the brand's
(homoglyphs), within a small Damerau-Levenshtein distance of it (insertions, omissions,
transpositions), or the brand's name plus support words (``CycluneCare``, ``SAV Cyclune``).
Behaviour and profile make it stronger: replying to people who tagged the brand (angler
phishing), a young account, few followers, no verification, support words in the bio. A
parody/fan marker weakens it. The brand's own accounts and declared partners are never flagged."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein

from ecoute.warn.skeleton import name_key
from ecoute.warn.wording import say

SUPPORT_WORDS = (
    "customerservice", "serviceclient", "servicesclients", "customercare", "assistance", "support",
    "service", "services", "officiel", "officiell", "official", "helpdesk", "contact", "clients",
    "client", "desk", "help", "care", "team", "aide", "sav", "ask", "info", "hq", "uk", "us", "fr",
    "usa", "24", "247",
)  # fmt: skip
PARODY_WORDS = (
    "parody", "parodie", "fan", "fans", "fanclub", "fake", "commentary", "unofficial", "nonofficiel",
)  # fmt: skip
BIO_SUPPORT = re.compile(
    r"customer (service|care|support)|service client|support team|\bsav\b|dm us|écrivez-nous|"
    r"24/7|official (support|help)|compte officiel|help ?desk|whatsapp|telegram",
    re.IGNORECASE,
)
FLAG_AT = 0.6


@dataclass(frozen=True)
class Brand:
    name: str
    handles: tuple[str, ...]
    partners: tuple[str, ...] = ()

    def name_keys(self) -> set[str]:
        found = {name_key(h) for h in self.handles} | {name_key(self.name)}
        return {key for key in found if len(key) >= 3}

    def spellings(self) -> set[str]:
        """The brand's names as written, reduced to plain letters and digits."""
        return {_spelling(text) for text in (*self.handles, self.name)}

    def is_own(self, handle: str) -> bool:
        own = {_plain(h) for h in (*self.handles, *self.partners)}
        return _plain(handle) in own


@dataclass(frozen=True)
class Account:
    platform: str
    handle: str
    display_name: str = ""
    bio: str = ""
    created_at: datetime | None = None
    followers: int | None = None
    verified: bool = False
    replied_to_handles: tuple[str, ...] = ()


@dataclass
class Verdict:
    impersonation: bool
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _NameMatch:
    strength: float
    code: str
    params: dict[str, Any]


def assess(
    account: Account,
    brand: Brand,
    now: datetime,
    tagged_brand: Iterable[str] | None = None,
    lang: str = "en",
) -> Verdict:
    """Score one account against a brand. ``tagged_brand``: the handles of people who mentioned
    the brand; when unknown (``None``), any replies count, at a lower weight."""
    if brand.is_own(account.handle):
        return Verdict(False, 0.0, [say("own_account", lang)])
    match = _best_name_match(account, brand)
    if match is None:
        return Verdict(False, 0.0, [say("no_imitation", lang)])
    score, reasons = match.strength, [say(match.code, lang, **match.params)]
    for weight, code, params in _profile_signals(account, now, tagged_brand):
        score += weight
        reasons.append(say(code, lang, **params))
    score = max(0.0, min(1.0, score))
    return Verdict(score >= FLAG_AT and match.strength >= 0.4, round(score, 3), reasons)


def _best_name_match(account: Account, brand: Brand) -> _NameMatch | None:
    best = None
    for label, text in (("handle", account.handle), ("display_name", account.display_name)):
        for key in brand.name_keys():
            found = _name_match(label, text, key, brand.spellings())
            if found and (best is None or found.strength > best.strength):
                best = found
    return best


def _name_match(label: str, text: str, key: str, spellings: set[str]) -> _NameMatch | None:
    candidate = name_key(text)
    if not candidate:
        return None
    if candidate == key:
        if _spelling(text) in spellings:
            return _NameMatch(0.45, "brand_name", {"label": label, "text": text})
        return _NameMatch(0.6, "confusable", {"label": label, "text": text})
    stripped, words = _strip_support(candidate, key)
    tolerance = _tolerance(key)
    if words:
        distance = 0 if key in stripped else DamerauLevenshtein.distance(stripped, key)
        if key in stripped and stripped.replace(key, "", 1):
            return None  # the brand's name plus other words: a person, a shop, a fan page
        if distance <= tolerance:
            return _NameMatch(
                0.55, "support_words", {"label": label, "text": text, "words": ", ".join(words)}
            )
        return None
    distance = DamerauLevenshtein.distance(candidate, key)
    if distance <= tolerance:
        return _NameMatch(0.4, "edits", {"label": label, "text": text, "n": distance})
    if key in candidate and label == "display_name":
        return _NameMatch(0.15, "contains", {"label": label, "text": text})
    return None


def _strip_support(candidate: str, key: str) -> tuple[str, list[str]]:
    """Remove support words around the brand's name (not inside it); return what is left."""
    rest, removed = candidate, []
    changed = True
    while changed:
        changed = False
        for word in _support_keys():
            if rest.startswith(word) and not key.startswith(word) and len(rest) > len(word):
                rest, changed = rest[len(word) :], True
                removed.append(word)
            elif rest.endswith(word) and not key.endswith(word) and len(rest) > len(word):
                rest, changed = rest[: -len(word)], True
                removed.append(word)
    return rest, removed


def _tolerance(key: str) -> int:
    if len(key) < 5:
        return 0
    return 1 if len(key) < 9 else 2


def _profile_signals(account: Account, now: datetime, tagged_brand: Iterable[str] | None):
    replied = {_plain(h) for h in account.replied_to_handles}
    if tagged_brand is not None:
        replied &= {_plain(h) for h in tagged_brand}
        if replied:
            yield 0.3, "replied_tagged", {"n": len(replied)}
    elif replied:
        yield 0.2, "replied", {"n": len(replied)}
    if account.created_at is not None and now - account.created_at < timedelta(days=90):
        yield 0.15, "young", {"n": max(0, (now - account.created_at).days)}
    if account.followers is not None and account.followers < 1000:
        yield 0.05, "few_followers", {"n": account.followers}
    if not account.verified:
        yield 0.05, "unverified", {}
    if BIO_SUPPORT.search(account.bio or ""):
        yield 0.15, "support_bio", {}
    text = f"{name_key(account.display_name)} {account.bio or ''}".lower()
    if any(re.search(rf"\b{word}\b", text) for word in PARODY_WORDS) or "fan" in _plain(account.handle):
        yield -0.5, "parody", {}


@cache
def _support_keys() -> tuple[str, ...]:
    """Support words as skeletons, longest first (``team`` compares as ``tearn``)."""
    return tuple(sorted({name_key(word) for word in SUPPORT_WORDS}, key=len, reverse=True))


def _spelling(text: str) -> str:
    """Letters and digits only, accents dropped, case folded; no confusable mapping."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))


def _plain(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()
