"""Small helpers for page tests: submit a form with the session's CSRF token."""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient

from ecoute.auth import sessions, users
from ecoute.store.db import Database
from ecoute.store.models import Workspace

_counter = itertools.count(1)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_for(client: TestClient, page: str = "/w") -> str:
    match = CSRF_META.search(client.get(page).text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """POST ``data`` with the CSRF token of the client's session (or of its login page cookie)."""
    token = csrf_for(client, "/w") if client.cookies.get("ecoute_session") else csrf_for(client, "/login")
    return client.post(path, data={**(data or {}), "csrf_token": token})


def walk(client: TestClient, response: httpx.Response, platform_url: str) -> tuple[httpx.Response, list[str]]:
    """Follow redirects as a browser would: to the platform's server (at ``platform_url``) over the
    network, back to the app in-process; returns the last answer and every address visited."""
    visited = []
    while response.is_redirect:
        url = response.headers["location"]
        visited.append(url)
        if url.startswith(platform_url):
            response = httpx.get(url, follow_redirects=False)
        else:
            parts = urlsplit(url)
            response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response, visited


def session_client(app, db: Database, workspace: Workspace | None, role: str = "owner") -> TestClient:
    """A client logged in (a real server-side session) as a new member of ``workspace`` with ``role``.

    The password form is skipped (it is tested on its own): hashing is slow and matrices are big."""
    with db.session() as session:
        user = users.create_user(session, f"{role}.{next(_counter)}@people.example", None, name=role.title())
        if workspace is not None:
            users.add_member(session, workspace.id, user.id, role)
        cookie, _ = sessions.create_session(session, user)
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    client.cookies.set("ecoute_session", cookie)
    return client
