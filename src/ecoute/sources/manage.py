"""Adding, pausing, reconnecting and removing a workspace's sources: the one path that the Sources
page, the API and ``ecoute source`` all take, so the same settings are checked the same way and
every change is audited. Secrets are sealed before they are stored and never put in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ecoute.settings import Settings
from ecoute.sources import google_reviews, meta, reddit, registry, trustpilot, x, youtube
from ecoute.sources.credentials import SECRET_NAMES, public, seal_secrets
from ecoute.store import repo
from ecoute.store.models import Mention, Source
from ecoute.store.repo import Invalid, NotFound
from ecoute.store.types import utcnow
from ecoute.webhooks.signing import new_standard_secret, standard_secret_bytes

MAX_NAME = 200
# What each type cannot do without (docs/sources/<type>.md says where to find each).
REQUIRED: dict[str, tuple[str, ...]] = {
    "rss": ("url",),
    "mastodon": ("instance", "access_token"),
    "bluesky": ("identifier", "app_password"),
    "reddit": reddit.REQUIRED_SETTINGS,
    "youtube": youtube.REQUIRED_SETTINGS,
    "google_reviews": google_reviews.REQUIRED_SETTINGS,
    "trustpilot": trustpilot.REQUIRED_SETTINGS,
    "facebook": meta.FACEBOOK_SETTINGS,
    "instagram": meta.INSTAGRAM_SETTINGS,
    "x": x.REQUIRED_SETTINGS,
}
# At least one of these (a password or a refresh token; an API key or the channel's token).
ONE_OF: dict[str, tuple[str, ...]] = {
    "reddit": reddit.ONE_OF_SETTINGS,
    "youtube": youtube.ONE_OF_SETTINGS,
    "google_reviews": google_reviews.ONE_OF_SETTINGS,
    "trustpilot": trustpilot.ONE_OF_SETTINGS,
    "x": x.ONE_OF_SETTINGS,
}
# The settings that a source's owner gives again to reconnect it.
CREDENTIALS: dict[str, tuple[str, ...]] = {
    "mastodon": ("access_token",),
    "bluesky": ("app_password",),
    "facebook": ("access_token",),
    "instagram": ("access_token",),
}
URL_SETTINGS = ("url", "instance", "service")
REVIEW_KINDS = ("google_reviews", "trustpilot")


class SettingInvalid(Invalid):
    """A setting is missing or wrong: ``field`` names it (``url``, ``access_token``, ``name``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


@dataclass(frozen=True)
class Added:
    source: Source
    shown_secret: str | None  # a webhook's signing secret: shown once, then only kept sealed


def check_settings(kind: str, values: dict[str, Any]) -> str | None:
    """Check a type's required settings (``SettingInvalid`` naming the first one at fault); a
    webhook source gets a new signing secret unless given one, returned to be shown once."""
    try:
        registry.get(kind)
    except registry.UnknownSource as error:
        raise SettingInvalid("type", str(error)) from None
    for key in REQUIRED.get(kind, ()):
        if not str(values.get(key) or "").strip():
            raise SettingInvalid(key, f"a {kind} source needs it (see {_doc(kind)})")
    one_of = ONE_OF.get(kind, ())
    if one_of and not any(str(values.get(key) or "").strip() for key in one_of):
        raise SettingInvalid(
            one_of[0], f"a {kind} source needs one of {', '.join(one_of)} (see {_doc(kind)})"
        )
    for key in URL_SETTINGS:
        value = str(values.get(key) or "").strip()
        if value and not value.lower().startswith(("https://", "http://")):
            raise SettingInvalid(key, f"expected an http(s) address, got {value[:100]!r}")
    if kind != "webhook":
        return None
    values.setdefault("secret", new_standard_secret())
    try:
        standard_secret_bytes(str(values["secret"]))
    except ValueError as error:
        raise SettingInvalid("secret", str(error)) from None
    return str(values["secret"])


def _doc(kind: str) -> str:
    return f"docs/sources/{kind.replace('_', '-')}.md"


def add_source(
    session: Session,
    workspace_id: int,
    name: str,
    kind: str,
    values: dict[str, Any],
    *,
    settings: Settings,
    actor: str,
    brand: str | None = None,
) -> Added:
    """A new source of ``kind`` (its settings checked, its secrets sealed), audited as ``source.add``."""
    name = name.strip()
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items() if v not in ("", None)}
    values.pop("brand_id", None)  # set from ``brand`` only
    brand_id = check_new_name(session, workspace_id, name, brand)
    if brand_id is not None:
        values["brand_id"] = brand_id
    if kind in REVIEW_KINDS:  # a review is about the business whether it names the brand or not
        values.setdefault("keep_unmatched", True)
    shown = check_settings(kind, values)
    sealed = seal_secrets(values, settings)
    platform = str(values.get("platform") or kind)
    source = repo.ensure_source(session, workspace_id, name, kind=kind, platform=platform, settings=sealed)
    _audit(session, source, actor, "source.add", after={"kind": kind, **public(sealed)})
    return Added(source, shown)


