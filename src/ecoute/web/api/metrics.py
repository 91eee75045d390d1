"""``/api/v1/metrics`` (JSON) and ``/api/v1/metrics.csv``: response rate, complaints answered and
time to first response, overall and per agent, brand, source, intent or ISO week.

The same figures as ``ecoute report``; definitions in ``docs/metrics.md``. Any member may read them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ecoute.auth.permissions import Action
from ecoute.insights.export import csv_text
from ecoute.insights.response_metrics import Durations, MetricRow, ResponseReport, response_report
from ecoute.web.api.params import BEARER, IsoDay
from ecoute.web.api.schemas import errors
from ecoute.web.deps import DbSession, WorkspaceContext, api_require

router = APIRouter(prefix="/api/v1", tags=["metrics"], dependencies=BEARER)

By = Literal["agent", "brand", "source", "intent", "week"]
ByQuery = Annotated[By | None, Query(description="One row per agent, brand, source, intent or ISO week.")]
FromQuery = Annotated[
    IsoDay | None, Query(alias="from", description="First day (YYYY-MM-DD) in the workspace's time zone.")
]
ToQuery = Annotated[IsoDay | None, Query(alias="to", description="Last day, included.")]


class DurationsOut(BaseModel):
    count: int = Field(description="Conversations with a first response.")
    median_seconds: float | None
    p90_seconds: float | None = Field(description="Nearest-rank 90th percentile.")

    @classmethod
    def of(cls, d: Durations) -> DurationsOut:
        return cls(count=d.count, median_seconds=d.median_seconds, p90_seconds=d.p90_seconds)


class MetricRowOut(BaseModel):
    key: str = Field(description="User id, brand, source, intent or YYYY-Www; 'none' when missing.")
    label: str
    conversations: int = Field(description="Conversations that needed a reply.")
    answered: int = Field(description="… of which got a first response.")
    response_rate: float | None
    complaints: int
    complaints_answered: int
    complaints_answered_share: float | None
    first_response_business: DurationsOut = Field(description="In the workspace's business hours.")
    first_response_wall: DurationsOut = Field(description="In elapsed (wall-clock) time.")

    @classmethod
    def of(cls, row: MetricRow) -> MetricRowOut:
        return cls(
            key=row.key,
            label=row.label,
            conversations=row.conversations,
            answered=row.answered,
            response_rate=row.response_rate,
            complaints=row.complaints,
            complaints_answered=row.complaints_answered,
            complaints_answered_share=row.complaints_answered_share,
            first_response_business=DurationsOut.of(row.first_response_business),
            first_response_wall=DurationsOut.of(row.first_response_wall),
        )


class MetricsOut(BaseModel):
    workspace: str
    timezone: str
    from_: date | None = Field(serialization_alias="from")
    to: date | None
    by: By | None
    total: MetricRowOut
    groups: list[MetricRowOut]

    @classmethod
    def of(cls, report: ResponseReport) -> MetricsOut:
        return cls(
            workspace=report.workspace,
            timezone=report.timezone,
            from_=report.since,
            to=report.until,
            by=report.by,  # type: ignore[arg-type]
            total=MetricRowOut.of(report.total),
            groups=[MetricRowOut.of(g) for g in report.groups],
        )


@router.get("/metrics", response_model=MetricsOut, response_model_by_alias=True, responses=errors(403))
def get_metrics(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    by: ByQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> MetricsOut:
    """Response metrics for the conversations that opened from ``from`` to ``to`` (both included)."""
    return MetricsOut.of(response_report(session, ctx.workspace, since=from_, until=to, by=by))


@router.get(
    "/metrics.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "One row per group."},
        **errors(403),
    },
)
def get_metrics_csv(
    session: DbSession,
    ctx: Annotated[WorkspaceContext, api_require(Action.VIEW)],
    by: ByQuery = None,
    from_: FromQuery = None,
    to: ToQuery = None,
) -> Response:
    """The same figures as CSV: a ``total`` row, then one row per group."""
    return csv_response(response_report(session, ctx.workspace, since=from_, until=to, by=by))


def csv_response(report: ResponseReport) -> Response:
    """The report as a CSV download (the API's and the metrics page's): ``total``, then the groups."""
    name = f"ecoute-metrics-{report.workspace}" + (f"-by-{report.by}" if report.by else "") + ".csv"
    return Response(
        csv_text(report),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
