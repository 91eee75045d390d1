"""Every API response a test sees is checked against the app's own ``/openapi.json``: the status
must be documented for that operation and the body must match its schema (JSON Schema 2020-12).

``ApiClient`` wraps a ``TestClient`` with a bearer token and checks each response it returns.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import httpx
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator


class UndocumentedResponse(AssertionError):
    pass


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


def find_path(doc: dict[str, Any], path: str) -> str | None:
    """The path template of ``doc`` that serves ``path``; literal segments win over parameters."""
    matches = [t for t in doc["paths"] if _template_regex(t).match(path)]
    return max(matches, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)), default=None)


def check_response(doc: dict[str, Any], method: str, response: httpx.Response) -> None:
    path = response.request.url.path
    template = find_path(doc, path)
    if template is None:  # no such route: the one error shape, 404
        _check_error_body(response, {404})
        return
    operation = doc["paths"][template].get(method.lower())
    if operation is None:
        _check_error_body(response, {405})
        return
    status = str(response.status_code)
    documented = operation["responses"]
    if status not in documented:
        raise UndocumentedResponse(
            f"{method} {template} answered {status}, documented: {sorted(documented)}: {response.text[:300]}"
        )
    content = documented[status].get("content")
    if content is None:
        assert response.content == b"", f"{method} {template} {status} should have no body"
        return
    media = response.headers["content-type"].split(";")[0].strip()
    assert media in content, f"{method} {template} {status}: {media} is not documented ({sorted(content)})"
    if media != "application/json":  # a file (CSV, XLSX): a string, nothing more to check
        assert content[media]["schema"] in ({"type": "string"}, {"type": "string", "format": "binary"})
        return
    schema = content["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": doc["components"]})
    problems = sorted(validator.iter_errors(response.json()), key=str)
    assert not problems, f"{method} {template} {status}: {problems[0].message} at {list(problems[0].path)}"


def _check_error_body(response: httpx.Response, statuses: set[int]) -> None:
    assert response.status_code in statuses, f"{response.request.url.path}: {response.status_code}"
    assert set(response.json()) == {"detail"}


class ApiClient:
    """``api.get("/api/v1/mentions")``: the request with the token, the response checked."""

    def __init__(self, client: TestClient, token: str | None = None):
        self.client = client
        self.token = token
        self.doc = openapi_of(client)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token is not None:
            headers.setdefault("authorization", f"Bearer {self.token}")
        response = self.client.request(method, path, headers=headers, **kwargs)
        check_response(self.doc, method, response)
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def as_token(self, token: str | None) -> ApiClient:
        other = ApiClient.__new__(ApiClient)
        other.client, other.token, other.doc = self.client, token, self.doc
        return other


_DOCS: dict[str, dict[str, Any]] = {}


def openapi_of(client: TestClient) -> dict[str, Any]:
    """The app's /openapi.json; fetched once per test session (every app built from the same code
    describes itself identically, and generating the description is the slow part of a request)."""
    if "doc" not in _DOCS:
        response = client.get("/openapi.json")
        assert response.status_code == 200
        _DOCS["doc"] = response.json()
    return _DOCS["doc"]
