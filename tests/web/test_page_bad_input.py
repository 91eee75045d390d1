"""Every page and form, fed a NUL character in each query parameter and form field, or an id past
64 bits: a 400 page (naming the fields, in the reader's language) or a 404, never a server error.
The cases come from the app's own routes, so a new page or form is covered when it is added; a
page that reads its query or form itself gets a ``q`` it did not declare, refused all the same."""

from __future__ import annotations

import importlib
import re

import pytest
from fastapi.routing import APIRoute

import inbox_factories
from ecoute.web.app import ROUTERS
from web_helpers import csrf_for

NUL_TEXT = "a\x00b"
PARAM = re.compile(r"{(\w+)}")


def page_routes() -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, query names, form field names) of every page (not API) route."""
    found = []
    routes = [route for name in ROUTERS for route in importlib.import_module(name).router.routes]
    for route in routes:
        if not isinstance(route, APIRoute) or not route.path.startswith("/w/"):
            continue
        queries = _names(route.dependant, "query_params")
        forms = [name for name in _names(route.dependant, "body_params") if name != "csrf_token"]
        for method in sorted(route.methods):
            found.append((method, route.path, queries, forms))
    return found


def _names(dependant, kind: str) -> list[str]:
    """The names of a route's parameters of one kind, its dependencies' included."""
    own = [field.alias for field in getattr(dependant, kind)]
    return own + [name for sub in dependant.dependencies for name in _names(sub, kind)]


def _url(path: str, conversation_id: int, other: object) -> str:
    return PARAM.sub(
        lambda m: {"slug": "acme", "conversation_id": str(conversation_id)}.get(m.group(1), str(other)),
        path,
    )


def _send(client, method: str, url: str, params: dict[str, str], form: dict[str, str]):
    if method == "GET":
        return client.get(url, params=params, headers={"accept-language": "en"})
    token = csrf_for(client, "/w")
    return client.request(
        method, url, params=params, data={**form, "csrf_token": token}, headers={"accept-language": "en"}
    )


def test_a_nul_in_any_page_query_or_form_field_is_a_400_naming_it(app, owner, db, workspace):
    conversation = inbox_factories.conversation(db, workspace)
    routes = page_routes()

    wrong = []
    for method, path, queries, forms in routes:
        url = _url(path, conversation.id, 1)
        response = _send(
            owner, method, url, dict.fromkeys([*queries, "q"], NUL_TEXT), dict.fromkeys(forms, NUL_TEXT)
        )
        if response.status_code != 400 or "NUL" not in response.text:
            wrong.append(f"{method} {path}: {response.status_code}")

    assert len(routes) > 15
    assert not wrong, "\n".join(wrong)


def test_the_nul_page_error_speaks_the_readers_language(owner):
    english = owner.get("/w/acme/", params={"q": NUL_TEXT}, headers={"accept-language": "en"})
    french = owner.get("/w/acme/", params={"q": NUL_TEXT}, headers={"accept-language": "fr"})

    assert english.status_code == french.status_code == 400
    assert "may not contain the NUL character (\\u0000): q" in english.text
    assert "ne peut pas contenir le caractère NUL (\\u0000) : q" in french.text


@pytest.mark.parametrize("bad_id", [2**63, 2**64, -1])
def test_an_id_out_of_range_in_any_page_is_a_4xx(app, owner, db, workspace, bad_id):
    conversation = inbox_factories.conversation(db, workspace)
    routes = [
        r for r in page_routes() if PARAM.sub("", r[1].replace("{slug}", "")) != r[1].replace("{slug}", "")
    ]

    wrong = []
    for method, path, _, _ in routes:
        for name in PARAM.findall(path):
            if name == "slug":
                continue
            url = PARAM.sub(
                lambda m, name=name: (
                    "acme" if m.group(1) == "slug" else str(bad_id if m.group(1) == name else conversation.id)
                ),
                path,
            )
            response = _send(owner, method, url, {}, {})
            if not 400 <= response.status_code < 500:
                wrong.append(f"{method} {path} {name}={bad_id}: {response.status_code}")

    assert len(routes) > 10
    assert not wrong, "\n".join(wrong)
