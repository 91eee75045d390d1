"""A Google review heard with its stars and its reply already given on Google: the conversation
page shows the stars and the recorded reply, in French and in English."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ecoute.polling import poll_source
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import Mention
from fake_google_reviews import running_google_reviews, source_settings


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch):
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")


@pytest.mark.parametrize(("language", "rated"), [("fr", "Note : 1 sur 5"), ("en", "Rated 1 out of 5")])
def test_the_page_shows_the_stars_and_the_reply_heard_on_google(owner, db, workspace, language, rated):
    with running_google_reviews() as server:
        with db.session() as session:
            source = repo.ensure_source(
                session,
                workspace.id,
                "gbp",
                kind="google_reviews",
                platform="google_reviews",
                settings=seal_secrets(source_settings(server)),
            )
        poll_source(db, workspace, source)
    with db.session() as session:
        lea = session.scalar(select(Mention).where(Mention.external_id == "AbFvOqmLumiereR4"))

    page = owner.get(f"/w/acme/c/{lea.conversation_id}", headers={"Accept-Language": language}).text

    assert rated in page
    assert "Serveur désagréable" in page
    assert "nous sommes désolés pour cette attente" in page  # the reply given on Google
