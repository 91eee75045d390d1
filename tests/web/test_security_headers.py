"""Security headers on every response, cookies that follow the request's scheme behind a trusted
proxy, and templates with nothing inline for the Content-Security-Policy to refuse."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ecoute.settings import Settings
from ecoute.web.app import create_app

TEMPLATES = Path(__file__).parents[2] / "src" / "ecoute" / "web" / "templates"


def _policy(response) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in response.headers["content-security-policy"].split(";"))
    return {name: value for name, value in parts}


def test_pages_forbid_framing_sniffing_inline_script_and_caching(owner):
    page = owner.get("/w/acme/")
    policy = _policy(page)

    assert page.status_code == 200
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["script-src"].startswith("'self' 'nonce-")
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"


def test_each_response_gets_its_own_nonce_and_static_files_stay_cacheable(client):
    first, second = client.get("/login"), client.get("/login")
    static = client.get("/static/forms.js")

    assert _policy(first)["script-src"] != _policy(second)["script-src"]
    assert static.status_code == 200
    assert static.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in static.headers.get("cache-control", "")


def test_api_answers_and_errors_are_not_cached_either(client):
    response = client.get("/api/v1/workspace")

    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"


def _cookie_set(db, tmp_path, overrides, headers) -> str:
    """The login form's cookie: set by the same helper as the session cookie (see test_login)."""
    settings = Settings({"data_dir": str(tmp_path / "d"), "secret_key": "k", **overrides})
    with TestClient(create_app(db, settings), follow_redirects=False) as client:
        response = client.get("/login", headers=headers)
    return response.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    "overrides, headers, secure",
    [
        ({}, {}, False),  # plain http, no proxy
        ({"trusted_proxies": "testclient"}, {"x-forwarded-proto": "https"}, True),
        ({}, {"x-forwarded-proto": "https"}, False),  # anyone can send the header: not believed
        ({"secure_cookies": "on"}, {}, True),
        ({"secure_cookies": "off", "trusted_proxies": "testclient"}, {"x-forwarded-proto": "https"}, False),
    ],
)
def test_session_cookies_are_secure_when_the_request_came_over_https(
    db, workspace, tmp_path, overrides, headers, secure
):
    cookie = _cookie_set(db, tmp_path, overrides, headers)

    assert ("; secure" in cookie) is secure
    assert "httponly" in cookie


def test_no_template_has_inline_script_style_or_event_handlers():
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\ssrc=)[^>]*>",
            r"<style\b(?![^>]*\snonce=)",  # the self-contained report's style carries the CSP nonce
            r"\sstyle=\"",
            r"\son[a-z]+=\"",
            r"javascript:",
        ):
            offences += [f"{path.name}: {m.group(0)}" for m in re.finditer(pattern, text)]

    assert offences == []
