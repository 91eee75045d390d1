"""Connecting a Facebook Page or an Instagram account through Facebook Login.

After consent Meta hands a short-lived *user* token and no refresh token. It is exchanged for a
long-lived one (``grant_type=fb_exchange_token``), which lists the person's Pages with their
own *Page* tokens (``GET /me/accounts``, with the tasks the person may perform on each Page and
the Instagram business account linked to it); a Page token read with a long-lived user token
does not lapse after the hour. The admin then picks the Page (or, for Instagram, the account);
its id and its Page token become the source's settings, sealed like a pasted one. The user token
is not kept: the connector needs only the Page token, and reconnecting starts a new login.

The pages of ``/me/accounts`` are followed with ``paging.cursors.after`` while ``paging.next``
says there are more: Graph's ``next`` address carries the token in its query, which must not
reach a log or an error message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from ecoute.settings import Settings
from ecoute.sources.base import SourceError
from ecoute.sources.connect.choices import Choice
from ecoute.sources.connect.flow import ExchangeFailed, exchange_long_lived
from ecoute.sources.connect.providers import Provider
from ecoute.sources.meta.api import GRAPH_VERSION, GraphApi

ACCOUNT_FIELDS = "id,name,access_token,tasks,instagram_business_account{id,username}"
# Replying to comments as the Page: Meta asks that the person can moderate on the Page and
# create content as it (the Page tasks MODERATE and CREATE_CONTENT).
REPLY_TASKS = ("MODERATE", "CREATE_CONTENT")
PAGE_LIMIT = 100
MAX_PAGES = 20  # of PAGE_LIMIT Pages each


def graph_base(provider: Provider) -> str:
    """Graph's address, from the provider's token endpoint (``…/v24.0/oauth/access_token``)."""
    return provider.token_url.removesuffix(f"/{GRAPH_VERSION}/oauth/access_token")


def page_choices(
    provider: Provider, settings: Settings, tokens: Mapping[str, Any], kind: str
) -> list[Choice]:
    """The Pages (``facebook``) or the Instagram accounts linked to a Page (``instagram``) the
    person who consented manages, each with what it would give the source."""
    long_lived = exchange_long_lived(provider, settings, access_token=str(tokens["access_token"]))
    with httpx.Client() as client:
        api = GraphApi(
            access_token=str(long_lived["access_token"]),
            app_secret=provider.client_secret(settings),
            api_base=graph_base(provider),
            settings=settings,
            client=client,
        )
        try:
            rows, _all = api.pages(
                "/me/accounts", {"fields": ACCOUNT_FIELDS, "limit": PAGE_LIMIT}, max_pages=MAX_PAGES
            )
        except SourceError as error:
            raise ExchangeFailed(f"Facebook did not list the Pages ({_why(error)})") from None
    return [c for row in rows if (c := _choice(row, kind)) is not None]


_HINTS = {
    "auth": "a Page permission was not granted, or the login lapsed",
    "rate_limit": "Meta's rate limit, try again later",
}


def _why(error: SourceError) -> str:
    """Graph's code and what it means, in words fit for the Sources page (Graph's own message
    may quote anything; it stays in the logs' classified error, never with a token)."""
    code = re.search(r"Graph code [0-9/]+", str(error))
    hint = _HINTS.get(error.kind, "try again later")
    return f"{code.group(0)}: {hint}" if code else hint


def _choice(row: Any, kind: str) -> Choice | None:
    if not isinstance(row, Mapping):
        return None
    page_id, token = _text(row.get("id")), _text(row.get("access_token"))
    if not page_id or not token:  # a Page the person can see but not act for
        return None
    tasks = row.get("tasks") if isinstance(row.get("tasks"), list) else []
    missing = tuple(task for task in REPLY_TASKS if task not in tasks)
    label = _text(row.get("name")) or page_id
    if kind == "facebook":
        return Choice(page_id, label, "", missing, {"page_id": page_id, "access_token": token})
    account = row.get("instagram_business_account")
    ig_id = _text(account.get("id")) if isinstance(account, Mapping) else ""
    if not ig_id:
        return None
    username = _text(account.get("username"))
    handle = f"@{username}" if username else ""
    return Choice(ig_id, label, handle, missing, {"ig_user_id": ig_id, "access_token": token})


def _text(value: Any) -> str:
    return value.strip()[:200] if isinstance(value, str) else str(value) if isinstance(value, int) else ""
