"""Draft replies to a mention: 2-3 proposals in the customer's language, written from its analysis
(intent, sentiment, language) and its specifics, offline, with templates only.

    drafts = draft_replies(mention, author=author, brand_name="Cyclune", locale_fallback="fr",
                           knowledge=items, platform=mention.platform, recent_replies=sent_texts)

The agent picks one, edits it and sends it; ``ecoute.respond.variety.check_variety`` says how
original the final text is. See docs/drafts.md for examples on the demo data.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from types import ModuleType
from typing import Protocol
from zoneinfo import ZoneInfo

from . import phrases_en, phrases_fr, plans
from .compose import Composer
from .knowledge import KnowledgeMatch, find_answer
from .names import first_name
from .specifics import Specifics, extract
from .topics import BY_KEY
from .types import NO_PRIVATE_MESSAGES, SUPPORTED_LANGUAGES, Catalogue, Draft, KnowledgeItem, limit_for
from .variety import check_variety

_QUESTION_TEAMS = (
    ("delivery", ("livr", "expédi", "commande", "deliver", "ship", "order")),
    ("billing", ("rembours", "factur", "paie", "payment", "refund", "invoice")),
    ("app", ("appli", " app", "bluetooth", "iphone", "android")),
    ("repair", ("atelier", "répar", "révision", "garantie", "repair", "warranty")),
)
_TEAMS = {
    "fr": {
        "delivery": "notre service livraison",
        "billing": "notre service comptabilité",
        "app": "notre équipe technique",
        "repair": "notre atelier",
    },
    "en": {
        "delivery": "our delivery team",
        "billing": "our accounts team",
        "app": "our tech team",
        "repair": "our workshop",
    },
}
_GENERIC_ASK = {
    "fr": "quelques détails (et votre numéro de commande si vous en avez un)",
    "en": "a few details (and your order number if you have one)",
}
_ORDER_ASK = {
    "fr": "l'e-mail utilisé pour la commande {order}",
    "en": "the e-mail address used for order {order}",
}
# When no known problem is named, the order or the product the message is about still is.
_VAGUE_PROBLEM = {
    "fr": ("ce souci avec votre commande {order}", "ce souci avec votre {product}"),
    "en": ("the trouble with your order {order}", "the trouble with your {product}"),
}
_AND_FOR = {"fr": ", et pour ", "en": ", and for "}
CASUAL_PLATFORMS = frozenset({"x", "twitter", "bluesky", "mastodon", "instagram", "threads", "tiktok"})
# A complaint's draft quotes a snippet only when it clearly applies: a wrong "tip" to an angry
# customer is worse than none.
COMPLAINT_MIN_SCORE = 0.6


class MentionLike(Protocol):
    text: str
    lang: str | None
    language: str | None
    intent: str | None
    sentiment: str | None
    external_id: str


class AuthorLike(Protocol):
    display_name: str | None


def reply_language(mention: MentionLike, locale_fallback: str) -> str:
    """French or English as the customer wrote; anything else gets the workspace's language."""
    for code in (mention.lang, mention.language):
        if code in SUPPORTED_LANGUAGES:
            return code
    return locale_fallback if locale_fallback in SUPPORTED_LANGUAGES else "en"


def promise_time(now: datetime, lang: str) -> str:
    """When a follow-up can honestly be promised: today by 18:00 if asked before 15:00 on a
    weekday, else the next working day at noon."""
    words = phrases_fr.WHEN if lang == "fr" else phrases_en.WHEN
    if now.weekday() < 5 and now.hour < 15:
        return words["today"]
    if now.weekday() < 4 or (now.weekday() == 6):
        return words["tomorrow"]
    return words["monday"]


