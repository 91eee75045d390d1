"""Meta's webhooks on a Facebook or Instagram source: the verification handshake, the
``X-Hub-Signature-256`` checked over the raw bytes before anything is parsed, failing closed;
forged, mutated and replayed requests storing nothing new; good ones acknowledged at once and
stored once, whether they were also polled or not."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from ecoute.jobs.models import Job
from ecoute.polling import poll_source
from ecoute.sources.credentials import seal_secrets
from ecoute.store import repo
from ecoute.store.models import Author, Mention, Source
from ecoute.store.revisions import is_deleted
from fake_meta import (
    APP_SECRET,
    IG_USER_ID,
    PAGE_ID,
    PAGE_TOKEN,
    VERIFY_TOKEN,
    FakeMeta,
    fixture,
    running_meta,
)

BAD_REQUESTS = 2_000
GOOD_REQUESTS = 40
COMMENT = "802211_5601"


@pytest.fixture(autouse=True)
def _no_analysis(monkeypatch):
    monkeypatch.setenv("ECOUTE_ANALYSIS", "off")
    monkeypatch.setenv("ECOUTE_HTTP_RETRIES", "1")
    # Polls and jobs read the environment's settings: the same key as the app's (tests/web/conftest.py).
    monkeypatch.setenv("ECOUTE_SECRET_KEY", "test-secret-key")


@pytest.fixture
def meta() -> Iterator[FakeMeta]:
    with running_meta() as httpd:
        yield httpd


def add(db, workspace, settings, kind: str, meta: FakeMeta | None = None) -> str:
    own = {"page_id": PAGE_ID} if kind == "facebook" else {"ig_user_id": IG_USER_ID}
    values = {
        **own,
        "access_token": PAGE_TOKEN,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
        "keep_unmatched": True,
        **({"api_base": meta.url} if meta else {}),
    }
    with db.session() as session:
        repo.ensure_source(
            session, workspace.id, kind, kind=kind, platform=kind, settings=seal_secrets(values, settings)
        )
    return f"/hooks/meta/{workspace.slug}/{kind}"


@pytest.fixture
def page(db, workspace, settings) -> str:
    return add(db, workspace, settings, "facebook")


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "content-type": "application/json"}


def raw(name: str, platform: str = "facebook") -> bytes:
    return json.dumps(fixture(platform, name), ensure_ascii=False).encode()


def stored(db, workspace) -> dict[str, Mention]:
    with db.session() as session:
        rows = session.scalars(select(Mention).where(Mention.workspace_id == workspace.id)).all()
        return {m.external_id: m for m in rows}


def author_of(db, mention: Mention) -> tuple[str, str | None]:
    with db.session() as session:
        author = session.get(Author, mention.author_id)
        return author.handle, author.display_name


def jobs(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Job).where(Job.kind == "ingest.items")) or 0


def test_the_handshake_echoes_the_challenge_only_for_the_right_token(client, page):
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}

    answer = client.get(page, params=good)

    assert (answer.status_code, answer.text) == (200, "1158201444")
    assert answer.headers["content-type"].startswith("text/plain")
    for wrong in (
        {**good, "hub.verify_token": VERIFY_TOKEN + "x"},
        {**good, "hub.verify_token": ""},
        {**good, "hub.mode": "unsubscribe"},
        {k: v for k, v in good.items() if k != "hub.challenge"},
    ):
        refused = client.get(page, params=wrong)
        assert refused.status_code == 403 and "1158201444" not in refused.text
    assert client.get(page.replace("facebook", "nope"), params=good).status_code == 403


def test_a_signed_comment_is_acknowledged_and_stored_then_edited_then_removed(client, db, workspace, page):
    answers = [
        client.post(page, content=body, headers=signed(body)) for body in (raw("webhook__comment_add.json"),)
    ]
    added = stored(db, workspace)[COMMENT]
    edit = raw("webhook__comment_edited.json")
    answers.append(client.post(page, content=edit, headers=signed(edit)))
    edited = stored(db, workspace)[COMMENT]
    removal = raw("webhook__comment_remove.json")
    answers.append(client.post(page, content=removal, headers=signed(removal)))

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["accepted"] == 1 and answers[2].json()["removed"] == 1
    assert added.text == "Ma commande de ce matin est arrivée froide, c'est dommage."
    assert (author_of(db, added), added.parent_external_id, added.thread_external_id) == (
        ("7055512345678901", "Lucie Bernard"),
        "104233391234567_802211",
        "104233391234567_802211",
    )
    assert edited.text.endswith("l'équipe m'a rappelée, merci.")
    gone = stored(db, workspace)[COMMENT]
    assert gone.hidden is True and is_deleted(gone) and gone.text == edited.text  # kept for the audit


def test_a_reaction_is_acknowledged_and_stores_nothing(client, db, workspace, page):
    body = raw("webhook__reaction.json")

    answer = client.post(page, content=body, headers=signed(body))

    assert (answer.status_code, answer.json()["ignored"], jobs(db)) == (200, 1, 0)


def test_a_comment_heard_by_webhook_and_by_polling_is_stored_once(client, db, workspace, settings, meta):
    hook = add(db, workspace, settings, "facebook", meta)
    body = raw("webhook__comment_add.json")
    comment = fixture("facebook", "webhook__comment_add.json")["entry"][0]["changes"][0]["value"]
    meta.add_fb_comment(
        comment["post_id"],
        {
            "id": COMMENT,
            "message": comment["message"],
            "created_time": "2026-12-02T10:45:00+0000",
            "from": comment["from"],
        },
    )

    client.post(hook, content=body, headers=signed(body))
    with db.session() as session:
        source = session.scalar(select(Source).where(Source.workspace_id == workspace.id))
    report = poll_source(db, workspace, source)

    assert report.duplicates >= 1 and report.edited == 0
    with db.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Mention)
            .where(Mention.workspace_id == workspace.id, Mention.external_id == COMMENT)
        )
    assert count == 1


def test_an_instagram_comment_and_a_mention_are_heard(client, db, workspace, settings, meta):
    hook = add(db, workspace, settings, "instagram", meta)
    comment, mention = raw("webhook__comments.json", "instagram"), raw("webhook__mentions.json", "instagram")

    answers = [client.post(hook, content=body, headers=signed(body)) for body in (comment, mention)]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[1].json()["mentions"] == 1
    found = stored(db, workspace)
    assert author_of(db, found["17881770991003001"]) == ("sophie.b", "sophie.b")
    assert found["17881770991003001"].thread_external_id == "17895695668004550"
    assert found["17890000000000777"].text == "@cafelumiere vous livrez à Villeurbanne ?"  # read by the job


def test_a_notification_for_the_wrong_object_is_verified_then_refused_clearly(client, db, workspace, page):
    body = raw("webhook__comments.json", "instagram")  # an Instagram notification on a Page's hook

    answer = client.post(page, content=body, headers=signed(body))

    assert answer.status_code == 200 and answer.json()["problems"] == [
        "object: expected 'page', got 'instagram'"
    ]
    assert (stored(db, workspace), jobs(db)) == ({}, 0)


@pytest.mark.parametrize(
    ("why", "mutate"),
    [
        ("no header", lambda b, h: (b, {"content-type": "application/json"})),
        ("sha1 only", lambda b, h: (b, {"X-Hub-Signature": "sha1=" + "0" * 40})),
        ("other secret", lambda b, h: (b, signed(b, "another-app-secret"))),
        ("body changed", lambda b, h: (b.replace(b"froide", b"FROIDE"), h)),
        ("whitespace added", lambda b, h: (b + b" ", h)),
        ("re-serialised", lambda b, h: (json.dumps(json.loads(b)).encode(), h)),
        ("truncated signature", lambda b, h: (b, {"X-Hub-Signature-256": h["X-Hub-Signature-256"][:-2]})),
        ("no prefix", lambda b, h: (b, {"X-Hub-Signature-256": h["X-Hub-Signature-256"][7:]})),
    ],
)
def test_a_doubtful_request_is_refused_and_stores_nothing(client, db, workspace, page, why, mutate):
    body, headers = mutate(raw("webhook__comment_add.json"), signed(raw("webhook__comment_add.json")))

    response = client.post(page, content=body, headers=headers)

    assert response.status_code == 401, why
    assert APP_SECRET not in response.text
    assert (stored(db, workspace), jobs(db)) == ({}, 0)


def test_a_source_without_an_app_secret_refuses_everything(client, db, workspace, settings):
    with db.session() as session:
        repo.ensure_source(
            session,
            workspace.id,
            "facebook",
            kind="facebook",
            platform="facebook",
            settings=seal_secrets({"page_id": PAGE_ID, "access_token": PAGE_TOKEN}, settings),
        )
    body = raw("webhook__comment_add.json")
    empty = hmac.new(b"", body, hashlib.sha256).hexdigest()

    for headers in (signed(body), {"X-Hub-Signature-256": f"sha256={empty}"}):
        assert (
            client.post(f"/hooks/meta/{workspace.slug}/facebook", content=body, headers=headers).status_code
            == 401
        )
    assert jobs(db) == 0


def test_two_thousand_hostile_requests_store_nothing_and_good_ones_around_them_are_stored_once(
    client, db, workspace, page
):
    rng = random.Random(7)
    template = fixture("facebook", "webhook__comment_add.json")
    accepted: list[bytes] = []
    good_every = BAD_REQUESTS // GOOD_REQUESTS
    refused = replayed = 0
    for n in range(BAD_REQUESTS):
        if n % good_every == 0:
            body = notification(template, f"802211_{10_000 + n}")
            assert client.post(page, content=body, headers=signed(body)).status_code == 200
            accepted.append(body)
        body, headers = hostile(rng, n, template, accepted)
        response = client.post(page, content=body, headers=headers)
        if response.status_code == 200:
            assert response.json() == {"duplicate": True, "accepted": 0}  # a replay, byte for byte
            replayed += 1
        else:
            assert response.status_code == 401, (n, response.text)
            refused += 1

    assert refused + replayed == BAD_REQUESTS and replayed > 100
    assert sorted(stored(db, workspace)) == sorted(
        f"802211_{10_000 + n}" for n in range(0, BAD_REQUESTS, good_every)
    )
    assert jobs(db) == GOOD_REQUESTS


def notification(template: dict, comment_id: str) -> bytes:
    document = json.loads(json.dumps(template))
    value = document["entry"][0]["changes"][0]["value"]
    value.update(comment_id=comment_id, message=f"Commande {comment_id} arrivée froide")
    return json.dumps(document, ensure_ascii=False).encode()


def hostile(
    rng: random.Random, n: int, template: dict, accepted: list[bytes]
) -> tuple[bytes, dict[str, str]]:
    """One of: forged, signed with another secret, a flipped bit in the body or the signature,
    a signature of another body, upper-case hex of a wrong digest, no header, a replay."""
    body = notification(template, f"802211_{500_000 + n}")
    headers = signed(body)
    match n % 8:
        case 0:
            headers = {"X-Hub-Signature-256": "sha256=" + rng.randbytes(32).hex()}
        case 1:
            headers = signed(body, f"secret-{rng.random()}")
        case 2:
            position = rng.randrange(len(body))
            body = body[:position] + bytes([body[position] ^ (1 << rng.randrange(8))]) + body[position + 1 :]
        case 3:
            digest = bytearray(bytes.fromhex(headers["X-Hub-Signature-256"][7:]))
            digest[rng.randrange(32)] ^= 1 << rng.randrange(8)
            headers = {"X-Hub-Signature-256": "sha256=" + digest.hex()}
        case 4:
            headers = signed(notification(template, f"802211_{600_000 + n}"))
        case 5:
            headers = {"X-Hub-Signature-256": "SHA256=" + rng.randbytes(32).hex().upper()}
        case 6:
            headers = {}
        case _:
            body = rng.choice(accepted)  # a replay of a good request, exactly
            headers = signed(body)
    return body, headers
