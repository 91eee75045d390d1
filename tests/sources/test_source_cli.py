"""Pointing Écoute at an account from the command line: ``ecoute source add`` with a platform's
credentials (sealed before they are stored, never printed back), then ``ecoute poll``."""

from __future__ import annotations

import json

from sqlalchemy import select

from cli_run import ecoute
from ecoute.store.models import Mention, Source
from fake_mastodon import TOKEN, fixture, running_mastodon
from feedserver import running_feed_server


def source_settings(db, workspace, name) -> dict:
    with db.session() as session:
        return session.scalar(
            select(Source.settings).where(Source.workspace_id == workspace.id, Source.name == name)
        )


def test_a_mastodon_account_is_added_then_polled(db, db_url, workspace, tmp_path):
    with running_mastodon() as server:
        server.add_notifications(fixture("notifications__mentions.json"))
        added = ecoute(
            ["source", "add", "masto", "--type", "mastodon", "-w", workspace.slug]
            + [
                "--set",
                f"instance={server.url}",
                "--set",
                f"access_token={TOKEN}",
                "--set",
                "keep_unmatched=true",
            ],
            db_url,
            tmp_path,
        )
        polled = ecoute(
            ["poll", "-w", workspace.slug, "--source", "masto", "--no-analysis"], db_url, tmp_path
        )
        listed = ecoute(["source", "list", "-w", workspace.slug, "--json"], db_url, tmp_path)

    settings = source_settings(db, workspace, "masto")
    with db.session() as session:
        count = len(session.scalars(select(Mention.id).where(Mention.workspace_id == workspace.id)).all())
    assert added.returncode == 0, added.stderr
    assert polled.returncode == 0, polled.stdout + polled.stderr
    assert count == 3
    assert "access_token" not in settings and "access_token_sealed" in settings
    assert all(
        TOKEN not in out for out in (added.stdout, added.stderr, polled.stdout, polled.stderr, listed.stdout)
    )
    assert json.loads(listed.stdout)[0]["health"] == "ok"


def test_a_platform_source_without_its_credentials_is_refused_by_name(db, db_url, workspace, tmp_path):
    refused = ecoute(
        ["source", "add", "sky", "--type", "bluesky", "-w", workspace.slug, "--set", "identifier=acme.com"],
        db_url,
        tmp_path,
    )

    assert refused.returncode != 0
    assert "--set app_password=…: a bluesky source needs it" in refused.stdout + refused.stderr


def test_a_webhook_source_gets_a_secret_shown_once_and_stored_sealed(db, db_url, workspace, tmp_path):
    added = ecoute(["source", "add", "shop", "--type", "webhook", "-w", workspace.slug], db_url, tmp_path)

    settings = source_settings(db, workspace, "shop")
    shown = [word for word in added.stdout.split() if word.startswith("whsec_")]
    assert added.returncode == 0, added.stderr
    assert f"/hooks/{workspace.slug}/shop" in added.stdout
    assert len(shown) == 1
    assert shown[0] not in json.dumps(settings)
    assert "secret_sealed" in settings


def test_a_feed_is_tested_listed_with_its_figures_paused_resumed_and_removed(db, db_url, workspace, tmp_path):
    slug = ["-w", workspace.slug]
    with running_feed_server() as feed:
        feed.serve("feed__rss2.xml")
        ecoute(
            ["source", "add", "news", "--set", f"url={feed.url}", "--set", "keep_unmatched=true", *slug],
            db_url,
            tmp_path,
        )
        ecoute(["poll", "--source", "news", "--no-analysis", *slug], db_url, tmp_path)
        tested = ecoute(["source", "test", "news", *slug], db_url, tmp_path)
        feed.fail_with(404)
        refused = ecoute(["source", "test", "news", *slug], db_url, tmp_path)
    paused = ecoute(["source", "pause", "news", *slug], db_url, tmp_path)
    listed = json.loads(ecoute(["source", "list", "--json", *slug], db_url, tmp_path).stdout)
    ecoute(["source", "resume", "news", *slug], db_url, tmp_path)
    table = ecoute(["source", "list", *slug], db_url, tmp_path)
    removed = ecoute(["source", "remove", "news", "--yes", *slug], db_url, tmp_path)
    with db.session() as session:
        kept = len(session.scalars(select(Mention.id).where(Mention.workspace_id == workspace.id)).all())
        left = session.scalars(select(Source.name).where(Source.workspace_id == workspace.id)).all()

    assert tested.returncode == 0 and "feed read:" in tested.stdout
    assert refused.returncode == 1 and "404" in refused.stdout
    assert paused.returncode == 0
    assert listed[0]["state"] == "paused" and listed[0]["items_today"] == kept > 0
    assert listed[0]["last_success_at"] and listed[0]["next_poll_at"] is None
    assert "healthy" in table.stdout and "items today" in table.stdout
    assert removed.returncode == 0 and left == [] and kept > 0
