"""One personal update for one affected conversation: the customer's first name (else their
handle), their own problem in their words (the reading the reply drafts use, else a short quote),
the incident's status and when the next update comes, in the conversation's language, within the
platform's length limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ecoute.respond import fields, sectors
from ecoute.respond.drafts import reply_language, wording_for
from ecoute.respond.names import first_name
from ecoute.respond.specifics import extract
from ecoute.respond.types import limit_for
from ecoute.store.models import Author, Brand, Conversation, Mention, Workspace

from . import linking, statements, wording
from .models import Incident
from .wording import join, say

QUOTE_MAX = 70
_HANDLES = re.compile(r"(?:^|\s)@[\w.@-]+")


@dataclass(frozen=True)
class Customer:
    """What a personal update needs to know about one conversation."""

    conversation: Conversation
    mention: Mention
    author: Author | None


def customer(session: Session, workspace_id: int, conversation: Conversation) -> Customer | None:
    """Who in the conversation the incident hurt: the latest unhappy or complaining message that
    is not the brand's own, else the conversation's author's latest; None when only the brand spoke."""
    own = linking.own_authors(session, workspace_id)
    visible = select(Mention).where(
        Mention.workspace_id == workspace_id,
        Mention.conversation_id == conversation.id,
        Mention.hidden.is_(False),
        or_(Mention.author_id.is_(None), Mention.author_id.not_in(own)),
    )
    newest = (Mention.created_at.desc(), Mention.id.desc())
    unhappy = or_(Mention.sentiment == "negative", Mention.intent == "complaint")
    mention = session.scalar(visible.where(unhappy).order_by(*newest).limit(1))
    if mention is None and conversation.author_id is not None:
        mention = session.scalar(
            visible.where(Mention.author_id == conversation.author_id).order_by(*newest).limit(1)
        )
    if mention is None:
        return None
    author = session.get(Author, mention.author_id) if mention.author_id else None
    return Customer(conversation, mention, author)


def compose(
    session: Session, workspace: Workspace, incident: Incident, who: Customer, now: datetime
) -> tuple[str, str]:
    """The update's text and language."""
    lang = reply_language(who.mention, workspace.locale)
    brands = list(session.scalars(select(Brand.name).where(Brand.workspace_id == workspace.id)))
    handle = f"@{who.author.handle}" if who.author and who.author.handle else ""
    name = first_name(who.author.display_name if who.author else None, exclude=brands) or handle
    limit = limit_for(who.conversation.platform)
    fake = statements.impersonator(session, incident)
    if fake is not None:
        values = {"name": name, **_fake(fake)}
        options = wording.choices(lang, "impersonation.update")
        texts = [join(lang, [wording.sentence(lang, [option], values)]) for option in options]
        return _fitting(texts, limit), lang
    values = {**statements.facts(incident, lang, workspace.timezone, now), "name": name}
    values["problem"] = problem(workspace, who.mention, lang, brands)
    values["quote"] = quote(who.mention.text)
    status = say(lang, f"update.status.{incident.status}", values)
    next_update = say(lang, "update.next", values) if incident.status != "resolved" else None
    openings = wording.choices(lang, "update.opening")
    texts = [
        join(lang, [wording.sentence(lang, openings[i:], values), status, next_update])
        for i in range(len(openings))
    ]
    texts.append(join(lang, [wording.sentence(lang, openings[-1:], values), status]))
    return _fitting(texts, limit), lang


def problem(workspace: Workspace, mention: Mention, lang: str, brands: list[str]) -> str:
    """The customer's problem as the reply drafts name it ("le plantage de l'application")."""
    catalogue = sectors.catalogue_of(workspace)
    specifics = extract(
        mention.text,
        lang=lang,
        brand_name=brands[0] if brands else "",
        products=catalogue.products,
        places=catalogue.places,
        other_names=catalogue.other_names,
    )
    reading = fields.read_message(mention.text, specifics, wording_for(catalogue, lang), intent="complaint")
    found = reading.main
    return found.phrase if found is not None and not found.spec.fallback else ""


def quote(text: str) -> str:
    """A few of the customer's own words, cut at a word, handles and links left out."""
    text = " ".join(_HANDLES.sub(" ", re.sub(r"https?://\S+", " ", text)).split())
    first = re.split(r"(?<=[.!?…])\s", text, maxsplit=1)[0].rstrip(".!?… ")
    if len(first) > QUOTE_MAX:
        first = first[:QUOTE_MAX].rsplit(" ", 1)[0] + "…"
    return first


def _fake(fake: statements.Impersonator) -> dict[str, str]:
    return {"fake": fake.fake, "ours": fake.ours[0] if fake.ours else "", "brand": fake.brand}


def _fitting(texts: list[str], limit: int) -> str:
    """The first text within the platform's limit (the shortest when none is)."""
    kept = [t for t in texts if t]
    return next((t for t in kept if len(t) <= limit), min(kept, key=len)[:limit])
