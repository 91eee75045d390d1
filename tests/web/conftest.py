"""Fixtures for the web app in-process: the real app on the real test database, and clients
logged in as a member of ``workspace`` with a given role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

import inbox_factories
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.models import Workspace
from ecoute.web.app import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings({"data_dir": str(tmp_path / "data"), "secret_key": "test-secret-key"})


@pytest.fixture
def app(db: Database, settings: Settings):
    return create_app(db, settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(client: TestClient, email: str, password: str = inbox_factories.PASSWORD) -> TestClient:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def login_as(app, db: Database, workspace: Workspace) -> Iterator[Callable[[str], TestClient]]:
    """``login_as("agent")``: a new client logged in as a new member of ``workspace`` with that role."""
    clients: list[TestClient] = []

    def make(role: str = "owner") -> TestClient:
        member = inbox_factories.user(db, workspace, role)
        test_client = TestClient(app, base_url="http://testserver", follow_redirects=False)
        clients.append(test_client)
        return log_in(test_client, member.email)

    yield make
    for test_client in clients:
        test_client.close()


@pytest.fixture
def owner(login_as) -> TestClient:
    return login_as("owner")
