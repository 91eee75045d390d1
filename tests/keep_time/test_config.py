"""The workspace's time-keeping settings: defaults, validation with the field named, storage, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ecoute.keep_time.config import (
    BusinessHoursConfig,
    ResponseTargets,
    load_config,
    parse_config,
    save_config,
)
from ecoute.store.models import AuditEvent, Workspace
from ecoute.store.repo import Invalid


def test_defaults_are_monday_to_friday_9_to_18_and_1h_4h_9h_targets():
    config = parse_config(None)

    assert config.business_hours.week == {
        "mon": ["09:00-18:00"],
        "tue": ["09:00-18:00"],
        "wed": ["09:00-18:00"],
        "thu": ["09:00-18:00"],
        "fri": ["09:00-18:00"],
        "sat": [],
        "sun": [],
    }
    targets = config.response_targets
    assert [targets.target_for(p) for p in (100, 80, 79, 50, 49, 0, None)] == [
        timedelta(hours=1),
        timedelta(hours=1),
        timedelta(hours=4),
        timedelta(hours=4),
        timedelta(hours=9),
        timedelta(hours=9),
        timedelta(hours=9),
    ]
    assert (config.breach_alerts.min_priority, config.breach_alerts.emails) == (80, [])


def test_several_intervals_a_day_are_sorted_and_days_left_out_are_days_off():
    hours = BusinessHoursConfig(week={"sat": ["14:00-18:00", "09:00-12:00"]})

    assert hours.week["sat"] == ["09:00-12:00", "14:00-18:00"]
    assert hours.week["mon"] == []
    assert hours.intervals()[5] == ((540, 720), (840, 1080))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"business_hours": {"week": {"mon": ["9-17"]}}}, "business_hours.week: .*HH:MM-HH:MM"),
        ({"business_hours": {"week": {"mon": ["18:00-09:00"]}}}, "must end after it starts"),
        ({"business_hours": {"week": {"mon": ["09:00-24:30"]}}}, "from 00:00 to 24:00"),
        ({"business_hours": {"week": {"mon": ["09:00-12:00", "11:00-14:00"]}}}, "mon: intervals overlap"),
        ({"business_hours": {"week": {"mon": []}}}, "at least one day"),
        ({"business_hours": {"week": {"monday": ["09:00-12:00"]}}}, "business_hours.week.monday"),
        ({"business_hours": {"holidays": ["le 14 juillet"]}}, "business_hours.holidays.0"),
        ({"business_hours": {"public_holidays": "XX"}}, "no calendar for 'XX'"),
        ({"response_targets": {"bands": [{"min_priority": 50, "minutes": 60}]}}, "start at priority 0"),
        ({"response_targets": {"bands": [{"min_priority": 0, "minutes": 0}]}}, "bands.0.minutes"),
        ({"response_targets": {"due_soon_fraction": 1.5}}, "due_soon_fraction"),
        ({"breach_alerts": {"emails": ["not an address"]}}, "is not an e-mail address"),
        ({"breach_alert": {}}, "breach_alert"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(data, message):
    with pytest.raises(Invalid, match=message):
        parse_config(data)


def test_bands_are_kept_highest_first_and_may_not_repeat():
    targets = ResponseTargets(
        bands=[{"min_priority": 0, "minutes": 600}, {"min_priority": 90, "minutes": 30}]
    )

    assert [b.min_priority for b in targets.bands] == [90, 0]
    with pytest.raises(ValueError, match="same priority"):
        ResponseTargets(bands=[{"min_priority": 0, "minutes": 1}, {"min_priority": 0, "minutes": 2}])


def test_public_holiday_regions_are_normalised():
    assert BusinessHoursConfig(public_holidays="fr").public_holidays == "FR"
    assert BusinessHoursConfig(public_holidays="de-by").public_holidays == "DE-BY"


def test_saving_validates_stores_and_audits(db, workspace):
    data = {"business_hours": {"week": {"mon": ["10:00-12:00"]}, "holidays": ["2026-12-24"]}}
    with db.session() as session:
        row = session.get(Workspace, workspace.id)
        save_config(session, row, data, actor="test")
    with db.session() as session:
        row = session.get(Workspace, workspace.id)
        config = load_config(row)
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "workspace.keep_time"))

    assert config.business_hours.week["mon"] == ["10:00-12:00"]
    assert config.business_hours.holidays == [date(2026, 12, 24)]
    assert (event.workspace_id, event.actor, event.before) == (workspace.id, "test", {})
    assert event.after["business_hours"]["week"]["mon"] == ["10:00-12:00"]


def test_saving_bad_settings_changes_nothing(db, workspace):
    with db.session() as session:
        row = session.get(Workspace, workspace.id)
        with pytest.raises(Invalid):
            save_config(session, row, {"response_targets": {"bands": []}}, actor="test")
    with db.session() as session:
        assert session.get(Workspace, workspace.id).settings == {}
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "workspace.keep_time")) is None
