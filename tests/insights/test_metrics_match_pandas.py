"""The response metrics agree exactly with an independent computation: pandas over the same rows
read straight from the database with plain SQL, business time summed by localising each opening
interval with pandas (not Écoute's calendar), medians from pandas and nearest-rank percentiles
from NumPy. On a generated data set full of edge cases (``metrics_data``), for every grouping and
several periods, on SQLite and PostgreSQL, with a second workspace's rows present to prove isolation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import text

import metrics_data
from ecoute.insights.export import report_records
from ecoute.insights.response_metrics import GROUPINGS, response_report
from ecoute.store.models import Workspace

TZ = "Europe/Paris"
HOURS = {day: ((9 * 60, 12 * 60), (14 * 60, 18 * 60)) for day in range(5)}
PERIODS = ((None, None), (date(2026, 10, 5), date(2026, 10, 25)), (date(2026, 10, 26), date(2026, 11, 15)))
US = pd.Timedelta(1, "us")


def read(db, sql: str, workspace_id: int) -> pd.DataFrame:
    with db.engine.connect() as connection:
        return pd.read_sql_query(text(sql), connection, params={"ws": workspace_id})


def stamps(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def business_us(a: pd.Timestamp, b: pd.Timestamp) -> int:
    """Business time from a to b: each opening interval of each local day, localised, clipped, summed."""
    total = pd.Timedelta(0)
    first, last = pd.Timestamp(a.tz_convert(TZ).date()), pd.Timestamp(b.tz_convert(TZ).date())
    days = pd.date_range(first - pd.Timedelta(days=1), last, freq="D")
    for day in [d for d in days if d.date() != metrics_data.HOLIDAY]:
        for start, end in HOURS.get(day.day_of_week, ()):
            lo = (day + pd.Timedelta(minutes=start)).tz_localize(TZ)
            hi = (day + pd.Timedelta(minutes=end)).tz_localize(TZ)
            total += max(min(hi, b) - max(lo, a), pd.Timedelta(0))
    return total // US


def facts(db, workspace_id: int, since: date | None, until: date | None) -> pd.DataFrame:
    mentions = stamps(
        read(
            db,
            "SELECT id, conversation_id, created_at, intent, source_id, hidden, needs_reply "
            "FROM mentions WHERE workspace_id = :ws",
            workspace_id,
        ),
        "created_at",
    )
    replies = stamps(
        read(
            db,
            "SELECT id, conversation_id, sent_at, author_user_id FROM replies WHERE workspace_id = :ws",
            workspace_id,
        ),
        "sent_at",
    )
    conversations = read(
        db,
        "SELECT id AS conversation_id, needs_reply AS marked, assignee_id "
        "FROM conversations WHERE workspace_id = :ws",
        workspace_id,
    )
    sources = read(
        db, "SELECT id AS source_id, name AS source FROM sources WHERE workspace_id = :ws", workspace_id
    )
    candidates = mentions[~mentions.hidden.eq(True) & mentions.needs_reply.eq(True)]
    opening = candidates.sort_values(["created_at", "id"]).drop_duplicates("conversation_id")
    sent = replies[replies.sent_at.notna()].merge(
        opening[["conversation_id", "created_at"]], on="conversation_id"
    )
    first = (
        sent[sent.sent_at >= sent.created_at]
        .sort_values(["sent_at", "id"])
        .drop_duplicates("conversation_id")[["conversation_id", "sent_at", "author_user_id"]]
    )
    frame = opening.merge(first, on="conversation_id", how="left").merge(conversations, on="conversation_id")
    frame = frame.merge(sources, on="source_id", how="left")
    frame = frame[frame.marked.eq(True) | frame.sent_at.notna()]
    low = pd.Timestamp(since or date(1900, 1, 1)).tz_localize(TZ)
    high = pd.Timestamp(until or date(9998, 12, 30)).tz_localize(TZ) + pd.Timedelta(days=1)
    frame = frame[(frame.created_at >= low) & (frame.created_at < high)].copy()
    frame["answered"] = frame.sent_at.notna()
    frame["wall_us"] = (frame.sent_at - frame.created_at) // US
    frame["business_us"] = [
        business_us(a, b) if pd.notna(b) else np.nan
        for a, b in zip(frame.created_at, frame.sent_at, strict=True)
    ]
    return frame


def keyed(db, workspace_id: int, frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per (conversation, group key), with the group's label."""
    if by == "agent":
        names = read(db, "SELECT id, name FROM users", workspace_id).set_index("id")["name"]
        agent = frame.author_user_id.where(frame.answered, frame.assignee_id)
        keys = agent.map(lambda v: "none" if pd.isna(v) else str(int(v)))
        labels = agent.map(lambda v: "(nobody)" if pd.isna(v) else names[int(v)])
        return frame.assign(key=keys, label=labels)
    if by == "brand":
        brands = read(
            db,
            "SELECT mb.mention_id AS id, b.name AS brand FROM mention_brands mb "
            "JOIN brands b ON b.id = mb.brand_id WHERE mb.workspace_id = :ws",
            workspace_id,
        )
        merged = frame.merge(brands, on="id", how="left")
        return merged.assign(key=merged.brand.fillna("none"), label=merged.brand.fillna("(none)"))
    column = {"source": frame.source, "intent": frame.intent}.get(by)
    if column is None:
        iso = frame.created_at.dt.tz_convert(TZ).dt.isocalendar()
        column = iso.year.astype(str) + "-W" + iso.week.astype(str).str.zfill(2)
    return frame.assign(key=column.fillna("none"), label=column.fillna("(none)"))