def draft_replies(
    mention: MentionLike,
    *,
    author: AuthorLike | None,
    brand_name: str,
    locale_fallback: str,
    knowledge: Sequence[KnowledgeItem],
    platform: str,
    recent_replies: Sequence[str] = (),
    agent_name: str | None = None,
    catalogue: Catalogue | None = None,
    now: datetime | None = None,
    timezone: str = "Europe/Paris",
) -> list[Draft]:
    """Two or three distinct drafts answering ``mention`` on ``platform``.

    ``recent_replies`` are texts the team sent lately: wordings close to them are avoided.
    ``agent_name`` signs the drafts; ``catalogue`` names the workspace's products, places and
    support address; ``now`` (default: the current time in ``timezone``) sets follow-up promises.
    """
    catalogue = catalogue or Catalogue()
    lang = reply_language(mention, locale_fallback)
    name = first_name(
        author.display_name if author else None,
        exclude=[brand_name, *catalogue.products, *catalogue.other_names],
    )
    specifics = extract(
        mention.text,
        lang=lang,
        brand_name=brand_name,
        products=catalogue.products,
        places=catalogue.places,
        other_names=catalogue.other_names,
        author_first_name=name,
    )
    match = find_answer(
        mention.text,
        knowledge,
        lang=lang,
        brand_name=brand_name,
        names=[*catalogue.products, *catalogue.places],
    )
    self_thanked = bool(agent_name) and agent_name in specifics.staff
    if self_thanked:  # "Merci Chloé du support", and Chloé is the one answering
        specifics = replace(specifics, staff=tuple(n for n in specifics.staff if n != agent_name))
    local_now = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone))
    values = _values(
        lang, name, brand_name, agent_name, specifics, match, platform, catalogue, local_now, mention.text
    )
    phrasebook = dict(phrases_fr.PHRASES if lang == "fr" else phrases_en.PHRASES)
    if platform not in CASUAL_PLATFORMS:  # "Claire, désolés…" suits a tweet, not a review
        phrasebook["greet"] = tuple(v for v in phrasebook["greet"] if not v.startswith("{name}"))
    if specifics.topics:
        phrasebook["next"] = BY_KEY[specifics.topics[0]].wording(lang).next_steps
    composer = Composer(
        phrasebook,
        values,
        recent=recent_replies,
        seed=zlib.crc32(mention.external_id.encode()),
        names=[n for n in (name, agent_name, *specifics.staff) if n],
    )
    intent = mention.intent or "other"
    chosen = _choose_plans(
        composer,
        intent,
        mention,
        specifics,
        match,
        platform,
        has_agent=bool(agent_name),
        self_thanked=self_thanked,
    )
    return _finish(chosen, composer, lang, intent, platform, match, specifics, recent_replies)


def _choose_plans(
    composer: Composer,
    intent: str,
    mention: MentionLike,
    specifics: Specifics,
    match: KnowledgeMatch | None,
    platform: str,
    *,
    has_agent: bool,
    self_thanked: bool = False,
) -> list[plans.Plan]:
    negative = mention.sentiment == "negative"
    if intent == "complaint" and specifics.quote and not specifics.topics:
        # Labelled a complaint, yet it names no problem and praises in so many words ("aucun
        # regret", "meilleur achat"): apologising to it would read as not having read it.
        return plans.praise(composer, specifics, mention.text, platform, self_thanked=self_thanked)
    if intent == "complaint" or (intent == "question" and negative and specifics.topics):
        strong = match if match is not None and match.score >= COMPLAINT_MIN_SCORE else None
        return plans.complaint(composer, specifics, strong)
    if intent == "question":
        if match is not None:
            return plans.answer(composer, specifics, match)
        return plans.follow_up(composer, specifics, has_agent=has_agent)
    if intent == "praise":
        return plans.praise(composer, specifics, mention.text, platform, self_thanked=self_thanked)
    if negative:
        return plans.unhappy(composer)
    return plans.other(composer, positive=mention.sentiment == "positive")


def _finish(
    chosen: list[plans.Plan],
    composer: Composer,
    lang: str,
    intent: str,
    platform: str,
    match: KnowledgeMatch | None,
    specifics: Specifics,
    recent: Sequence[str],
) -> list[Draft]:
    limit = limit_for(platform)
    drafts: list[Draft] = []
    seen: set[str] = set()
    for plan in chosen:
        text, trimmed = composer.compose(plan.parts, limit=limit, lang=lang)
        if text in seen:
            continue
        seen.add(text)
        quotes = match is not None and match.item.answer.strip()[:40] in text.replace("’", "'")
        drafts.append(
            Draft(
                text=text,
                lang=lang,
                intent=intent,
                strategy=plan.strategy,
                limit=limit,
                trimmed=trimmed,
                originality=check_variety(text, recent, names=composer.names).score,
                knowledge_title=match.item.title if quotes and match else None,
                knowledge_id=match.item.id if quotes and match else None,
                specifics=_specifics_summary(specifics),
            )
        )
    return drafts[:3]


