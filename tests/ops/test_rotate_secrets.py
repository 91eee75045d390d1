"""Key rotation for sealed secrets: sealed with key A, rotated to B (A old), all readable; A then
dropped, still readable; a value sealed with an unknown key gives the clear error. Both databases."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from cli_run import ecoute
from ecoute.digests.send import set_slack, slack_settings
from ecoute.ops.rotate_secrets import rotate
from ecoute.settings import Settings
from ecoute.sources import manage
from ecoute.sources.base import SourceError
from ecoute.sources.credentials import secret
from ecoute.store.models import Source, Workspace
from ecoute.store.people import WebhookEndpoint
from ecoute.warn import preferences
from ecoute.webhooks.addresses import allowed_networks
from ecoute.webhooks.endpoints import create_endpoint
from ecoute.webhooks.sealing import SecretUnreadable, seal, unseal

KEY_A, KEY_B, KEY_C = "key-A-" + "a" * 40, "key-B-" + "b" * 40, "key-C-" + "c" * 40
TOKEN, PASSWORD = "mastodon-token-Zq81", "bsky-app-pass-xyzw"
SLACK_ALERTS, SLACK_DIGEST = (
    "http://127.0.0.1:9/services/T1/B1/alerts",
    "http://127.0.0.1:9/services/T1/B1/digest",
)


def key_settings(current: str, old: str = "") -> Settings:
    return Settings({"secret_key": current, "secret_keys_old": old, "webhook_allow_private": "127.0.0.1"})


def seal_everything(db, workspace, settings: Settings) -> str:
    """A source's token and app password, an endpoint's secret and two Slack addresses, sealed
    through the product's own paths; returns the endpoint's secret."""
    with db.session() as session:
        manage.add_source(
            session,
            workspace.id,
            "toots",
            "mastodon",
            {"instance": "https://mastodon.example", "access_token": TOKEN},
            settings=settings,
            actor="test",
        )
        manage.add_source(
            session,
            workspace.id,
            "sky",
            "bluesky",
            {"identifier": "cafe.example", "app_password": PASSWORD},
            settings=settings,
            actor="test",
        )
        shown, _ = create_endpoint(
            session,
            workspace.id,
            url="http://127.0.0.1:9/hook",
            secret_key=settings.secret_key,
            actor="test",
            allowed=allowed_networks(settings),
        )
        ws = session.get(Workspace, workspace.id)
        preferences.update(
            session,
            ws,
            {"slack_url": SLACK_ALERTS},
            secret_key=settings.secret_key,
            allowed=allowed_networks(settings),
            actor="test",
        )
        set_slack(session, ws, settings, url=SLACK_DIGEST)
    return shown


def read_everything(db, workspace, settings: Settings) -> tuple[str, ...]:
    with db.session() as session:
        sources = {s.name: s.settings for s in session.scalars(select(Source))}
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        ws = session.get(Workspace, workspace.id)
        return (
            secret(sources["toots"], "access_token", settings),
            secret(sources["sky"], "app_password", settings),
            unseal(settings.unseal_keys, endpoint.secret),
            preferences.slack_url(preferences.load(ws), settings.unseal_keys),
            unseal(settings.unseal_keys, slack_settings(ws).sealed_url or ""),
        )


def stored(db) -> list[str]:
    with db.session() as session:
        values = [
            v for s in session.scalars(select(Source)) for k, v in s.settings.items() if k.endswith("_sealed")
        ]
        values += [e.secret for e in session.scalars(select(WebhookEndpoint))]
        ws = session.scalars(select(Workspace)).one()
        return [*values, ws.settings["alerts"]["slack_url"], ws.settings["digest_slack"]["url"]]


def test_rotation_to_a_new_key_keeps_every_secret_readable(db, workspace, caplog):
    caplog.set_level(logging.DEBUG)
    endpoint_secret = seal_everything(db, workspace, key_settings(KEY_A))
    expected = (TOKEN, PASSWORD, endpoint_secret, SLACK_ALERTS, SLACK_DIGEST)
    before = stored(db)
    with pytest.raises(SourceError, match="cannot be decrypted"):
        read_everything(db, workspace, key_settings(KEY_B))  # the new key alone opens nothing yet
    assert read_everything(db, workspace, key_settings(KEY_B, old=KEY_A)) == expected

    report = rotate(db, key_settings(KEY_B, old=KEY_A))

    assert (report.resealed, report.current, report.unreadable) == (5, 0, [])
    after = stored(db)
    assert all(old != new for old, new in zip(before, after, strict=True))
    assert read_everything(db, workspace, key_settings(KEY_B)) == expected  # A dropped: still readable
    again = rotate(db, key_settings(KEY_B))
    assert (again.resealed, again.current, again.unreadable) == (0, 5, [])
    assert stored(db) == after  # a second run changes nothing
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert not any(value in logged for value in expected)


def test_a_value_sealed_with_an_unknown_key_is_named_and_left_alone(db, workspace):
    seal_everything(db, workspace, key_settings(KEY_A))
    with db.session() as session:
        source = session.scalars(select(Source).where(Source.name == "toots")).one()
        source.settings = {**source.settings, "access_token_sealed": seal(KEY_C, TOKEN)}
    unknown = seal(KEY_C, TOKEN)
    with pytest.raises(SecretUnreadable):
        unseal(key_settings(KEY_B, old=KEY_A).unseal_keys, unknown)

    report = rotate(db, key_settings(KEY_B, old=KEY_A))

    assert report.resealed == 4 and len(report.unreadable) == 1
    assert "toots" in report.unreadable[0] and "access_token" in report.unreadable[0]
    with db.session() as session:
        settings = session.scalars(select(Source).where(Source.name == "toots")).one().settings
    with pytest.raises(SourceError, match="'access_token' cannot be decrypted .*reconnect the source"):
        secret(settings, "access_token", key_settings(KEY_B, old=KEY_A))
    assert secret(settings, "access_token", key_settings(KEY_C)) == TOKEN  # untouched


def test_the_command_reports_counts_and_never_a_secret(db, db_url, workspace, tmp_path):
    endpoint_secret = seal_everything(db, workspace, key_settings(KEY_A))

    first = ecoute(
        ["secrets", "rotate"], db_url, tmp_path, ECOUTE_SECRET_KEY=KEY_B, ECOUTE_SECRET_KEYS_OLD=KEY_A
    )
    second = ecoute(["secrets", "rotate"], db_url, tmp_path, ECOUTE_SECRET_KEY=KEY_B)

    assert first.returncode == 0, first.stderr
    assert "re-sealed 5, already current 0, unreadable 0" in first.stdout
    assert "re-sealed 0, already current 5, unreadable 0" in second.stdout
    printed = first.stdout + first.stderr + second.stdout + second.stderr
    assert not any(v in printed for v in (TOKEN, PASSWORD, endpoint_secret, SLACK_ALERTS, KEY_A, KEY_B))
    assert read_everything(db, workspace, key_settings(KEY_B))[0] == TOKEN
    wrong = ecoute(["secrets", "rotate"], db_url, tmp_path, ECOUTE_SECRET_KEY=KEY_C)
    assert wrong.returncode == 1
    assert "unreadable 5" in wrong.stdout and "cannot be decrypted with any key: source #" in wrong.stdout
