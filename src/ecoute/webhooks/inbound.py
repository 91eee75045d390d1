"""Items pushed to a webhook source, signed the Standard Webhooks way.

Nothing about a request is trusted before its signature: the raw body is verified with the
source's secret (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``) before it is parsed;
any doubt refuses it (fail closed). A timestamp more than 5 minutes off is refused, so a captured
request cannot be replayed later; within those minutes the ``webhook-id`` is the key of the
``ingest.items`` job the items are recorded in, so the same id again stores nothing and is
answered as a duplicate (the job ledger keeps keys for days, far longer than the 5 minutes a
signed request stays fresh). The request is acknowledged once its job is committed — together
with the jobs of the requests that arrived meanwhile, by one writer (``ecoute.jobs.group_commit``)
— and a worker stores and analyses the items through the one ingest path.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ecoute.jobs.group_commit import run_batched
from ecoute.normalise import screen
from ecoute.settings import Settings
from ecoute.sources.base import RawItem, Rejected
from ecoute.sources.file import record_to_item
from ecoute.sources.jobs import defer_items
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.webhooks.sealing import SecretUnreadable, unseal
from ecoute.webhooks.signing import TOLERANCE_S, fresh, standard_secret_bytes, standard_verify

logger = logging.getLogger(__name__)
KIND = "webhook"
MAX_BODY_BYTES = 1_000_000
MAX_ID_CHARS = 120
MAX_ITEMS = 1000
REFUSED = "the request is not signed with this endpoint's secret, or not fresh (±5 minutes)"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


def receive(
    db: Database,
    settings: Settings,
    workspace_slug: str,
    source_name: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
) -> Answer:
    """Verify, then record the items as one job: 202 (accepted), 200 (already received), or a
    refusal that stored nothing."""
    now = time.time() if now is None else now
    if len(body) > MAX_BODY_BYTES:
        return Answer(413, {"detail": f"body over {MAX_BODY_BYTES} bytes"})
    message_id = headers.get("webhook-id") or ""
    timestamp, signatures = headers.get("webhook-timestamp"), headers.get("webhook-signature")
    # Cheap refusals first, before the database: no id, a stale or unreadable timestamp.
    if not message_id or len(message_id) > MAX_ID_CHARS or not message_id.isprintable() or not signatures:
        return _refuse(workspace_slug, source_name, "headers")
    if not fresh(timestamp, now=now, tolerance_s=TOLERANCE_S):
        return _refuse(workspace_slug, source_name, "timestamp")
    with db.session() as session:
        found = _source(session, workspace_slug, source_name)
    if found is None:
        return _refuse(workspace_slug, source_name, "no such source")
    workspace_id, source_id, sealed, platform = found
    key = _key(settings, sealed)
    if key is None or not standard_verify(
        key, body, message_id=message_id, timestamp=timestamp, signatures=signatures, now=now
    ):
        return _refuse(workspace_slug, source_name, "signature")
    items, rejected = _items(body, platform)
    if not items:
        return Answer(422, {"detail": "no item to store", "rejected": rejected[:20]})

    def record(session: Session) -> int | None:
        return defer_items(
            session, workspace_id, items, key=f"webhook:{source_id}:{message_id}", source_id=source_id
        )

    try:
        # Committed together with the other requests arriving meanwhile (one writer, one commit
        # per batch), and answered only once that commit is done.
        job_id = run_batched(db, record)
    except Exception:  # noqa: BLE001 - not recorded: say so, the sender retries (a duplicate if it was)
        logger.exception("webhook.not_recorded", extra={"workspace": workspace_slug, "source": source_name})
        return Answer(503, {"detail": "not recorded, send it again"})
    if job_id is None:
        return Answer(200, {"duplicate": True, "accepted": 0})
    return Answer(202, {"accepted": len(items), "rejected": rejected, "job_id": job_id})


# Built once: the statement is compiled once and only its parameters change per request.
_SOURCE = (
    select(Workspace.id, Source.id, Source.settings, Source.platform)
    .join(Source, Source.workspace_id == Workspace.id)
    .where(
        Workspace.slug == bindparam("workspace_slug"),
        Source.name == bindparam("source_name"),
        Source.kind == KIND,
    )
)


def _source(session: Any, workspace_slug: str, source_name: str) -> tuple[int, int, str, str] | None:
    row = session.execute(_SOURCE, {"workspace_slug": workspace_slug, "source_name": source_name}).first()
    if row is None:
        return None
    sealed = (row[2] or {}).get("secret_sealed")
    return (row[0], row[1], sealed, row[3]) if isinstance(sealed, str) else None


def _key(settings: Settings, sealed: str) -> bytes | None:
    try:
        return standard_secret_bytes(unseal(settings.unseal_keys, sealed))
    except (SecretUnreadable, ValueError):
        logger.error("webhook.secret_unreadable")  # the endpoint refuses everything until fixed
        return None


def _items(body: bytes, platform: str) -> tuple[list[RawItem], list[dict[str, Any]]]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        return [], [{"index": None, "field": None, "reason": f"the body is not JSON ({error})"}]
    records = document.get("items") if isinstance(document, dict) and "items" in document else document
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or len(records) > MAX_ITEMS:
        reason = f"expected an item, a list of items or {{'items': [...]}} (at most {MAX_ITEMS})"
        return [], [{"index": None, "field": None, "reason": reason}]
    items: list[RawItem] = []
    rejected: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        # An item that does not name its platform is the source's (its ``platform`` setting).
        record = {"platform": platform, **record} if isinstance(record, dict) else record
        found = record_to_item(record, f"items[{index}]") if isinstance(record, dict) else None
        if isinstance(found, RawItem):
            found = screen(found)
        if isinstance(found, RawItem):
            items.append(found)
        else:
            why = found.reason if isinstance(found, Rejected) else "expected an object"
            rejected.append({"index": index, "field": getattr(found, "field", None), "reason": why})
    return items, rejected


def _refuse(workspace_slug: str, source_name: str, why: str) -> Answer:
    logger.info("webhook.refused", extra={"workspace": workspace_slug, "source": source_name, "why": why})
    return Answer(401, {"detail": REFUSED})
