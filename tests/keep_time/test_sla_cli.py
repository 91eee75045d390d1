"""``ecoute sla`` in a real subprocess: show and set the settings, list the clocks that are late."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from cli_run import ecoute
from ecoute.store.models import Workspace
from response_factories import Builder


def test_show_prints_the_defaults_and_set_replaces_them(db_url, db, workspace, tmp_path):
    settings = tmp_path / "keep_time.json"
    settings.write_text(
        json.dumps({"business_hours": {"week": {"sat": ["10:00-13:00"]}, "public_holidays": "fr"}})
    )

    before = json.loads(ecoute(["sla", "show", "-w", "acme"], db_url, tmp_path).stdout)
    saved = ecoute(["sla", "set", str(settings), "-w", "acme"], db_url, tmp_path)
    after = json.loads(ecoute(["sla", "show", "-w", "acme"], db_url, tmp_path).stdout)

    assert before["timezone"] == "Europe/Paris"
    assert before["business_hours"]["week"]["mon"] == ["09:00-18:00"]
    assert saved.returncode == 0, saved.stderr
    assert after["business_hours"]["week"]["sat"] == ["10:00-13:00"]
    assert after["business_hours"]["week"]["mon"] == []
    assert after["business_hours"]["public_holidays"] == "FR"
    with db.session() as session:
        assert (
            session.get(Workspace, workspace.id).settings["keep_time"]["business_hours"]["public_holidays"]
            == "FR"
        )


def test_bad_settings_are_a_one_line_error_naming_the_field(db_url, workspace, tmp_path):
    settings = tmp_path / "keep_time.json"
    settings.write_text(json.dumps({"response_targets": {"bands": [{"min_priority": 50, "minutes": 60}]}}))

    done = ecoute(["sla", "set", str(settings), "-w", "acme"], db_url, tmp_path)

    assert done.returncode == 2
    assert "response_targets.bands" in done.stderr
    assert "priority 0" in done.stderr


def test_due_lists_late_and_due_soon_conversations_and_all_clocks_on_request(db_url, db, workspace, tmp_path):
    b = Builder(db, workspace)
    b.set_settings(
        {
            "business_hours": {
                "week": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
            }
        }
    )
    now = datetime.now(UTC)
    late, fresh = b.conversation(now, priority=90), b.conversation(now, priority=10)
    b.mention(late, now - timedelta(hours=3))
    b.mention(fresh, now - timedelta(minutes=1))

    due = json.loads(ecoute(["sla", "due", "-w", "acme", "--json"], db_url, tmp_path).stdout)
    every = json.loads(ecoute(["sla", "due", "-w", "acme", "--all", "--json"], db_url, tmp_path).stdout)
    table = ecoute(["sla", "due", "-w", "acme"], db_url, tmp_path).stdout

    assert [(d["conversation"], d["state"], d["priority"]) for d in due] == [(late, "breached", 90)]
    assert due[0]["remaining_business_seconds"] < -7000
    assert [d["conversation"] for d in every] == [late, fresh]
    assert f"#{late}" in table
    assert "late" in table
