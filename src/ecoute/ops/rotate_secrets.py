"""Sealing every stored secret again with the current ``ECOUTE_SECRET_KEY``, after a key change.

The sealed values live in four places: a source's settings (``<name>_sealed``: tokens, app
passwords, webhook signing secrets), outgoing webhook endpoints' signing secrets, and the
workspace's Slack addresses for alerts and digests. Each one an old key (``ECOUTE_SECRET_KEYS_OLD``)
sealed is sealed again with the current key; one the current key sealed already is left as it is,
so a second run changes nothing. A value no key opens is counted and named (never shown), and
left alone. Nothing here logs or prints a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.models import Source, Workspace
from ecoute.store.people import WebhookEndpoint
from ecoute.webhooks.sealing import SecretUnreadable, reseal

SEALED_SUFFIX = "_sealed"
# Where a workspace's settings keep a sealed value: (setting, key inside it).
WORKSPACE_SEALED = (("alerts", "slack_url"), ("digest_slack", "url"))


@dataclass
class RotationReport:
    resealed: int = 0
    current: int = 0  # sealed with the current key already
    unreadable: list[str] = field(default_factory=list)  # where (never what)


def rotate(db: Database, settings: Settings) -> RotationReport:
    """Re-seal every sealed value with the current key, in one transaction."""
    keys = settings.unseal_keys
    report = RotationReport()

    def again(where: str, sealed: str) -> str:
        try:
            fresh = reseal(keys, sealed)
        except SecretUnreadable:
            report.unreadable.append(where)
            return sealed
        if fresh is None:
            report.current += 1
            return sealed
        report.resealed += 1
        return fresh

    with db.session() as session:
        for source in session.scalars(select(Source).order_by(Source.id)):
            where = f"source #{source.id} ({source.name}) setting"
            source.settings = _resealed_settings(source.settings or {}, where, again)
        for endpoint in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
            endpoint.secret = again(f"webhook endpoint #{endpoint.id} secret", endpoint.secret)
        for workspace in session.scalars(select(Workspace).order_by(Workspace.id)):
            workspace.settings = _resealed_workspace(workspace, again)
    return report


def _resealed_settings(
    values: dict[str, Any], where: str, again: Callable[[str, str], str]
) -> dict[str, Any]:
    return {
        name: again(f"{where} {name.removesuffix(SEALED_SUFFIX)!r}", value)
        if name.endswith(SEALED_SUFFIX) and isinstance(value, str) and value
        else value
        for name, value in values.items()
    }


def _resealed_workspace(workspace: Workspace, again: Callable[[str, str], str]) -> dict[str, Any]:
    merged = dict(workspace.settings or {})
    for setting, key in WORKSPACE_SEALED:
        inner = merged.get(setting)
        if isinstance(inner, dict) and isinstance(inner.get(key), str) and inner[key]:
            where = f"workspace {workspace.slug!r} {setting}.{key}"
            merged[setting] = {**inner, key: again(where, inner[key])}
    return merged
