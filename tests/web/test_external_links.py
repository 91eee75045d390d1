"""The conversation page links to a mention's original only when its address is a web address,
even for a row written straight into the database (an older import, another tool)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

import inbox_factories
from ecoute.store.models import Mention
from ecoute.web.templating import make_templates
from hostile import HOSTILE_URLS

HREFS = re.compile(r'<a class="original" href="([^"]*)"')


def _with_urls(db, workspace, urls: list[str]):
    conversation = inbox_factories.conversation(
        db, workspace, replies=[f"réponse {n}" for n in range(len(urls) - 1)]
    )
    with db.session() as session:
        ids = session.scalars(
            select(Mention.id).where(Mention.conversation_id == conversation.id).order_by(Mention.id)
        ).all()
        for mention_id, url in zip(ids, urls, strict=True):
            session.execute(update(Mention).where(Mention.id == mention_id).values(url=url))
    return conversation


def test_the_page_links_only_to_web_addresses_stored_in_the_database(owner, db, workspace):
    good = "https://x.com/velora/status/1?a=1&b=2"
    conversation = _with_urls(db, workspace, [good, *HOSTILE_URLS])

    page = owner.get(f"/w/acme/c/{conversation.id}").text

    assert page.count("data-entry>") == len(HOSTILE_URLS) + 1  # every mention is shown
    assert HREFS.findall(page) == ["https://x.com/velora/status/1?a=1&amp;b=2"]
    assert not re.search(r"href=\"\s*(javascript|data|vbscript)", page, re.IGNORECASE)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_safe_href_filter_refuses_each_hostile_address(url):
    template = make_templates().env.from_string("{{ url | safe_href }}")

    assert template.render(url=url) == "None"
