"""Response metrics, deadlines and time-keeping settings through the API: the library's figures,
CSV, workspace isolation, bad input as 422, roles. Every JSON answer is checked against /openapi.json."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

import metrics_data
from ecoute.insights.export import report_records
from ecoute.insights.response_metrics import response_report
from ecoute.store.models import AuditEvent, Workspace
from response_factories import Builder


@pytest.fixture
def figures(db, world, workspace, other_workspace):
    metrics_data.generate(db, workspace, conversations=40, seed=11)
    metrics_data.generate(db, other_workspace, conversations=7, seed=12)


def library(db, workspace, **options) -> list[dict]:
    with db.session() as session:
        return report_records(response_report(session, session.get(Workspace, workspace.id), **options))


def flat(payload: dict) -> list[dict]:
    """The JSON answer in the CLI's flat record shape, to compare with the library's."""

    def one(row: dict, group: str) -> dict:
        business, wall = row["first_response_business"], row["first_response_wall"]
        return {
            "group": group,
            **{
                k: row[k]
                for k in ("key", "label", "conversations", "answered", "response_rate", "complaints")
            },
            "complaints_answered": row["complaints_answered"],
            "complaints_answered_share": row["complaints_answered_share"],
            "first_response_business_median_s": business["median_seconds"],
            "first_response_business_p90_s": business["p90_seconds"],
            "first_response_wall_median_s": wall["median_seconds"],
            "first_response_wall_p90_s": wall["p90_seconds"],
        }

    return [one(payload["total"], "total")] + [one(g, payload["by"]) for g in payload["groups"]]


def test_a_viewer_reads_the_same_figures_as_the_library(api, db, world, workspace, figures):
    viewer = api.as_token(world.acme.tokens["viewer"])

    payload = viewer.get("/api/v1/metrics?by=agent&from=2026-10-05&to=2026-10-25").json()

    assert (payload["workspace"], payload["from"], payload["to"], payload["by"]) == (
        "acme",
        "2026-10-05",
        "2026-10-25",
        "agent",
    )
    assert flat(payload) == library(
        db, workspace, since=date(2026, 10, 5), until=date(2026, 10, 25), by="agent"
    )
    assert payload["total"]["conversations"] > 0


def test_every_grouping_and_no_grouping(api, db, world, workspace, figures):
    viewer = api.as_token(world.acme.tokens["viewer"])

    answers = {
        by: viewer.get(f"/api/v1/metrics?by={by}").json() for by in ("brand", "source", "intent", "week")
    }
    plain = viewer.get("/api/v1/metrics").json()

    assert {by: flat(a) for by, a in answers.items()} == {by: library(db, workspace, by=by) for by in answers}
    assert (plain["by"], plain["groups"]) == (None, [])


def test_the_csv_has_the_same_rows(api, client, db, world, workspace, figures):
    token = world.acme.tokens["viewer"]

    response = client.get("/api/v1/metrics.csv?by=week", headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="ecoute-metrics-acme-by-week.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = library(db, workspace, by="week")
    assert [(r["group"], r["key"], int(r["answered"])) for r in rows] == [
        (e["group"], e["key"], e["answered"]) for e in expected
    ]
    assert "text/csv" in api.doc["paths"]["/api/v1/metrics.csv"]["get"]["responses"]["200"]["content"]


def test_each_workspace_sees_its_own_figures(api, db, world, workspace, other_workspace, figures):
    ours = api.as_token(world.acme.tokens["viewer"]).get("/api/v1/metrics").json()
    theirs = api.as_token(world.globex.tokens["owner"]).get("/api/v1/metrics").json()

    assert ours["total"]["conversations"] == library(db, workspace)[0]["conversations"]
    assert theirs["total"]["conversations"] == library(db, other_workspace)[0]["conversations"]
    assert ours["total"]["conversations"] != theirs["total"]["conversations"]


@pytest.mark.parametrize(
    "query",
    ["by=colour", "from=2026-13-01", "to=yesterday", "from=0001-01-01", "from=2026-10-10&to=2026-10-01"],
)
def test_bad_parameters_are_422(api, world, query):
    viewer = api.as_token(world.acme.tokens["viewer"])

    response = viewer.get(f"/api/v1/metrics?{query}")
    as_csv = viewer.client.get(
        f"/api/v1/metrics.csv?{query}", headers={"authorization": f"Bearer {world.acme.tokens['viewer']}"}
    )

    assert response.status_code == 422
    assert as_csv.status_code == 422
    assert set(as_csv.json()) == {"detail"}


def test_without_a_token_it_is_401(api, world):
    assert api.get("/api/v1/metrics").status_code == 401
    assert api.get("/api/v1/deadlines").status_code == 401


def test_deadlines_list_running_clocks_with_their_state(api, db, world, workspace):
    b = Builder(db, workspace)
    now = datetime.now(UTC)
    b.set_settings(
        {
            "business_hours": {
                "week": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
            }
        }
    )
    late, fresh = (
        b.conversation(now, priority=90, assignee_id=world.acme.member.id),
        b.conversation(now, priority=10),
    )
    b.mention(late, now - timedelta(hours=2))
    b.mention(fresh, now - timedelta(minutes=1))
    viewer = api.as_token(world.acme.tokens["viewer"])

    every = viewer.get("/api/v1/deadlines").json()
    breached = viewer.get("/api/v1/deadlines?state=breached").json()["items"]
    theirs = api.as_token(world.globex.tokens["viewer"]).get("/api/v1/deadlines").json()["items"]

    assert [(i["conversation_id"], i["state"]) for i in every["items"]] == [(late, "breached"), (fresh, "ok")]
    assert every["timezone"] == "Europe/Paris"
    assert (breached[0]["assignee_id"], breached[0]["target_seconds"]) == (world.acme.member.id, 3600)
    assert -3700 < breached[0]["remaining_seconds"] < -3500
    assert [i["conversation_id"] for i in breached] == [late]
    assert theirs == []


def test_time_keeping_settings_are_read_by_anyone_and_changed_by_the_owner(api, db, world, workspace):
    body = {"business_hours": {"week": {"mon": ["08:00-12:00"]}}, "breach_alerts": {"min_priority": 90}}

    before = api.as_token(world.acme.tokens["viewer"]).get("/api/v1/keep-time").json()
    by_admin = api.as_token(world.acme.tokens["admin"]).request("PUT", "/api/v1/keep-time", json=body)
    by_owner = api.as_token(world.acme.tokens["owner"]).request("PUT", "/api/v1/keep-time", json=body).json()
    bad = api.as_token(world.acme.tokens["owner"]).request(
        "PUT", "/api/v1/keep-time", json={"response_targets": {"bands": []}}
    )

    assert before["settings"]["business_hours"]["week"]["mon"] == ["09:00-18:00"]
    assert by_admin.status_code == 403
    assert by_owner["settings"]["business_hours"]["week"]["mon"] == ["08:00-12:00"]
    assert by_owner["settings"]["breach_alerts"]["min_priority"] == 90
    assert bad.status_code == 422
    assert "response_targets.bands" in bad.json()["detail"]
    with db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.workspace_id == workspace.id, AuditEvent.action == "workspace.keep_time"
            )
        ).all()
    assert actions == ["workspace.keep_time"]
