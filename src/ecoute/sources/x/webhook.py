"""X's Account Activity webhook: the brand account's events pushed to
``/hooks/x/{workspace}/{source}``, signed with the app's consumer secret.

- CRC: X checks the endpoint with ``GET ?crc_token=…`` (when registered, then regularly) and
  expects ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}``.
- Events: ``POST`` with ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the raw
  body>``. The signature is checked over the raw bytes before anything is parsed; any doubt
  refuses the request (fail closed). X's signature carries no timestamp, so a replay cannot be
  told by its age: each delivery is recorded as one ``ingest.items`` job keyed by the posts it
  carries, so the same posts again store nothing (and ingest stores a post once anyway).
- ``tweet_create_events`` (v1.1-shaped posts: ``id_str``, ``user.screen_name``,
  ``extended_tweet.full_text``…) go through the one ingest path; the brand's own posts and
  reposts are skipped. The request is acknowledged once the job is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ecoute.normalise import screen
from ecoute.settings import Settings
from ecoute.sources.base import PayloadError, RawItem, Rejected
from ecoute.sources.jobs import defer_items
from ecoute.sources.payload_fields import text_field as _text
from ecoute.sources.x.payload import NO_LANGUAGE, PLATFORM, SITE, count, expand_links, unescape
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.webhooks.inbound import MAX_BODY_BYTES, Answer
from ecoute.webhooks.sealing import SecretUnreadable, unseal

logger = logging.getLogger(__name__)
KIND = "x"
SIGNATURE_HEADER = "x-twitter-webhooks-signature"
MAX_CRC_TOKEN = 200
REFUSED = "the request is not signed with this app's consumer secret"
V1_TIME = "%a %b %d %H:%M:%S %z %Y"  # "Sat Dec 05 11:00:00 +0000 2026"


def sign(secret: str, message: bytes) -> str:
    """``sha256=`` and the base64 HMAC-SHA256 of ``message``: X's CRC answer and body signature."""
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def verified(secret: str, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(sign(secret, body).encode(), str(header).strip().encode())


def challenge(
    db: Database, settings: Settings, workspace_slug: str, source_name: str, crc_token: str
) -> Answer:
    """X's CRC check: the token signed with the consumer secret, or 401 (nothing else said)."""
    if not crc_token or len(crc_token) > MAX_CRC_TOKEN or not crc_token.isprintable():
        return _refuse(workspace_slug, source_name, "crc_token")
    with db.session() as session:
        found = _source(session, settings, workspace_slug, source_name)
    if found is None:
        return _refuse(workspace_slug, source_name, "no such source")
    return Answer(200, {"response_token": sign(found[3], crc_token.encode())})


def receive(
    db: Database,
    settings: Settings,
    workspace_slug: str,
    source_name: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Answer:
    """Verify, then record the posts as one job: 202 (accepted), 200 (already received or nothing
    to store), or a refusal that stored nothing."""
    if len(body) > MAX_BODY_BYTES:
        return Answer(413, {"detail": f"body over {MAX_BODY_BYTES} bytes"})
    signature = headers.get(SIGNATURE_HEADER)
    if not signature:
        return _refuse(workspace_slug, source_name, "headers")
    with db.session() as session:
        found = _source(session, settings, workspace_slug, source_name)
        if found is None:
            return _refuse(workspace_slug, source_name, "no such source")
        workspace_id, source_id, brand_id, secret = found
        if not verified(secret, body, signature):
            return _refuse(workspace_slug, source_name, "signature")
        items, rejected = events(body, brand_id)
        if not items:
            return Answer(200, {"accepted": 0, "rejected": rejected[:20]})
        ids = ",".join(sorted(f"{i.external_id}@{i.revision}" for i in items))
        key = f"x-webhook:{source_id}:{hashlib.sha256(ids.encode()).hexdigest()[:40]}"
        job_id = defer_items(session, workspace_id, items, key=key, source_id=source_id)
    if job_id is None:
        return Answer(200, {"duplicate": True, "accepted": 0})
    return Answer(202, {"accepted": len(items), "rejected": rejected, "job_id": job_id})


def events(body: bytes, brand_id: str) -> tuple[list[RawItem], list[dict[str, Any]]]:
    """The posts of ``tweet_create_events`` as items (others than the brand's, reposts skipped),
    and the unreadable ones named by index and field. Other events (likes, follows, DMs) carry
    no post to hear: ignored."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return [], [{"index": None, "field": None, "reason": f"the body is not JSON ({error})"}]
    posts = document.get("tweet_create_events") if isinstance(document, dict) else None
    items: list[RawItem] = []
    rejected: list[dict[str, Any]] = []
    for index, payload in enumerate(posts if isinstance(posts, list) else []):
        where = f"tweet_create_events[{index}]"
        try:
            item = v1_item(payload, where=where)
        except PayloadError as error:
            rejected.append({"index": index, "field": error.field, "reason": error.reason})
            continue
        if item is None or item.raw.get("user", {}).get("id_str") == brand_id:
            continue
        clean = screen(item)
        if isinstance(clean, Rejected):
            rejected.append({"index": index, "field": clean.field, "reason": clean.reason})
        else:
            items.append(clean)
    return items, rejected


def v1_item(payload: Any, *, where: str) -> RawItem | None:
    """A v1.1-shaped post (what Account Activity delivers) as an item; None for a repost."""
    if not isinstance(payload, Mapping):
        raise PayloadError(where, "expected an object")
    if payload.get("retweeted_status"):
        return None
    post_id = str(_text(payload, "id_str", where=where))
    user = payload.get("user")
    if not isinstance(user, Mapping):
        raise PayloadError(f"{where}.user", "expected an object")
    handle = str(_text(user, "screen_name", where=f"{where}.user"))
    extended = payload.get("extended_tweet") if isinstance(payload.get("extended_tweet"), Mapping) else None
    source = extended if extended and isinstance(extended.get("full_text"), str) else payload
    text = source.get("full_text") or _text(source, "text", where=where)
    entities = source.get("entities") if isinstance(source.get("entities"), Mapping) else {}
    stamp = str(_text(payload, "created_at", where=where))
    try:
        created = datetime.strptime(stamp, V1_TIME)
    except ValueError:
        raise PayloadError(
            f"{where}.created_at", f"expected X's 'Sat Dec 05 11:00:00 +0000 2026', got {stamp!r:.40}"
        ) from None
    history = payload.get("edit_history") if isinstance(payload.get("edit_history"), Mapping) else {}
    parent = _text(payload, "in_reply_to_status_id_str", where=where, required=False)
    followers = user.get("followers_count")
    lang = _text(payload, "lang", where=where, required=False)
    return RawItem(
        platform=PLATFORM,
        external_id=str(history.get("initial_tweet_id") or post_id),
        text=unescape(expand_links(str(text), entities)),
        created_at=created,
        url=f"{SITE}/{handle}/status/{post_id}",
        author=handle,
        author_name=_text(user, "name", where=f"{where}.user", required=False),
        author_followers=followers
        if isinstance(followers, int) and not isinstance(followers, bool)
        else None,
        author_verified=user.get("verified") is True,
        kind="reply" if parent else "post",
        parent_id=parent,
        thread_id=None if parent else post_id,
        language=None if lang in NO_LANGUAGE else lang,
        likes=count(payload, "favorite_count"),
        shares=count(payload, "retweet_count") + count(payload, "quote_count"),
        replies=count(payload, "reply_count"),
        raw=dict(payload),
        location=where,
        original=json.dumps(payload, ensure_ascii=False)[:10_000],
        revision=post_id,
    )


def _source(
    session: Any, settings: Settings, workspace_slug: str, source_name: str
) -> tuple[int, int, str, str] | None:
    """The X source's workspace, id, brand account id and consumer secret (unsealed)."""
    row = session.execute(
        select(Workspace.id, Source.id, Source.settings)
        .join(Source, Source.workspace_id == Workspace.id)
        .where(Workspace.slug == workspace_slug, Source.name == source_name, Source.kind == KIND)
    ).first()
    sealed = (row[2] or {}).get("consumer_secret_sealed") if row is not None else None
    if row is None or not isinstance(sealed, str):
        return None
    try:
        secret = unseal(settings.secret_key, sealed)
    except SecretUnreadable:
        logger.error("x_webhook.secret_unreadable")  # the endpoint refuses everything until fixed
        return None
    return row[0], row[1], str((row[2] or {}).get("user_id") or ""), secret


def _refuse(workspace_slug: str, source_name: str, why: str) -> Answer:
    logger.info("x_webhook.refused", extra={"workspace": workspace_slug, "source": source_name, "why": why})
    return Answer(401, {"detail": REFUSED})
