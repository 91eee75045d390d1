"""Meta's webhooks for a Facebook or Instagram source: ``GET`` and ``POST
/hooks/meta/{workspace}/{source}``.

The ``GET`` is Meta's subscription handshake: ``hub.mode=subscribe`` and a ``hub.verify_token``
equal (compared in constant time) to the source's sealed ``verify_token`` are answered with
``hub.challenge`` as plain text; anything else with 403.

A ``POST`` is trusted only after its ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret,
raw body)>`` is checked over the raw bytes, before anything is parsed; any doubt (no header, no
such source, no app secret, a secret that cannot be unsealed, a signature that differs) refuses
it and stores nothing. Meta signs no time, so a captured request could be sent again: a request
repeated byte for byte is the key of the job it was recorded in (answered as a duplicate), and
any item it carries is keyed by Meta's own id, so one heard again is stored once (an edit
replayed with the same text changes nothing).

A verified notification is acknowledged as soon as its items (new and edited comments, ids
removed) are recorded as an ``ingest.items`` job, and its Instagram mentions (which carry only
ids) as a ``meta.mentions`` job that reads them from the Graph API; workers do the rest. Meta
expects a 200 and retries otherwise, so a verified notification with nothing for Écoute
(reactions, likes) is answered 200 too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ecoute.jobs import defer
from ecoute.settings import Settings
from ecoute.sources.jobs import defer_items
from ecoute.sources.meta.payload import read_notification
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.webhooks.inbound import MAX_BODY_BYTES, Answer
from ecoute.webhooks.sealing import SecretUnreadable, unseal

logger = logging.getLogger(__name__)
KINDS = ("facebook", "instagram")
OWN_SETTING = {"facebook": "page_id", "instagram": "ig_user_id"}
HEADER = "x-hub-signature-256"
REFUSED = "the request is not signed with this source's app secret"
MAX_CHALLENGE = 200


def handshake(
    db: Database, settings: Settings, workspace_slug: str, source_name: str, query: Mapping[str, str]
) -> tuple[int, str]:
    """Meta's subscription check: (200, the challenge) or (403, why)."""
    challenge = query.get("hub.challenge", "")
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not given or not challenge or len(challenge) > MAX_CHALLENGE:
        return 403, "expected hub.mode=subscribe, hub.verify_token and hub.challenge"
    with db.session() as session:
        found = _source(session, workspace_slug, source_name)
    expected = _unsealed(settings, found[2], "verify_token") if found else None
    if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
        logger.info("meta.handshake_refused", extra={"workspace": workspace_slug, "source": source_name})
        return 403, "the verify token does not match this source's"
    return 200, challenge


def receive(
    db: Database,
    settings: Settings,
    workspace_slug: str,
    source_name: str,
    headers: Mapping[str, str],
    body: bytes,
) -> Answer:
    """Verify, then record the work as jobs: 200 (accepted, or already received), or a refusal
    that stored nothing."""
    if len(body) > MAX_BODY_BYTES:
        return Answer(413, {"detail": f"body over {MAX_BODY_BYTES} bytes"})
    signature = headers.get(HEADER) or ""
    if not signature.startswith("sha256=") or len(signature) != 71:
        return _refuse(workspace_slug, source_name, "header")
    with db.session() as session:
        found = _source(session, workspace_slug, source_name)
        if found is None:
            return _refuse(workspace_slug, source_name, "no such source")
        workspace_id, source, values = found
        app_secret = _unsealed(settings, values, "app_secret")
        if app_secret is None:
            return _refuse(workspace_slug, source_name, "no app secret")
        expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
            return _refuse(workspace_slug, source_name, "signature")
        # Verified: only now is the body read.
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            return Answer(422, {"detail": f"the body is not JSON ({error})"})
        own = str(values.get(OWN_SETTING[source.kind]) or "")
        changes = read_notification(document, platform=source.kind, own_id=own)
        key = f"meta:{source.id}:{hashlib.sha256(body).hexdigest()}"
        recorded = None
        if changes.items or changes.removed:
            recorded = defer_items(
                session, workspace_id, changes.items, key=key, source_id=source.id, deleted=changes.removed
            )
        if changes.mentions:
            mentions = defer(
                session,
                "meta.mentions",
                {"source_id": source.id, "mentions": changes.mentions},
                key=key + ":mentions",
                workspace_id=workspace_id,
            )
            recorded = recorded or mentions
    answer = {
        "accepted": len(changes.items),
        "removed": len(changes.removed),
        "mentions": len(changes.mentions),
        "ignored": changes.ignored,
        "problems": changes.problems[:20],
    }
    if recorded is None and (changes.items or changes.removed or changes.mentions):
        return Answer(200, {"duplicate": True, "accepted": 0})
    return Answer(200, answer)


def _source(session: Any, workspace_slug: str, source_name: str) -> tuple[int, Source, dict[str, Any]] | None:
    row = session.execute(
        select(Workspace.id, Source)
        .join(Source, Source.workspace_id == Workspace.id)
        .where(Workspace.slug == workspace_slug, Source.name == source_name, Source.kind.in_(KINDS))
    ).first()
    return (row[0], row[1], dict(row[1].settings or {})) if row else None


def _unsealed(settings: Settings, values: Mapping[str, Any], name: str) -> str | None:
    sealed = values.get(name + "_sealed")
    if not isinstance(sealed, str):
        return None
    try:
        return unseal(settings.secret_key, sealed) or None
    except SecretUnreadable:
        logger.error("meta.secret_unreadable", extra={"setting": name})  # refuses until fixed
        return None


def _refuse(workspace_slug: str, source_name: str, why: str) -> Answer:
    logger.info(
        "meta.webhook_refused", extra={"workspace": workspace_slug, "source": source_name, "why": why}
    )
    return Answer(401, {"detail": REFUSED})
