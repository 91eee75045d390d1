"""A NUL character in any string, and an id past 64 bits or below 1, is a 4xx naming the field,
on both databases, for every operation: the cases are read from /openapi.json, so a new endpoint
is covered the day it is added. (Headers are left out: HTTP/1.1 cannot carry a NUL in one.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

NUL_TEXT = "a\x00b"
BAD_IDS = [2**63, 2**64, -1]
# The push of mentions refuses bad items one by one and keeps the good ones: its own tests cover them.
PER_RECORD = {("post", "/api/v1/mentions", "items")}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(doc, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    for choice in schema.get("anyOf", []):
        if choice.get("type") != "null":
            return _resolve(doc, choice)
    return schema


def _types(doc: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    resolved = _resolve(doc, schema)
    kinds = {resolved.get("type")} | {c.get("type") for c in schema.get("anyOf", [])}
    return {kind for kind in kinds if kind}


def operations(doc: dict[str, Any]):
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def placements(doc: dict[str, Any], schema: dict[str, Any], kind: str, value: object, depth: int = 0):
    """Each way to put ``value`` in one field of type ``kind`` of a document of ``schema``, however
    deep: (where, document). Variants of a union keep their discriminating ``const`` fields."""
    if depth > 6:
        return
    resolved = _resolve(doc, schema)
    if kind in _types(doc, schema):
        yield (), value
    for variant in resolved.get("oneOf", []):
        yield from placements(doc, variant, kind, value, depth + 1)
    if resolved.get("type") == "array" and "items" in resolved:
        for where, inner in placements(doc, resolved["items"], kind, value, depth + 1):
            yield (0, *where), [inner]
    properties = resolved.get("properties", {})
    consts = {name: field["const"] for name, field in properties.items() if "const" in field}
    for name, field in properties.items():
        for where, inner in placements(doc, field, kind, value, depth + 1):
            yield (name, *where), {**consts, name: inner}


def body_placements(doc: dict[str, Any], operation: dict[str, Any], kind: str, value: object):
    """Where a body can hold ``value`` as a ``kind``; a free-form object body gets an invented field."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return
    schema = _resolve(doc, content["schema"])
    if schema.get("type") == "object" and not schema.get("properties"):
        if kind == "string":
            yield ("anything",), {"anything": value}
        return
    yield from ((where, body) for where, body in placements(doc, schema, kind, value) if where)


def _path_url(path: str, conversation_id: int, given: dict[str, object], operation: dict[str, Any]) -> str:
    """``path`` with the given parameters, the conversation's id, the first allowed value of a path
    parameter that has a list of them (``{kind}.{fmt}``), and 1 for any other id."""
    allowed: dict[str, object] = {}
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        choices = schema.get("enum") or [v["const"] for v in schema.get("anyOf", []) if "const" in v]
        if parameter["in"] == "path" and choices:
            allowed[parameter["name"]] = choices[0]
    filled = path
    for name, value in {**allowed, **given}.items():
        filled = filled.replace("{" + name + "}", str(value))
    filled = filled.replace("{conversation_id}", str(conversation_id))
    return re.sub(r"\{[^}/]+\}", "1", filled)


def _nul_cases(doc: dict[str, Any]):
    for method, path, operation in operations(doc):
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("query", "path"):
                value = NUL_TEXT if parameter["in"] == "query" else "a%00b"
                yield method, path, parameter["in"], (parameter["name"],), value
        for where, body in body_placements(doc, operation, "string", NUL_TEXT):
            if (method, path, where[0]) not in PER_RECORD:
                yield method, path, "body", where, body


def _id_cases(doc: dict[str, Any], bad_id: int):
    for method, path, operation in operations(doc):
        for parameter in operation.get("parameters", []):
            if parameter["in"] in ("query", "path") and "integer" in _types(doc, parameter["schema"]):
                yield method, path, parameter["in"], (parameter["name"],), bad_id
        for where, body in body_placements(doc, operation, "integer", bad_id):
            yield method, path, "body", where, body


def _send(api, world, method: str, path: str, where: str, name: str, value: object):
    operation = api.doc["paths"][path][method]
    url = _path_url(path, world.acme.conversation_id, {name: value} if where == "path" else {}, operation)
    params = {name: value} if where == "query" else None
    body = value if where == "body" else None
    return api.request(method.upper(), url, params=params, json=body)


def _names_field(response, where: str, field: tuple[object, ...], kind: str | None = None) -> bool:
    """The detail lists an error at ``field`` (union variants may add their tag to the path)."""
    detail = response.json()["detail"]
    wanted = [where, *field]
    return isinstance(detail, list) and any(
        e["loc"][0] == where
        and [part for part in e["loc"] if part in wanted] == wanted
        and (kind is None or e["type"] == kind)
        for e in detail
    )


def _said(response) -> str:
    return f"{response.status_code} {response.text[:200]}"


def test_a_nul_anywhere_is_a_4xx_naming_the_field(api, world):
    owner = api.as_token(world.acme.tokens["owner"])
    cases = list(_nul_cases(owner.doc))

    wrong = []
    for method, path, where, field, value in cases:
        response = _send(owner, world, method, path, where, str(field[0]), value)
        if response.status_code != 422 or not _names_field(response, where, field, "string_nul"):
            wrong.append(f"{method.upper()} {path} {where}.{field}: {_said(response)}")

    assert len(cases) > 80
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_an_id_out_of_range_is_a_422_naming_the_field(api, world, bad_id):
    owner = api.as_token(world.acme.tokens["owner"])
    cases = list(_id_cases(owner.doc, bad_id))

    wrong = []
    for method, path, where, field, value in cases:
        response = _send(owner, world, method, path, where, str(field[0]), value)
        if response.status_code != 422 or not _names_field(response, where, field):
            wrong.append(f"{method.upper()} {path} {where}.{field}: {_said(response)}")

    assert len(cases) > 30
    assert not wrong, "\n".join(wrong)


def test_a_nul_in_a_pushed_item_is_left_to_the_push(api, world, monkeypatch):
    """The item is the push's to clean (its NUL becomes U+FFFD); the push's own fields are checked."""
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")
    admin = api.as_token(world.acme.tokens["admin"])
    good = {"id": "n1", "text": "Merci Acme", "created_at": "2026-11-30T10:00:00Z", "platform": "x"}
    with_nul = {**good, "id": "n2", "text": NUL_TEXT}

    response = admin.post("/api/v1/mentions", json={"items": [good, with_nul]})
    refused = admin.post("/api/v1/mentions", json={"items": [good], "source": NUL_TEXT})

    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 2
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "source"]