def check_new_name(session: Session, workspace_id: int, name: str, brand: str | None) -> int | None:
    """``SettingInvalid`` unless ``name`` is free (and ``brand`` exists); the brand's id."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise SettingInvalid("name", f"give the source a name (1 to {MAX_NAME} characters)")
    brand_id = None
    if brand:
        try:
            brand_id = repo.get_brand(session, workspace_id, brand).id
        except NotFound as error:
            raise SettingInvalid("brand", str(error)) from None
    if repo.get_source(session, workspace_id, name) is not None:
        raise SettingInvalid("name", f"a source named {name!r} already exists")
    return brand_id


def require_source(session: Session, workspace_id: int, source_id: int) -> Source:
    source = session.scalar(select(Source).where(Source.workspace_id == workspace_id, Source.id == source_id))
    if source is None:
        raise NotFound(f"no source #{source_id} in this workspace")
    return source


def source_named(session: Session, workspace_id: int, name: str) -> Source:
    source = repo.get_source(session, workspace_id, name)
    if source is None:
        raise NotFound(f"no source {name!r} in this workspace (see: ecoute source list)")
    return source


def set_paused(session: Session, source: Source, paused: bool, *, actor: str) -> None:
    """Pause (never polled) or resume (polled at once), audited as ``source.pause``/``source.resume``."""
    if source.paused == paused:
        return
    source.paused = paused
    if not paused:
        source.next_poll_at = None
    _audit(session, source, actor, "source.pause" if paused else "source.resume")


def reconnect(
    session: Session, source: Source, values: Mapping[str, Any], *, settings: Settings, actor: str
) -> None:
    """New credentials for a source (checked against the platform by the caller first): the source
    is healthy again and polled at once. Audited as ``source.reconnect`` (without the secrets)."""
    given = {k: str(v).strip() for k, v in values.items() if str(v or "").strip()}
    for key in CREDENTIALS.get(source.kind, ()):
        if not given.get(key):
            raise SettingInvalid(key, "give the new one to reconnect")
    merged = {**(source.settings or {}), **seal_secrets(given, settings)}
    source.settings = merged
    source.health, source.last_error, source.consecutive_failures = "ok", None, 0
    source.next_poll_at = None
    _audit(session, source, actor, "source.reconnect", after={"changed": sorted(given)})


def credentials_for(source: Source, values: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """The source's settings with these new credentials in place (sealed), to test before saving."""
    given = {k: str(v).strip() for k, v in values.items() if str(v or "").strip()}
    return {**(source.settings or {}), **seal_secrets(given, settings)}


def poll_now(session: Session, source: Source, *, actor: str) -> bool:
    """Poll it now, on the task queue (not if paused or not pollable). Audited as ``source.poll_now``."""
    from ecoute.sources.jobs import defer_poll, pollable

    if source.paused or not pollable(source.kind):
        return False
    now = utcnow()
    defer_poll(session, source, now, key=f"source.poll:{source.id}:now:{now.timestamp():.6f}")
    _audit(session, source, actor, "source.poll_now")
    return True


def record_check(session: Session, source: Source, ok: bool, kind: str | None, *, actor: str) -> None:
    """A test against the platform, audited as ``source.test`` with its outcome."""
    _audit(session, source, actor, "source.test", after={"ok": ok, "failure": kind})


def remove_source(session: Session, source: Source, *, actor: str) -> None:
    """Remove a source; the mentions it brought stay (no longer linked to it). Audited."""
    session.execute(
        update(Mention)
        .where(Mention.workspace_id == source.workspace_id, Mention.source_id == source.id)
        .values(source_id=None)
    )
    _audit(session, source, actor, "source.remove", before={"name": source.name, "kind": source.kind})
    session.delete(source)
    session.flush()


def _audit(
    session: Session,
    source: Source,
    actor: str,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    repo.record_audit(
        session,
        source.workspace_id,
        actor=actor,
        action=action,
        target_type="source",
        target_id=source.id,
        before=before,
        after={k: v for k, v in (after or {}).items() if k not in SECRET_NAMES},
    )
