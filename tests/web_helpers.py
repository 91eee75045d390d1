"""Small helpers for page tests: submit a form with the session's CSRF token."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


def csrf_for(client: TestClient, page: str = "/w") -> str:
    match = CSRF_META.search(client.get(page).text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """POST ``data`` with the CSRF token of the client's session (or of its login page cookie)."""
    token = csrf_for(client, "/w") if client.cookies.get("ecoute_session") else csrf_for(client, "/login")
    return client.post(path, data={**(data or {}), "csrf_token": token})
