"""X's Account Activity webhook on the real app: the CRC answer, events verified over the raw
bytes before parsing, posts stored once through the ingest path, and thousands of forged,
mutated or replayed requests refused without storing anything."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import random

import pytest
from sqlalchemy import func, select

from ecoute.jobs.models import Job
from ecoute.sources.credentials import seal_secrets
from ecoute.sources.x.webhook import sign
from ecoute.store import repo
from ecoute.store.models import Mention
from fake_x import BRAND_ID, CONSUMER_SECRET, fixture

BAD_REQUESTS = 2_000
GOOD_REQUESTS = 20


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch):
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")


@pytest.fixture
def hook(db, workspace, settings) -> str:
    values = {"username": "cafelumiere", "user_id": BRAND_ID, "consumer_secret": CONSUMER_SECRET}
    values |= {"bearer_token": "unused-here", "mentions": "false", "keep_unmatched": True}
    with db.session() as session:
        repo.ensure_source(
            session, workspace.id, "x", kind="x", platform="x", settings=seal_secrets(values, settings)
        )
    return f"/hooks/x/{workspace.slug}/x"


def signed(body: bytes, secret: str = CONSUMER_SECRET) -> dict[str, str]:
    return {"x-twitter-webhooks-signature": sign(secret, body), "content-type": "application/json"}


def event(n: int) -> bytes:
    document = fixture("account_activity__tweet_create.json")
    post = document["tweet_create_events"][0]
    post["id_str"], post["id"] = str(1865000000000005000 + n), 1865000000000005000 + n
    post["text"] = f"@cafelumiere commande {n} arrivée cassée"
    post["entities"]["urls"] = []
    return json.dumps(document, ensure_ascii=False).encode()


def stored(db, workspace) -> list[str]:
    with db.session() as session:
        return sorted(
            session.scalars(select(Mention.external_id).where(Mention.workspace_id == workspace.id))
        )


def jobs(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Job).where(Job.kind == "ingest.items")) or 0


def test_the_crc_answer_is_x_documented_hmac(client, hook):
    response = client.get(hook, params={"crc_token": "challenge-123"})

    expected = base64.b64encode(
        hmac.new(CONSUMER_SECRET.encode(), b"challenge-123", hashlib.sha256).digest()
    ).decode()
    assert response.status_code == 200
    assert response.json() == {"response_token": "sha256=" + expected}


def test_a_crc_for_an_unknown_source_or_without_token_is_refused(client, hook, workspace):
    assert client.get(f"/hooks/x/{workspace.slug}/nope", params={"crc_token": "t"}).status_code == 401
    assert client.get(hook).status_code == 401


def test_a_signed_event_is_acknowledged_and_its_post_stored(client, db, workspace, hook):
    body = json.dumps(fixture("account_activity__tweet_create.json"), ensure_ascii=False).encode()

    response = client.post(hook, content=body, headers=signed(body))

    assert response.status_code == 202, response.text
    with db.session() as session:
        mention = session.scalar(select(Mention).where(Mention.workspace_id == workspace.id))
    assert mention.external_id == "1865000000000000201"
    assert mention.text == "@cafelumiere vous livrez à Villeurbanne ? https://carte.example.fr/villeurbanne"
    assert (mention.platform, mention.url) == ("x", "https://x.com/ines_lyon/status/1865000000000000201")


def test_the_brand_own_posts_are_acknowledged_and_not_stored(client, db, workspace, hook):
    document = fixture("account_activity__tweet_create.json")
    document["tweet_create_events"][0]["user"]["id_str"] = BRAND_ID
    body = json.dumps(document).encode()

    response = client.post(hook, content=body, headers=signed(body))

    assert (response.status_code, response.json()["accepted"]) == (200, 0)
    assert stored(db, workspace) == []


def test_a_post_missing_a_field_is_named_and_the_others_stored(client, db, workspace, hook):
    document = fixture("account_activity__tweet_create.json")
    broken = copy.deepcopy(document["tweet_create_events"][0])
    del broken["user"]
    document["tweet_create_events"].insert(0, broken)
    body = json.dumps(document).encode()

    response = client.post(hook, content=body, headers=signed(body))

    assert response.status_code == 202
    assert response.json()["rejected"] == [
        {"index": 0, "field": "tweet_create_events[0].user", "reason": "expected an object"}
    ]
    assert stored(db, workspace) == ["1865000000000000201"]


def test_two_thousand_hostile_requests_store_nothing_and_good_ones_around_them_are_stored_once(
    client, db, workspace, hook
):
    rng = random.Random(7)
    accepted: list[tuple[bytes, dict[str, str]]] = []
    good_every = BAD_REQUESTS // GOOD_REQUESTS
    refused = duplicates = 0
    for n in range(BAD_REQUESTS):
        if n % good_every == 0:
            body = event(n)
            headers = signed(body)
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
    assert duplicates > 200  # replays of good requests were among them
    assert stored(db, workspace) == sorted(
        str(1865000000000005000 + n) for n in range(0, BAD_REQUESTS, good_every)
    )
    assert jobs(db) == GOOD_REQUESTS


def hostile(
    rng: random.Random, n: int, accepted: list[tuple[bytes, dict[str, str]]]
) -> tuple[bytes, dict[str, str]]:
    """One of: forged (random or another secret), mutated body or signature, unsigned, replayed."""
    body = event(500_000 + n)
    headers = signed(body)
    match n % 6:
        case 0:
            headers["x-twitter-webhooks-signature"] = "sha256=" + base64.b64encode(rng.randbytes(32)).decode()
        case 1:
            position = rng.randrange(len(body))
            body = body[:position] + bytes([body[position] ^ (1 << rng.randrange(8))]) + body[position + 1 :]
        case 2:
            headers = signed(body, secret="not-the-consumer-secret")
        case 3:
            sig = bytearray(base64.b64decode(headers["x-twitter-webhooks-signature"][7:]))
            sig[rng.randrange(len(sig))] ^= 1
            headers["x-twitter-webhooks-signature"] = "sha256=" + base64.b64encode(bytes(sig)).decode()
        case 4:
            del headers["x-twitter-webhooks-signature"]
        case _:
            body, headers = rng.choice(accepted)  # a replay of a good request, exactly
    return body, headers