def record(group: str, key: str, label: str, rows: pd.DataFrame) -> dict[str, Any]:
    answered = rows[rows.answered]
    complaints = rows[rows.intent.eq("complaint")]

    def median(column: str) -> float | None:
        return None if answered.empty else float(answered[column].astype("int64").median()) / 1_000_000

    def p90(column: str) -> float | None:
        values = answered[column].astype("int64").to_numpy()
        return None if answered.empty else float(np.percentile(values, 90, method="inverted_cdf")) / 1_000_000

    return {
        "group": group,
        "key": key,
        "label": label,
        "conversations": len(rows),
        "answered": int(rows.answered.sum()),
        "response_rate": float(rows.answered.mean()) if len(rows) else None,
        "complaints": len(complaints),
        "complaints_answered": int(complaints.answered.sum()),
        "complaints_answered_share": float(complaints.answered.mean()) if len(complaints) else None,
        "first_response_business_median_s": median("business_us"),
        "first_response_business_p90_s": p90("business_us"),
        "first_response_wall_median_s": median("wall_us"),
        "first_response_wall_p90_s": p90("wall_us"),
    }


def pandas_records(db, workspace_id: int, since: date | None, until: date | None, by: str | None) -> dict:
    frame = facts(db, workspace_id, since, until)
    found = {("total", "all"): record("total", "all", "All", frame)}
    for (key, label), rows in keyed(db, workspace_id, frame, by).groupby(["key", "label"]) if by else ():
        found[(by, key)] = record(by, key, label, rows)
    return found


def ecoute_records(db, workspace_id: int, since: date | None, until: date | None, by: str | None) -> dict:
    with db.session() as session:
        report = response_report(
            session, session.get(Workspace, workspace_id), since=since, until=until, by=by
        )
    return {(r["group"], r["key"]): r for r in report_records(report)}


def test_every_figure_matches_pandas_exactly(db, workspace, other_workspace):
    metrics_data.generate(db, workspace, conversations=160, seed=7)
    metrics_data.generate(db, other_workspace, conversations=40, seed=8)
    cases = [(since, until, by) for since, until in PERIODS for by in (None, *GROUPINGS)]

    ours = {case: ecoute_records(db, workspace.id, *case) for case in cases}
    theirs = {case: pandas_records(db, workspace.id, *case) for case in cases}

    assert ours == theirs
    assert ours[(None, None, None)][("total", "all")]["conversations"] > 100
    assert 0 < ours[(None, None, None)][("total", "all")]["response_rate"] < 1
