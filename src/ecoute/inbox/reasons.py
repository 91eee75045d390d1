"""Priority reasons as the reader needs them: in the reader's language, with a live waiting time.

The analysis engine stores each mention's reasons as short phrases in the workspace's language
("plainte négative", "48 k abonnés", "sans réponse depuis 3 h"), written when the mention came
in. A person reading in English should see English, and "waiting for 3 h" must keep growing
until someone answers: this module recognises the engine's phrases (``ecoute.analysis.wording``),
writes them again in the reader's language, and recomputes the waiting time. A phrase it does
not recognise (a rule's, say) is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

try:  # the analysis engine's phrase book; without it, reasons are shown exactly as stored
    from ecoute.analysis import wording
except ImportError:  # pragma: no cover - the engine ships with the package
    wording = None  # type: ignore[assignment]

SHOW_WAITING_SECONDS = 15 * 60  # as the engine: a shorter wait is not worth a reason
# What each of the engine's phrases is about, so the page can style them.
KINDS = {
    "complaint_negative": "label",
    "complaint": "label",
    "question_negative": "label",
    "question": "label",
    "praise": "label",
    "very_negative": "label",
    "keyword": "keyword",
    "followers": "reach",
    "follower": "reach",
    "verified": "reach",
    "shares": "engagement",
    "likes": "engagement",
    "replies": "engagement",
    "waiting": "waiting",
    "no_reply_needed": "info",
}
_UNITS = {"min": 60, "h": 3600, "j": 86400, "d": 86400}


@dataclass(frozen=True)
class Reason:
    text: str
    kind: str  # label, keyword, reach, engagement, waiting, info or other
    key: str = ""  # the engine's phrase ("followers", "likes"…), empty when not recognised


@cache
def _patterns() -> list[tuple[re.Pattern[str], str, str]]:
    """(regex, locale, key) for every phrase of every language, longest templates first."""
    if wording is None:
        return []
    found = []
    for locale, phrases in wording.PHRASES.items():
        for key, template in phrases.items():
            regex = re.escape(_spaces(template))
            for name in ("count", "duration", "word"):
                regex = regex.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)")
            found.append((re.compile(f"^{regex}$"), locale, key))
    return sorted(found, key=lambda entry: -len(entry[0].pattern))


def _spaces(text: str) -> str:
    """No-break spaces read as plain ones: stored reasons may have been typed or copied."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _number(text: str, locale: str) -> float | None:
    """Read back a number the engine wrote: "12 345", "1,2 k" (fr) or "12,345", "1.2k" (en)."""
    compact = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    scale = 1
    if compact[-1:] in ("k", "M"):
        scale = 1000 if compact[-1] == "k" else 1_000_000
        compact = compact[:-1]
    compact = compact.replace(",", ".") if locale == "fr" else compact.replace(",", "")
    try:
        return float(compact) * scale
    except ValueError:
        return None


@lru_cache(maxsize=8192)  # the same few hundred phrases come back on every page
def _translate(reason: str, target: str) -> Reason:
    for pattern, locale, key in _patterns():
        match = pattern.match(_spaces(reason))
        if match is None:
            continue
        values = match.groupdict()
        if "count" in values:
            count = _number(values["count"], locale)
            if count is None:
                return Reason(reason, KINDS.get(key, "other"), key)
            values["count"] = wording.format_count(int(count), target)
        if "duration" in values:
            values["duration"] = _duration(values["duration"], locale, target) or values["duration"]
        return Reason(wording.phrase(target, key, **values), KINDS.get(key, "other"), key)
    return Reason(reason, "other")


def _duration(text: str, locale: str, target: str) -> str | None:
    number, _, unit = text.partition(" ")
    seconds = _number(number, locale)
    if seconds is None or unit not in _UNITS:
        return None
    return str(wording.format_duration(seconds * _UNITS[unit], target))


def explain(
    stored: Iterable[object],
    locale: str,
    *,
    waiting_since: datetime | None = None,
    now: datetime | None = None,
) -> list[Reason]:
    """The reasons in ``locale``. ``waiting_since``: when the unanswered message came (None when
    nobody is waited for): the stored waiting time is replaced by the live one, or dropped."""
    if wording is None or locale not in wording.LOCALES:
        return [Reason(str(r), "other") for r in stored]
    reasons = [r for r in (_translate(str(text), locale) for text in stored) if r.kind != "waiting"]
    if waiting_since is not None:
        waited = ((now or datetime.now(waiting_since.tzinfo)) - waiting_since).total_seconds()
        if waited >= SHOW_WAITING_SECONDS:
            duration = wording.format_duration(waited, locale)
            reasons.append(Reason(wording.phrase(locale, "waiting", duration=duration), "waiting", "waiting"))
    return reasons


# In a one-line summary, what says most about urgency comes first; labels (shown as chips) and
# "verified" (shown as a badge) are left out.
_SUMMARY_ORDER = {"waiting": 0, "keyword": 1, "other": 2, "reach": 3, "engagement": 4}


def summary(reasons: list[Reason], limit: int = 3) -> list[Reason]:
    """The few reasons a list row has room for."""
    kept = [r for r in reasons if r.kind in _SUMMARY_ORDER and r.key != "verified"]
    kept.sort(key=lambda r: _SUMMARY_ORDER[r.kind])
    seen_engagement = False
    chosen = []
    for reason in kept:
        if reason.kind == "engagement":
            if seen_engagement:
                continue
            seen_engagement = True
        chosen.append(reason)
    return chosen[:limit]
