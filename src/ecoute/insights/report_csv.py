"""A report's figures as flat CSV rows — ``section, key, label, metric, value, previous`` — for a
spreadsheet: one row per figure, day, brand, topic, post or alert. Keys and metrics are stable
English identifiers; labels are the names as stored (brands, topics, platforms, the post's text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from ecoute.insights.listening import SENTIMENTS
from ecoute.insights.report import Post, Report

COLUMNS = ("section", "key", "label", "metric", "value", "previous")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Row = tuple[str, str, str, str, Any, Any]


def report_rows(report: Report) -> Iterator[Row]:
    yield from _headline(report)
    yield from _days(report)
    yield from _share(report)
    yield from _topics(report)
    yield from _posts("most_engaged", report.most_engaged)
    yield from _posts("most_negative", report.most_negative)
    for a in report.alerts:
        key, label = str(a.alert_id), f"{a.kind} {a.subject}".strip()
        yield ("alerts", key, label, "started_at", a.started_at.isoformat(), "")
        yield ("alerts", key, label, "observed", a.observed, a.expected)
        yield ("alerts", key, label, "status", a.status, "")
    for number, incident in enumerate(report.incidents, 1):
        yield ("incidents", str(number), str(incident), "", "", "")


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(tuple(_cell(v) for v in row) for row in report_rows(report))
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (a post starting with ``=``) is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _headline(report: Report) -> Iterator[Row]:
    now, before, r = report.listening.total, report.listening.previous, report.responses
    subject = report.brand or "all brands"
    yield ("report", "period", subject, "from", report.period.first_day.isoformat(), "")
    yield ("report", "period", subject, "to", report.period.day_list[-1].isoformat(), "")
    yield ("report", "period", subject, "timezone", report.period.timezone, "")
    yield ("headline", "mentions", "Mentions", "count", now.mentions, before.mentions)
    yield ("headline", "net_sentiment", "Net sentiment", "ratio", _round(now.net), _round(before.net))
    yield ("headline", "engagement", "Engagement", "count", now.engagement, before.engagement)
    negative, negative_before = report.negative_share
    yield ("headline", "negative_share", "Negative share", "ratio", _round(negative), _round(negative_before))
    yield ("headline", "share_of_voice", "Share of voice", "ratio", _round(report.own_share), "")
    yield ("headline", "conversations", "Conversations opened", "count", r.conversations, "")
    yield ("headline", "response_rate", "Response rate", "ratio", _round(r.response_rate), "")
    yield (
        "headline",
        "complaints_answered",
        "Complaints answered",
        "count",
        r.complaints_answered,
        r.complaints,
    )
    for name, durations in (("business", r.first_response_business), ("elapsed", r.first_response_wall)):
        for stat in ("median", "p90"):
            seconds = getattr(durations, f"{stat}_seconds")
            yield ("headline", f"first_response_{name}_{stat}", "First response", "seconds", seconds, "")


def _days(report: Report) -> Iterator[Row]:
    data = report.listening
    for day in report.period.day_list:
        key = day.isoformat()
        for platform, counts in sorted(data.by_platform.items()):
            yield ("volume", key, platform, "mentions", counts.get(day, 0), "")
        tally = data.by_day[day]
        for sentiment in SENTIMENTS:
            yield ("sentiment", key, sentiment, "mentions", getattr(tally, sentiment), "")


def _share(report: Report) -> Iterator[Row]:
    data = report.listening
    for b in data.brands:
        key = str(b.brand_id)
        yield ("share_of_voice", key, b.name, "mentions", b.tally.mentions, b.previous.mentions)
        yield ("share_of_voice", key, b.name, "share_of_mentions", _round(data.share(b, "mentions")), "")
        yield ("share_of_voice", key, b.name, "engagement", b.tally.engagement, b.previous.engagement)
        yield ("share_of_voice", key, b.name, "share_of_engagement", _round(data.share(b, "engagement")), "")
        yield ("share_of_voice", key, b.name, "net_sentiment", _round(b.tally.net), _round(b.previous.net))


def _topics(report: Report) -> Iterator[Row]:
    for line in report.topics:
        t = line.summary
        yield ("topics", str(t.topic_id), t.title, "mentions", t.mentions, t.previous)
        yield ("topics", str(t.topic_id), t.title, "net_sentiment", _round(t.net_sentiment), "")


def _posts(section: str, posts: list[Post]) -> Iterator[Row]:
    for p in posts:
        yield (section, str(p.mention_id), p.text, "engagement", p.engagement, "")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
