"""Draft replies to a mention: 2-3 proposals in the customer's language, written from its analysis
(intent, sentiment, language) and its specifics, offline, with templates only.

    drafts = draft_replies(mention, author=author, brand_name="Cyclune", locale_fallback="fr",
                           knowledge=items, platform=mention.platform, recent_replies=sent_texts)

The agent picks one, edits it and sends it; ``ecoute.respond.variety.check_variety`` says how
original the final text is. See docs/drafts.md for examples on the demo data.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from . import fields, plans
from .compose import Composer
from .knowledge import KnowledgeMatch, find_answer
from .names import first_name
from .specifics import Specifics, extract
from .types import SUPPORTED_LANGUAGES, Catalogue, Draft, KnowledgeItem, limit_for
from .variety import check_variety
from .wording import Wording, load_wording

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


def wording_for(catalogue: Catalogue, lang: str) -> Wording:
    """The wordings of the workspace's sector in ``lang``, with its own words and additions."""
    return load_wording(
        catalogue.sector, lang, overrides=catalogue.wordings, words=dict(catalogue.words.get(lang, {}))
    )


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
    wording = wording_for(catalogue, lang)
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
    intent = mention.intent or "other"
    reading = fields.read_message(mention.text, specifics, wording, intent=intent)
    local_now = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone))
    values = _values(
        wording,
        reading,
        name,
        brand_name,
        agent_name,
        specifics,
        match,
        platform,
        catalogue,
        local_now,
        intent,
    )
    composer = Composer(
        _phrasebook(wording, reading, platform),
        values,
        recent=recent_replies,
        seed=zlib.crc32(mention.external_id.encode()),
        names=[n for n in (name, agent_name, *specifics.staff) if n],
        lang=lang,
    )
    chosen = _choose_plans(
        composer,
        intent,
        mention,
        specifics,
        reading,
        match,
        platform,
        has_agent=bool(agent_name),
        self_thanked=self_thanked,
    )
    return _finish(chosen, composer, lang, intent, platform, match, specifics, reading, recent_replies)


def _phrasebook(wording: Wording, reading: fields.Reading, platform: str) -> dict[str, tuple[str, ...]]:
    """The wording's sentences, with those that depend on what the message is about: the next step
    for its main problem, the echo of what it praises."""
    book = dict(wording.slots)
    if platform not in CASUAL_PLATFORMS:  # "Claire, désolés…" suits a tweet, not a review
        book["greet"] = tuple(v for v in book.get("greet", ()) if not v.startswith("{name}"))
    main = reading.main
    if main is not None and main.spec.next:
        book["next"] = _prefilled(main.spec.next, main.values)
    for position, found in enumerate(reading.praised[:2]):
        book[f"echo_praised{position or ''}"] = _prefilled(found.spec.echo, found.values)
    return book


def _prefilled(templates: Sequence[str], values: Mapping[str, str]) -> tuple[str, ...]:
    """Templates with a reading's own fields filled in, the message's fields left for the composer."""
    out = []
    for template in templates:
        text = template
        for key, value in values.items():
            text = text.replace("{" + key + "}", value).replace("{" + key + "?}", f" {value}")
        out.append(text)
    return tuple(out)


def _choose_plans(
    composer: Composer,
    intent: str,
    mention: MentionLike,
    specifics: Specifics,
    reading: fields.Reading,
    match: KnowledgeMatch | None,
    platform: str,
    *,
    has_agent: bool,
    self_thanked: bool = False,
) -> list[plans.Plan]:
    negative = mention.sentiment == "negative"
    if intent == "complaint" and specifics.quote and not reading.problems:
        # Labelled a complaint, yet it names no problem and praises in so many words ("aucun
        # regret", "meilleur achat"): apologising to it would read as not having read it.
        return plans.praise(composer, specifics, reading, mention.text, platform, self_thanked=self_thanked)
    named = [f for f in reading.problems if not f.spec.fallback]
    if intent == "complaint" or (intent == "question" and negative and named):
        strong = match if match is not None and match.score >= COMPLAINT_MIN_SCORE else None
        return plans.complaint(composer, specifics, reading, strong)
    if intent == "question":
        if match is not None:
            return plans.answer(composer, specifics, match)
        return plans.follow_up(composer, specifics, has_agent=has_agent)
    if intent == "praise":
        return plans.praise(composer, specifics, reading, mention.text, platform, self_thanked=self_thanked)
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
    reading: fields.Reading,
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
                specifics=_specifics_summary(specifics, reading),
            )
        )
    return drafts[:3]


def _values(
    wording: Wording,
    reading: fields.Reading,
    name: str | None,
    brand_name: str,
    agent_name: str | None,
    specifics: Specifics,
    match: KnowledgeMatch | None,
    platform: str,
    catalogue: Catalogue,
    now: datetime,
    intent: str,
) -> dict[str, str]:
    lang = wording.lang
    values = {
        **(reading.context or {}),
        "name": name or "",
        "brand": brand_name,
        "agent": agent_name or "",
        "duration_cap": (specifics.duration or "").capitalize(),
        "quote": specifics.quote or "",
        "staff": specifics.staff[0] if specifics.staff else "",
        "email": catalogue.contact_email or "",
        "when": fields.promise_time(now, wording),
        "answer": fields.answer_text(match),
        "channel": fields.channel(wording, platform, catalogue),
        "team": fields.team(reading, wording),
        "problem": fields.problem_phrase(reading, lang, only_main=intent == "praise"),
        "issue": fields.any_phrase(reading, lang),
        "subject": reading.subject.phrase if reading.subject else "",
        "praised": reading.praised[0].phrase if reading.praised else "",
    }
    values["ask"] = fields.choose_ask(reading, specifics, wording, values)
    return {key: value for key, value in values.items() if value}


def _specifics_summary(specifics: Specifics, reading: fields.Reading) -> dict[str, str]:
    summary = {
        "order": specifics.order,
        "product": specifics.product,
        "place": specifics.place,
        "amount": specifics.amount,
        "duration": specifics.duration,
        "topic": reading.keys[0] if reading.keys else None,
        "problem": "; ".join(f.phrase for f in reading.problems if f.phrase) or None,
    }
    return {key: value for key, value in summary.items() if value}
