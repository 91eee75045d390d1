"""Optional polishing of a draft by a language model the user runs (OpenAI-compatible API).

Nothing here is needed: with ``ECOUTE_LLM_URL`` empty (the default) ``polish`` returns the draft
as it is, and the drafts stay offline templates. When set, the draft is sent to
``POST {ECOUTE_LLM_URL}/v1/chat/completions`` with the customer's message, and the model is asked
to make it sound more natural without changing its facts. Its answer is used only if it keeps
what must not change (the order number, the first name, a quoted answer's figures), stays in the
platform's length limit and is not empty; on any failure (server down, timeout, HTTP error,
unexpected JSON, a rewrite that lost a fact) the template draft is returned unchanged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import httpx

from ecoute.settings import Settings, get_settings

from .types import Draft

logger = logging.getLogger(__name__)

_SYSTEM = {
    "fr": (
        "Tu relis les réponses d'un service client sur les réseaux sociaux. Réécris le brouillon pour "
        "qu'il sonne naturel et chaleureux, comme écrit par une personne attentive : vouvoiement, "
        "pas de formule toute faite, pas de promesse ni de fait nouveau, garde chaque nom, numéro, "
        "montant et adresse tels quels, au plus {limit} caractères. Réponds par le seul texte."
    ),
    "en": (
        "You edit a customer-service team's replies on social media. Rewrite the draft so it sounds "
        "natural and warm, as a careful person would write it: no stock phrases, no new promises "
        "or facts, keep every name, number, amount and address exactly, at most {limit} characters. "
        "Answer with the text only."
    ),
}
# Tokens a rewrite must keep: order and ticket numbers, amounts, e-mail addresses, times.
_KEEP = re.compile(r"#?[A-Z]{1,5}-?\d{3,}|\d[\d  ,.]*\s?(?:€|%|h\b)|[\w.+-]+@[\w-]+\.[\w.-]+|\b\d{1,2}\s?h\b")


def polish(
    draft: Draft,
    *,
    customer_text: str,
    first_name: str | None = None,
    settings: Settings | None = None,
    client: httpx.Client | None = None,
) -> Draft:
    """The draft rewritten by the configured model, or ``draft`` itself when that is not possible."""
    settings = settings or get_settings()
    base_url = settings.raw("llm_url").rstrip("/")
    if not base_url:
        return draft
    try:
        text = _ask(base_url, draft, customer_text, settings, client)
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning("respond.polish.failed", extra={"error": repr(error), "url": base_url})
        return draft
    problem = _refuse(text, draft, first_name)
    if problem:
        logger.info("respond.polish.rejected", extra={"reason": problem})
        return draft
    return replace(draft, text=text, polished=True)


def _ask(
    base_url: str, draft: Draft, customer_text: str, settings: Settings, client: httpx.Client | None
) -> str:
    payload = {
        "model": settings.raw("llm_model") or "default",
        "temperature": 0.4,
        "messages": [
            {
                "role": "system",
                "content": _SYSTEM[draft.lang if draft.lang in _SYSTEM else "en"].format(limit=draft.limit),
            },
            {
                "role": "user",
                "content": f"Customer's message:\n{customer_text}\n\nDraft:\n{draft.text}",
            },
        ],
    }
    headers = (
        {"Authorization": f"Bearer {settings.raw('llm_api_key')}"} if settings.raw("llm_api_key") else {}
    )
    url = f"{base_url}/v1/chat/completions"
    timeout = float(settings.int("http_timeout"))
    if client is not None:
        response = client.post(url, json=payload, headers=headers, timeout=timeout)
    else:
        with httpx.Client() as own:
            response = own.post(url, json=payload, headers=headers, timeout=timeout)
    response.raise_for_status()
    content = response.json()["choices"][0]["message"]["content"]
    if not isinstance(content, str):
        raise TypeError("message content is not text")
    return content.strip().strip('"').strip()


def _refuse(text: str, draft: Draft, first_name: str | None) -> str | None:
    """Why a rewrite cannot replace the draft, or None when it can."""
    if not text:
        return "empty"
    if len(text) > draft.limit:
        return f"too long ({len(text)} > {draft.limit})"
    normalised = text.replace("\u202f", " ").replace("\u00a0", " ")
    for token in _KEEP.findall(draft.text.replace("\u202f", " ").replace("\u00a0", " ")):
        if token.strip() not in normalised:
            return f"lost {token.strip()!r}"
    if first_name and first_name in draft.text and first_name not in text:
        return "lost the customer's name"
    return None
