"""A value the database cannot take that slipped past validation (a NUL in text on PostgreSQL, a
number past 64 bits on SQLite) is answered as bad input, a 4xx saying which kind of value, never a
500 and never the SQL; it is logged for the team."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ecoute.store.models import Conversation
from ecoute.web.app import create_app
from ecoute.web.deps import DbSession


# Routes that reach the database around every validation, as a bug in a new route would.
def nul_lookup(session: DbSession) -> dict[str, int]:
    return {
        "found": len(session.scalars(select(Conversation.id).where(Conversation.platform == "a\x00b")).all())
    }


def huge_lookup(session: DbSession) -> dict[str, int]:
    return {"found": len(session.scalars(select(Conversation.id).where(Conversation.id == 2**63)).all())}


@pytest.fixture
def raw_client(db, settings):
    app = create_app(db, settings)
    for prefix in ("/api/v1", "/w/acme"):
        app.add_api_route(f"{prefix}/nul-lookup", nul_lookup)
        app.add_api_route(f"{prefix}/huge-lookup", huge_lookup)
    with TestClient(app) as client:
        yield client


REFUSED = [
    ("postgresql", "/api/v1/nul-lookup", 422, "contains the NUL character"),
    ("sqlite", "/api/v1/huge-lookup", 422, "a value is out of range"),
    ("postgresql", "/w/acme/nul-lookup", 400, "contains the NUL character"),
    ("sqlite", "/w/acme/huge-lookup", 400, "a value is out of range"),
]


@pytest.mark.parametrize(("db_url", "path", "status", "said"), REFUSED, indirect=["db_url"])
def test_a_value_the_database_refuses_is_a_4xx_without_internals(raw_client, caplog, path, status, said):
    caplog.set_level(logging.WARNING, logger="ecoute.web.errors")

    response = raw_client.get(path)

    assert response.status_code == status
    assert said in response.text
    assert "SELECT" not in response.text
    assert [r.message for r in caplog.records] == ["web.unstorable_value"]
