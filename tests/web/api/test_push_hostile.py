"""Hostile values pushed to ``POST /api/v1/mentions``, on SQLite and PostgreSQL: refused one by one
with the index and field, repaired where the item is good (NUL, counts past 32 bits, a link that
is not http(s)), and never a server error."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from ecoute.jobs.models import Job
from ecoute.normalise import MAX_COUNT
from ecoute.store.models import Author, Mention
from hostile import HOSTILE_URLS

DATE = "2026-11-30T10:00:00Z"


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch):
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")


def _item(external_id: str, **fields: object) -> dict[str, object]:
    return {"id": external_id, "text": f"Acme {external_id}", "created_at": DATE, "platform": "x", **fields}


def _push_raw(admin, body: str):
    return admin.post(
        "/api/v1/mentions", content=body.encode("utf-8"), headers={"content-type": "application/json"}
    )


def test_hostile_items_are_refused_by_index_or_repaired_and_the_good_ones_stored(api, db, world, workspace):
    admin = api.as_token(world.acme.tokens["admin"])
    items = [
        _item("h0"),
        _item("h1", text="caf\ud800"),
        _item("h2", text="avant\u0000après", note="x\u0000y"),
        _item("h3", likes=2**64, author="gros", author_followers=2**63 + 5),
        _item("h4", url="JaVaScRiPt:alert(document.cookie)"),
        _item("h5", extra=json.loads("[" * 60 + "]" * 60)),
        _item("h6", created_at=2**70 * 10**300),
        _item("h7", **{"clé\udfff": "valeur"}),
        _item("h8", url="https://x.example/status/8"),
    ]

    response = _push_raw(admin, json.dumps({"items": items}))

    assert response.status_code == 202
    body = response.json()
    refused = {r["index"]: (r["field"], r["reason"]) for r in body["rejected"]}
    assert sorted(refused) == [1, 5, 7]
    assert refused[1][0] == "text" and "surrogate" in refused[1][1]
    assert refused[5] == ("extra", "nested more than 32 levels deep")
    assert "surrogate" in refused[7][1]
    assert body["accepted"] == 6
    with db.session() as session:
        stored = {
            m.external_id: m
            for m in session.scalars(select(Mention).where(Mention.workspace_id == workspace.id))
            if m.external_id.startswith("h")
        }
        followers = session.scalar(
            select(Author.followers).where(Author.workspace_id == workspace.id, Author.handle == "gros")
        )
    # h6's date cannot be read: the ingest job rejects it, the others are stored.
    assert sorted(stored) == ["h0", "h2", "h3", "h4", "h8"]
    assert stored["h2"].text == "avant\ufffdaprès" and stored["h2"].raw == {"note": "x\ufffdy"}
    assert stored["h3"].likes == MAX_COUNT and followers == MAX_COUNT
    assert stored["h4"].url is None
    assert stored["h8"].url == "https://x.example/status/8"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('{"items": [' + "[" * 100_000 + "]" * 100_000 + "]}", "JSON nested too deeply"),
        (
            json.dumps({"items": [_item("n")]})[:-3] + ', "likes": ' + "9" * 5000 + "}]}",
            "JSON number of more than 4,300 digits",
        ),
        (
            '{"items": [{"id": "n", "text": "t", "created_at": ' + "1" * 5000 + "}]}",
            "JSON number of more than 4,300 digits",
        ),
    ],
    ids=["nested 100,000 deep", "a 5,000-digit count", "a 5,000-digit date"],
)
def test_a_body_that_cannot_be_read_is_a_named_422_not_a_server_error(api, world, body, why):
    admin = api.as_token(world.acme.tokens["admin"])

    response = _push_raw(admin, body)

    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body"], "msg": why, "type": "json_invalid"}]


def test_the_api_never_hands_out_an_address_stored_that_is_not_http(api, db, world, workspace):
    admin = api.as_token(world.acme.tokens["admin"])
    admin.post("/api/v1/mentions", json={"items": [_item("u1", url="https://x.example/1"), _item("u2")]})
    with db.session() as session:  # a row written by an older version or another tool
        session.execute(
            update(Mention)
            .where(Mention.workspace_id == workspace.id, Mention.external_id == "u2")
            .values(url="javascript:alert(1)")
        )
        ids = dict(
            session.execute(
                select(Mention.external_id, Mention.id).where(Mention.external_id.like("u%"))
            ).all()
        )

    urls = {key: admin.get(f"/api/v1/mentions/{ids[key]}").json()["url"] for key in ("u1", "u2")}

    assert urls == {"u1": "https://x.example/1", "u2": None}


HOSTILE_VALUES = [
    "\ud800",
    "a\u0000b",
    2**64,
    -(2**63) - 1,
    1e308,
    [[[[]]]],
    {"deep": json.loads("[" * 40 + "]" * 40)},
    "",
    None,
    True,
    *HOSTILE_URLS[:4],
]
FIELDS = [
    *("id", "text", "created_at", "platform", "url", "author", "author_name", "author_followers"),
    *("author_verified", "kind", "rating", "parent_id", "thread_id", "lang", "likes", "shares", "replies"),
    "extra",
]
RECORDS = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(HOSTILE_VALUES), max_size=4).map(
    lambda hostile: {**_item("base"), **hostile}
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(RECORDS, min_size=1, max_size=6))
def test_any_hostile_push_is_accepted_in_part_or_refused_never_a_server_error(api, db, world, records):
    admin = api.as_token(world.acme.tokens["admin"])
    for index, record in enumerate(records):
        if record["id"] == "base":
            record["id"] = f"prop-{index}"

    response = _push_raw(admin, json.dumps({"items": records}))

    assert response.status_code in (202, 422), response.text
    if response.status_code == 202:
        body = response.json()
        assert body["accepted"] + len(body["rejected"]) == len(records)
        assert all(r["reason"] and 0 <= r["index"] < len(records) for r in body["rejected"])
    with db.session() as session:  # the ingest job stored what was accepted without failing
        assert set(session.scalars(select(Job.state).where(Job.kind == "ingest.items"))) <= {"done"}
