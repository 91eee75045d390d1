"""What the reply composer shows for one conversation: the message answered, 2-3 drafts in the
customer's language, the saved replies filled in for it, the platform's limit, and the newest
reply already there (the baseline for the "someone answered meanwhile" check)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecoute.store.models import Author, Brand, Conversation, Mention, Reply, Workspace

from . import library
from .drafts import draft_replies, reply_language
from .names import first_name
from .outbox import recent_texts
from .sectors import catalogue_of
from .snippets import SnippetError, render_snippet
from .types import Draft, limit_for


@dataclass(frozen=True)
class FilledSnippet:
    id: int
    name: str
    text: str
    missing: tuple[str, ...]


# X accepts an app's reply only where the author addressed the brand, and weighs characters.
PLATFORM_NOTES = {"x": "x", "twitter": "x"}


@dataclass(frozen=True)
class ComposerData:
    mention: Mention
    lang: str
    limit: int
    drafts: list[Draft]
    snippets: list[FilledSnippet]
    seen_reply_id: int
    first_name: str | None
    # What the platform allows that the writer should know before writing (a locale key's end).
    platform_note: str | None = None


def brand_name(session: Session, workspace: Workspace) -> str:
    """The workspace's own first brand (competitors aside), else the workspace's name."""
    name = session.scalar(
        select(Brand.name)
        .where(Brand.workspace_id == workspace.id, Brand.competitor_of_id.is_(None))
        .order_by(Brand.id)
        .limit(1)
    )
    return name or workspace.name


def answered_mention(session: Session, workspace_id: int, conversation: Conversation) -> Mention | None:
    """The message a reply answers: the one that drives the conversation (its intent is the
    conversation's) when it needs a reply or when the conversation needs none (the customer's
    "thanks, all sorted" is what a last word answers), else the latest visible one that needs a
    reply, else the latest."""
    base = select(Mention).where(
        Mention.workspace_id == workspace_id,
        Mention.conversation_id == conversation.id,
        Mention.hidden.is_(False),
    )
    order = (Mention.created_at.desc(), Mention.id.desc())
    top = (
        session.scalar(base.where(Mention.id == conversation.top_mention_id))
        if conversation.top_mention_id
        else None
    )
    if top is not None and (top.needs_reply or not conversation.needs_reply):
        return top
    found = session.scalar(base.where(Mention.needs_reply.is_(True)).order_by(*order).limit(1))
    return found or session.scalar(base.order_by(*order).limit(1))


def latest_reply_id(session: Session, workspace_id: int, conversation_id: int) -> int:
    found = session.scalar(
        select(func.max(Reply.id)).where(
            Reply.workspace_id == workspace_id, Reply.conversation_id == conversation_id
        )
    )
    return int(found or 0)


def composer_data(
    session: Session,
    workspace: Workspace,
    conversation: Conversation,
    *,
    agent_name: str | None,
    now: datetime | None = None,
) -> ComposerData | None:
    """Everything the composer needs, or None when the conversation has no visible message."""
    mention = answered_mention(session, workspace.id, conversation)
    if mention is None:
        return None
    author = session.get(Author, mention.author_id) if mention.author_id else None
    lang = reply_language(mention, workspace.locale)
    brand = brand_name(session, workspace)
    catalogue = catalogue_of(workspace)
    agent = first_name(agent_name, exclude=[brand]) if agent_name else None
    drafts = draft_replies(
        mention,
        author=author,
        brand_name=brand,
        locale_fallback=workspace.locale,
        knowledge=library.knowledge(session, workspace.id, lang=lang),
        platform=conversation.platform,
        recent_replies=recent_texts(session, workspace.id),
        agent_name=agent,
        catalogue=catalogue,
        now=now,
        timezone=workspace.timezone,
    )
    name = first_name(author.display_name if author else None, exclude=[brand])
    first = drafts[0] if drafts else None
    values = {
        "first_name": name,
        "name": author.display_name if author else None,
        "handle": author.handle if author else None,
        "brand": brand,
        "order": first.specifics.get("order") if first else None,
        "product": first.specifics.get("product") if first else None,
        "place": first.specifics.get("place") if first else None,
        "agent_name": agent,
        "email": catalogue.contact_email,
    }
    return ComposerData(
        mention=mention,
        lang=lang,
        limit=limit_for(conversation.platform),
        drafts=drafts,
        snippets=_snippets(session, workspace.id, lang, values),
        seen_reply_id=latest_reply_id(session, workspace.id, conversation.id),
        first_name=name,
        platform_note=PLATFORM_NOTES.get(conversation.platform or ""),
    )


def _snippets(
    session: Session, workspace_id: int, lang: str, values: dict[str, str | None]
) -> list[FilledSnippet]:
    filled = []
    for saved in library.saved_replies(session, workspace_id, lang=lang):
        try:
            rendered = render_snippet(saved.body, values)
        except SnippetError:  # saved before its variables were checked: skip it, never send braces
            continue
        filled.append(FilledSnippet(saved.id, saved.name, rendered.text, rendered.missing))
    return filled
