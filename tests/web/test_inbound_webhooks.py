"""A webhook source's endpoint: Standard Webhooks signatures checked over the raw bytes before
anything is parsed, failing closed; stale, forged, mutated and replayed requests refused and
storing nothing; good ones acknowledged at once and stored once by the ingest job."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time

import pytest
from sqlalchemy import func, select

from ecoute.jobs.models import Job
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import Mention
from ecoute.webhooks.signing import standard_sign

SECRET = "whsec_" + base64.b64encode(b"s" * 32).decode()
KEY = b"s" * 32
OTHER_KEY = b"o" * 32
BAD_REQUESTS = 10_000
GOOD_REQUESTS = 40


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch):
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")


@pytest.fixture
def hook(db, workspace, settings) -> str:
    with db.session() as session:
        repo.ensure_source(
            session,
            workspace.id,
            "shop",
            kind="webhook",
            platform="webhook",
            settings=seal_secrets({"secret": SECRET, "keep_unmatched": True}, settings),
        )
    return f"/hooks/{workspace.slug}/shop"


def signed(body: bytes, message_id: str, *, key: bytes = KEY, at: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if at is None else at
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_sign(key, message_id, timestamp, body),
        "content-type": "application/json",
    }


def item(n: int) -> bytes:
    record = {"id": f"w{n}", "text": f"Commande {n} arrivée cassée", "created_at": "2026-12-01T10:00:00Z"}
    return json.dumps({"items": [record]}).encode()


def stored(db, workspace) -> list[str]:
    with db.session() as session:
        return sorted(
            session.scalars(select(Mention.external_id).where(Mention.workspace_id == workspace.id))
        )


def jobs(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Job).where(Job.kind == "ingest.items")) or 0


def test_the_signature_is_standard_webhooks():
    body = b'{"a": 1}'
    expected = base64.b64encode(hmac.new(KEY, b'msg_1.1700000000.{"a": 1}', hashlib.sha256).digest()).decode()

    assert standard_sign(KEY, "msg_1", 1700000000, body) == "v1," + expected


def test_a_signed_request_is_acknowledged_and_its_items_stored(client, db, workspace, hook):
    body = item(1)

    response = client.post(hook, content=body, headers=signed(body, "msg_1"))

    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 1
    assert stored(db, workspace) == ["w1"]
    with db.session() as session:
        platform = session.scalar(select(Mention.platform).where(Mention.workspace_id == workspace.id))
    assert platform == "webhook"  # the source's, as the item does not say


def test_a_rotating_sender_may_send_several_signatures(client, db, workspace, hook):
    body = item(2)
    headers = signed(body, "msg_2")
    old = signed(body, "msg_2", key=OTHER_KEY)["webhook-signature"]
    headers["webhook-signature"] = f"{old} {headers['webhook-signature']}"

    assert client.post(hook, content=body, headers=headers).status_code == 202


@pytest.mark.parametrize(
    ("why", "mutate"),
    [
        ("no headers", lambda b, h: (b, {"content-type": "application/json"})),
        (
            "forged",
            lambda b, h: (b, {**h, "webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()}),
        ),
        ("body changed", lambda b, h: (b.replace(b"cass", b"CASS"), h)),
        ("id changed", lambda b, h: (b, {**h, "webhook-id": "msg_other"})),
        (
            "timestamp changed",
            lambda b, h: (b, {**h, "webhook-timestamp": str(int(h["webhook-timestamp"]) + 1)}),
        ),
        ("stale", lambda b, h: (b, signed(b, "msg_3", at=int(time.time()) - 301))),
        ("from the future", lambda b, h: (b, signed(b, "msg_3", at=int(time.time()) + 301))),
        ("other secret", lambda b, h: (b, signed(b, "msg_3", key=OTHER_KEY))),
        (
            "asymmetric scheme",
            lambda b, h: (b, {**h, "webhook-signature": h["webhook-signature"].replace("v1,", "v1a,")}),
        ),
    ],
)
def test_a_doubtful_request_is_refused_and_stores_nothing(client, db, workspace, hook, why, mutate):
    body, headers = mutate(item(3), signed(item(3), "msg_3"))

    response = client.post(hook, content=body, headers=headers)

    assert response.status_code == 401, why
    assert TOKEN_FREE(response.text)
    assert (stored(db, workspace), jobs(db)) == ([], 0)


def TOKEN_FREE(text: str) -> bool:
    return SECRET not in text and "whsec_" not in text


def test_an_unknown_workspace_or_source_is_refused_like_a_bad_signature(client, db, workspace, hook):
    body = item(4)

    for path in (f"/hooks/{workspace.slug}/nope", "/hooks/nowhere/shop"):
        response = client.post(path, content=body, headers=signed(body, "msg_4"))
        assert response.status_code == 401


def test_a_replay_is_answered_as_a_duplicate_and_stores_nothing_more(client, db, workspace, hook):
    body = item(5)
    headers = signed(body, "msg_5")

    first = client.post(hook, content=body, headers=headers)
    again = client.post(hook, content=body, headers=headers)

    assert (first.status_code, again.status_code, again.json()) == (
        202,
        200,
        {"duplicate": True, "accepted": 0},
    )
    assert (stored(db, workspace), jobs(db)) == (["w5"], 1)


def test_a_body_that_is_not_json_is_verified_first_then_refused_clearly(client, db, workspace, hook):
    body = b"not json"

    unsigned = client.post(
        hook, content=body, headers={"webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "v1,x"}
    )
    signed_bad = client.post(hook, content=body, headers=signed(body, "msg_6"))

    assert unsigned.status_code == 401
    assert signed_bad.status_code == 422
    assert "the body is not JSON" in signed_bad.text


def test_ten_thousand_hostile_requests_store_nothing_and_good_ones_around_them_are_stored_once(
    client, db, workspace, hook
):
    rng = random.Random(11)
    accepted: list[tuple[bytes, dict[str, str]]] = []
    good_every = BAD_REQUESTS // GOOD_REQUESTS
    refused = duplicates = 0
    for n in range(BAD_REQUESTS):
        if n % good_every == 0:
            body = item(1000 + n)
            headers = signed(body, f"msg_good_{n}")
            assert client.post(hook, content=body, headers=headers).status_code == 202
            accepted.append((body, headers))
        body, headers = hostile(rng, n, accepted)
        response = client.post(hook, content=body, headers=headers)
        if response.status_code == 200:
            assert response.json() == {"duplicate": True, "accepted": 0}
            duplicates += 1
        else:
            assert response.status_code == 401, (n, response.text)
            refused += 1

    assert refused + duplicates == BAD_REQUESTS
    assert duplicates > 1000  # replays of good requests were among them
    assert stored(db, workspace) == sorted(f"w{1000 + n}" for n in range(0, BAD_REQUESTS, good_every))
    assert jobs(db) == GOOD_REQUESTS


def hostile(
    rng: random.Random, n: int, accepted: list[tuple[bytes, dict[str, str]]]
) -> tuple[bytes, dict[str, str]]:
    """One of: forged, mutated (body, id, timestamp or signature), stale, early, replayed."""
    body = item(500_000 + n)
    headers = signed(body, f"msg_bad_{n}")
    now = int(time.time())
    match n % 8:
        case 0:
            headers["webhook-signature"] = "v1," + base64.b64encode(rng.randbytes(32)).decode()
        case 1:
            position = rng.randrange(len(body))
            body = body[:position] + bytes([body[position] ^ (1 << rng.randrange(8))]) + body[position + 1 :]
        case 2:
            headers["webhook-id"] = headers["webhook-id"] + "x"
        case 3:  # off by one second from the one signed (not from now: the clock may have ticked)
            headers["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) + rng.choice([-1, 1]))
        case 4:
            headers = signed(body, f"msg_bad_{n}", at=now - rng.randint(301, 86_400))
        case 5:
            headers = signed(body, f"msg_bad_{n}", at=now + rng.randint(301, 86_400))
        case 6:
            sig = bytearray(base64.b64decode(headers["webhook-signature"][3:]))
            sig[rng.randrange(len(sig))] ^= 1
            headers["webhook-signature"] = "v1," + base64.b64encode(bytes(sig)).decode()
        case _:
            body, headers = rng.choice(accepted)  # a replay of a good request, exactly
    return body, headers
