"""Bad input to every endpoint is a clear 4xx in the one error shape, never a 500: wrong types,
huge values, unknown fields, forged cursors, bad ids. Every answer is checked against
/openapi.json, so each of these statuses is a documented one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BIG = 2**40
CONV = "/api/v1/conversations/{conversation}"
BAD = [
    # (method, path, json body, expected status)
    ("GET", "/api/v1/mentions?limit=0", None, 422),
    ("GET", "/api/v1/mentions?limit=100000", None, 422),
    ("GET", "/api/v1/mentions?limit=ten", None, 422),
    ("GET", "/api/v1/mentions?cursor=not-a-cursor", None, 422),
    ("GET", "/api/v1/mentions?cursor=" + "A" * 601, None, 422),
    ("GET", "/api/v1/mentions?since=yesterday", None, 422),
    ("GET", "/api/v1/mentions?since=0001-01-01T00:00:00%2B01:00", None, 422),
    ("GET", "/api/v1/mentions?since=0", None, 422),
    ("GET", "/api/v1/mentions?until=1735689600", None, 422),
    ("GET", "/api/v1/mentions?sentiment=furious", None, 422),
    ("GET", "/api/v1/mentions?conversation=abc", None, 422),
    ("GET", f"/api/v1/mentions?conversation={BIG}", None, 422),
    ("GET", "/api/v1/mentions?q=" + "x" * 501, None, 422),
    ("GET", "/api/v1/mentions?include_hidden=perhaps", None, 422),
    ("GET", "/api/v1/mentions/abc", None, 422),
    ("GET", "/api/v1/mentions/0", None, 422),
    ("GET", "/api/v1/mentions/-1", None, 422),
    ("GET", f"/api/v1/mentions/{BIG}", None, 422),
    ("GET", "/api/v1/mentions/2147483647", None, 404),
    ("POST", "/api/v1/mentions/abc/hide", None, 422),
    ("GET", "/api/v1/conversations?status=archived", None, 422),
    ("GET", "/api/v1/conversations?status=open,,new", None, 422),
    ("GET", "/api/v1/conversations?assignee=me", None, 422),
    ("GET", "/api/v1/conversations?assignee=9999999999", None, 422),
    ("GET", "/api/v1/conversations?tag=red", None, 422),
    ("GET", f"/api/v1/conversations?brand={BIG}", None, 422),
    ("GET", "/api/v1/conversations?needs_reply=maybe", None, 422),
    ("GET", "/api/v1/conversations?until=soon", None, 422),
    ("GET", "/api/v1/conversations?cursor=bm90IGEgY3Vyc29y", None, 422),
    ("GET", "/api/v1/conversations/1.5", None, 422),
    ("PATCH", CONV, {"status": 5}, 422),
    ("PATCH", CONV, {"status": "archived"}, 422),
    ("PATCH", CONV, {"status": None}, 422),
    ("PATCH", CONV, {"assignee_id": "5"}, 422),
    ("PATCH", CONV, {"assignee_id": BIG}, 422),
    ("PATCH", CONV, {"assignee_id": 2147483647}, 422),
    ("PATCH", CONV, {"tags": "urgent"}, 422),
    ("PATCH", CONV, {"tags": ["x" * 81]}, 422),
    ("PATCH", CONV, {"tags": [str(n) for n in range(51)]}, 422),
    ("PATCH", CONV, {"needs_reply": "yes"}, 422),
    ("PATCH", CONV, {"needs_reply": None}, 422),
    ("PATCH", CONV, {"priority": 100}, 422),
    ("PATCH", CONV, [], 422),
    ("PATCH", CONV, {}, 422),
    ("PATCH", "/api/v1/conversations/2147483647", {"status": "open"}, 404),
    ("GET", CONV + "/notes?cursor=forged", None, 422),
    ("POST", CONV + "/notes", {"text": ""}, 422),
    ("POST", CONV + "/notes", {"text": "x" * 10_001}, 422),
    ("POST", CONV + "/notes", {"text": None}, 422),
    ("POST", CONV + "/notes", {"text": "ok", "private": True}, 422),
    ("POST", "/api/v1/conversations/2147483647/notes", {"text": "ok"}, 404),
    ("POST", "/api/v1/tags", {"name": ""}, 422),
    ("POST", "/api/v1/tags", {"name": "x" * 81}, 422),
    ("POST", "/api/v1/tags", {"name": 5}, 422),
    ("POST", "/api/v1/tags", {"name": "a", "color": "red"}, 422),
    ("POST", "/api/v1/tags", {"name": "a", "owner": 1}, 422),
    ("POST", "/api/v1/tags", {"color": "#ffffff"}, 422),
    ("POST", "/api/v1/tags", {"name": "   "}, 422),
    ("DELETE", "/api/v1/tags/abc", None, 422),
    ("DELETE", "/api/v1/tags/2147483647", None, 404),
    ("POST", "/api/v1/corrections", {"mention_id": "1", "field": "intent", "value": "question"}, 422),
    ("POST", "/api/v1/corrections", {"mention_id": 1, "field": "language", "value": "fr"}, 422),
    ("POST", "/api/v1/corrections", {"mention_id": 1, "field": "intent", "value": "x" * 100}, 422),
    ("POST", "/api/v1/corrections", {"mention_id": 0, "field": "intent", "value": "question"}, 422),
    ("POST", "/api/v1/corrections", {"mention_id": BIG, "field": "intent", "value": "question"}, 422),
    ("POST", "/api/v1/corrections", {"field": "intent", "value": "question"}, 422),
    ("POST", "/api/v1/corrections", {"mention_id": 2147483647, "field": "intent", "value": "question"}, 404),
    ("GET", "/api/v1/corrections?mention=x", None, 422),
    ("GET", "/api/v1/members?limit=-1", None, 422),
    ("GET", "/api/v1/metrics?to=0", None, 422),
    ("GET", "/api/v1/metrics?from=1735689600", None, 422),
    ("GET", "/api/v1/metrics.csv?to=-1", None, 422),
    ("GET", "/api/v1/conversations?since=0", None, 422),
    ("PUT", "/api/v1/tags", {"name": "a"}, 405),
    ("DELETE", "/api/v1/mentions/1", None, 405),
    ("GET", "/api/v1/nothing-here", None, 404),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"), BAD, ids=[f"{m} {p[:60]} {b}" for m, p, b, _ in BAD]
)
def test_bad_input_is_a_clear_4xx(api, world, method, path, body, status):
    admin = api.as_token(world.acme.tokens["owner"])

    response = admin.request(method, path.format(conversation=world.acme.conversation_id), json=body)

    assert response.status_code == status, response.text
    assert list(response.json()) == ["detail"]
    assert response.json()["detail"]


def test_invalid_fields_are_named_in_the_detail(api, world):
    admin = api.as_token(world.acme.tokens["owner"])

    response = admin.patch(
        f"/api/v1/conversations/{world.acme.conversation_id}", json={"status": 5, "oops": 1}
    )

    assert response.status_code == 422
    assert sorted(tuple(e["loc"]) for e in response.json()["detail"]) == [
        ("body", "oops"),
        ("body", "status"),
    ]


def test_a_body_that_is_not_json_is_a_422(api, world):
    admin = api.as_token(world.acme.tokens["owner"])

    response = admin.patch(
        f"/api/v1/conversations/{world.acme.conversation_id}",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
JSON = st.recursive(
    SCALARS | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
PATCH_BODIES = st.dictionaries(
    st.sampled_from(["status", "assignee_id", "tags", "needs_reply", "other"]), JSON, max_size=4
)
QUERY = st.dictionaries(
    st.sampled_from(
        ["status", "assignee", "tag", "sentiment", "since", "q", "cursor", "limit", "needs_reply"]
    ),
    st.text(max_size=40),
    max_size=4,
)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=PATCH_BODIES)
def test_any_json_patch_is_answered_200_or_422(api, world, body):
    agent = api.as_token(world.acme.tokens["agent"])

    response = agent.patch(f"/api/v1/conversations/{world.acme.conversation_id}", json=body)

    assert response.status_code in (200, 422)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=QUERY)
def test_any_inbox_query_is_answered_200_or_422(api, world, params):
    viewer = api.as_token(world.acme.tokens["viewer"])

    response = viewer.get("/api/v1/conversations", params=params)

    assert response.status_code in (200, 422)


def test_a_body_that_is_not_utf8_is_a_422(api, world):
    admin = api.as_token(world.acme.tokens["owner"])

    response = admin.post(
        "/api/v1/tags", content=b'{"name": "\xff\xfe"}', headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body"],
        "msg": "the body is not JSON in UTF-8",
        "type": "json_invalid",
    }


@pytest.mark.parametrize("moment", ["2026-10-01", "2026-10-01T09:00:00Z", "2026-10-01T09:00:00+02:00"])
def test_iso_dates_and_moments_are_read(api, world, moment):
    viewer = api.as_token(world.acme.tokens["viewer"])

    mentions = viewer.get("/api/v1/mentions", params={"since": moment})
    conversations = viewer.get("/api/v1/conversations", params={"until": moment})

    assert (mentions.status_code, conversations.status_code) == (200, 200)


def test_a_number_for_a_date_is_refused_with_the_reason(api, world):
    viewer = api.as_token(world.acme.tokens["viewer"])

    metrics = viewer.get("/api/v1/metrics", params={"to": "0"})
    mentions = viewer.get("/api/v1/mentions", params={"since": "0"})

    assert metrics.status_code == mentions.status_code == 422
    assert metrics.json()["detail"][0]["loc"] == ["query", "to"]
    assert "YYYY-MM-DD" in metrics.json()["detail"][0]["msg"]
    assert mentions.json()["detail"][0]["loc"] == ["query", "since"]
    assert "ISO 8601" in mentions.json()["detail"][0]["msg"]


def test_a_wrong_method_names_the_allowed_ones(api, world):
    admin = api.as_token(world.acme.tokens["owner"])

    response = admin.put("/api/v1/tags", json={"name": "a"})

    assert response.status_code == 405
    assert sorted(response.headers["allow"].split(", ")) == ["GET", "POST"]
