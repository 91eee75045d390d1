"""Reasons in the workspace's language: short phrases and numbers written the local way.

French typography: a narrow no-break space groups thousands ("12 345"), a comma marks decimals,
and a no-break space sits between a number and its unit ("48 k", "3 h") and before a colon.
"""

from __future__ import annotations

LOCALES = ("fr", "en")
NBSP = "\u00a0"
NNBSP = "\u202f"

PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "complaint_negative": "plainte négative",
        "complaint": "plainte",
        "question_negative": "question sur un ton négatif",
        "question": "question",
        "praise": "éloge",
        "very_negative": "message très négatif",
        "keyword": "mot-clé" + NBSP + ": {word}",
        "followers": "{count} abonnés",
        "follower": "{count} abonné",
        "verified": "compte vérifié",
        "shares": "{count} partages",
        "likes": "{count} j'aime",
        "replies": "{count} réponses",
        "waiting": "sans réponse depuis {duration}",
        "no_reply_needed": "pas de réponse attendue",
        "thread_closed": "le client dit que c'est réglé",
        "speaker_echo": "partage d'une publication de la marque",
        "speaker_repost": "partage de la publication d'un autre compte",
        "speaker_competitor": "publication d'un concurrent",
        "speaker_press": "article de presse",
        "speaker_to_competitor": "message adressé à un concurrent",
    },
    "en": {
        "complaint_negative": "negative complaint",
        "complaint": "complaint",
        "question_negative": "question in a negative tone",
        "question": "question",
        "praise": "praise",
        "very_negative": "very negative post",
        "keyword": "keyword: {word}",
        "followers": "{count} followers",
        "follower": "{count} follower",
        "verified": "verified account",
        "shares": "{count} shares",
        "likes": "{count} likes",
        "replies": "{count} replies",
        "waiting": "unanswered for {duration}",
        "no_reply_needed": "no reply expected",
        "thread_closed": "the customer says it is sorted",
        "speaker_echo": "repost of the brand's own post",
        "speaker_repost": "repost of another account's post",
        "speaker_competitor": "a competitor's post",
        "speaker_press": "press article",
        "speaker_to_competitor": "addressed to a competitor",
    },
}


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r} (known: {', '.join(LOCALES)})")
    return locale


def phrase(locale: str, key: str, **values: str) -> str:
    return PHRASES[check_locale(locale)][key].format(**values)


def format_number(value: float, locale: str, decimals: int = 0) -> str:
    """12345 → "12 345" (fr) / "12,345" (en); 1.5 → "1,5" / "1.5"."""
    text = f"{value:,.{decimals}f}"
    if locale == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def format_count(count: int, locale: str) -> str:
    """Compact counts: 950, "1,2 k" / "1.2k", "48 k" / "48k", "2,5 M" / "2.5M"."""
    check_locale(locale)
    if count < 1000:
        return format_number(count, locale)
    value, unit = count / 1000, "k"
    if round(value, 1) >= 1000:  # 999,999 reads "1 M", never "1000 k"
        value, unit = count / 1_000_000, "M"
    # One decimal below ten ("1.2k"), none above ("48k"); "1.0k" reads "1k".
    number = format_number(value, locale, 1 if round(value, 1) < 10 else 0)
    number = number.removesuffix(",0").removesuffix(".0")
    return f"{number}{NBSP}{unit}" if locale == "fr" else f"{number}{unit}"


def format_duration(seconds: float, locale: str) -> str:
    """ "25 min", "3 h", "2 j" / "2 d"; the unit grows with the wait, rounded down."""
    check_locale(locale)
    minutes = int(seconds // 60)
    if minutes < 60:
        value, unit = max(minutes, 1), "min"
    elif minutes < 48 * 60:
        value, unit = minutes // 60, "h"
    else:
        value, unit = minutes // (24 * 60), "j" if locale == "fr" else "d"
    return f"{format_number(value, locale)}{NBSP}{unit}"