def _values(
    lang: str,
    name: str | None,
    brand_name: str,
    agent_name: str | None,
    specifics: Specifics,
    match: KnowledgeMatch | None,
    platform: str,
    catalogue: Catalogue,
    now: datetime,
    text: str,
) -> dict[str, str]:
    book: ModuleType = phrases_fr if lang == "fr" else phrases_en
    topic = BY_KEY[specifics.topics[0]] if specifics.topics else None
    values = {
        "name": name or "",
        "brand": brand_name,
        "agent": agent_name or "",
        "order": specifics.order or "",
        "product": specifics.product or "",
        "place": specifics.place or "",
        "amount": specifics.amount or "",
        "duration": specifics.duration or "",
        "duration_cap": (specifics.duration or "").capitalize(),
        "quote": specifics.quote or "",
        "staff": specifics.staff[0] if specifics.staff else "",
        "email": catalogue.contact_email or "",
        "when": promise_time(now, lang),
        "answer": _lower_first(_sentence(match.item.answer)) if match else "",
    }
    values["channel"] = _channel(book, platform, catalogue.contact_email)
    if topic:
        values["ask"] = topic.wording(lang).ask
    else:
        values["ask"] = _ORDER_ASK[lang].format(**values) if specifics.order else _GENERIC_ASK[lang]
    values["team"] = _team(lang, book, specifics, text)
    values["problem"] = _problem(lang, specifics, values)
    if specifics.topics[:1] == ("price",):  # one does not apologise for a price; the generic line fits
        values["problem"] = ""
    return values


def _lower_first(text: str) -> str:
    # "Le code de secours…" follows a colon in French and English alike; "SMS…" keeps its capitals.
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?…" else text + "."


def _channel(book: ModuleType, platform: str, email: str | None) -> str:
    if platform not in NO_PRIVATE_MESSAGES:
        return str(book.CHANNEL_DM)
    return str(book.CHANNEL_EMAIL).format(email=email) if email else ""


def _team(lang: str, book: ModuleType, specifics: Specifics, text: str) -> str:
    lowered = text.casefold()
    if specifics.topics and specifics.topics[0] in BY_KEY:
        return BY_KEY[specifics.topics[0]].wording(lang).team.format(place=specifics.place or "")
    for key, cues in _QUESTION_TEAMS:
        if any(cue in lowered for cue in cues):
            return _TEAMS[lang][key]
    if specifics.place:
        return str(book.SHOP_TEAM).format(place=specifics.place)
    return str(book.DEFAULT_TEAM)


def _problem(lang: str, specifics: Specifics, values: dict[str, str]) -> str:
    """How the apology names the problem: the main topic's most specific wording that fits."""
    known = {key for key, value in values.items() if value}
    if not specifics.topics:
        vague = [p for p in _VAGUE_PROBLEM[lang] if {p.split("{")[1].split("}")[0]} <= known]
        return vague[0].format(**values) if vague else ""
    phrases = []
    for key in specifics.topics[:1] + (("no_answer",) if "no_answer" in specifics.topics[1:] else ()):
        for candidate in BY_KEY[key].wording(lang).problem:
            fields = {part.split("}")[0] for part in candidate.split("{")[1:]}
            if fields <= known:
                phrases.append(candidate.format(**values))
                break
    return _AND_FOR[lang].join(phrases)


def _specifics_summary(specifics: Specifics) -> dict[str, str]:
    summary = {
        "order": specifics.order,
        "product": specifics.product,
        "place": specifics.place,
        "amount": specifics.amount,
        "duration": specifics.duration,
        "topic": specifics.topics[0] if specifics.topics else None,
    }
    return {key: value for key, value in summary.items() if value}
