"""Exports of mentions and conversations: the inbox's filters and nothing else, one workspace only,
formulas neutralised, UTF-8 with BOM, XLSX that opens, the same through the API, the inbox's menu
and ``ecoute export``; bad filters are a 4xx naming the field."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

import api_world
import inbox_factories
from cli_run import ecoute
from ecoute.inbox import exports
from ecoute.inbox.queries import InboxFilters
from ecoute.store.models import Brand, Mention, MentionBrand
from ecoute.web.filters import parse_filters
from web_helpers import session_client


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def export_rows(db, workspace, kind: str, filters: InboxFilters) -> list[dict[str, str]]:
    batches = exports.rows(db.session, workspace.id, kind, filters, secret="s")
    return read_csv(b"".join(exports.csv_stream(kind, batches)))


@pytest.fixture
def desk(db, workspace, other_workspace):
    """Ours: a negative complaint (hostile text), a positive praise resolved, a thread with a
    mention of the brand. Theirs: one conversation that must never show."""
    hostile = inbox_factories.conversation(
        db, workspace, text='=HYPERLINK("http://evil.example","clic") à réglér', priority=90
    )
    praise = inbox_factories.conversation(
        db, workspace, text="Merci, livraison rapide", sentiment="positive", intent="praise",
        status="resolved", priority=5, minutes=10,
    )  # fmt: skip
    thread = inbox_factories.conversation(
        db, workspace, text="+33 6 12 34 56 78 rappelez-moi", replies=["@support toujours rien"],
        priority=60, minutes=20,
    )  # fmt: skip
    theirs = inbox_factories.conversation(db, other_workspace, text="globex secret", priority=99)
    with db.session() as session:
        brand = Brand(workspace_id=workspace.id, name="Acme", query="acme")
        session.add(brand)
        session.flush()
        reply = session.scalars(
            select(Mention).where(Mention.conversation_id == thread.id).order_by(Mention.id.desc())
        ).first()
        session.add(MentionBrand(mention_id=reply.id, brand_id=brand.id, workspace_id=workspace.id))
        brand_id = brand.id
    return {
        "hostile": hostile.id,
        "praise": praise.id,
        "thread": thread.id,
        "theirs": theirs.id,
        "brand": brand_id,
    }


def test_conversations_follow_the_filters_and_stay_in_their_workspace(db, workspace, desk):
    everything = export_rows(db, workspace, "conversations", parse_filters({}, me=None, default_open=False))
    open_only = export_rows(db, workspace, "conversations", parse_filters({}, me=None))
    praise = export_rows(
        db, workspace, "conversations", parse_filters({"sentiment": "positive", "status": "all"}, me=None)
    )

    assert [int(r["id"]) for r in everything] == [desk["hostile"], desk["thread"], desk["praise"]]
    assert [int(r["id"]) for r in open_only] == [desk["hostile"], desk["thread"]]
    assert [int(r["id"]) for r in praise] == [desk["praise"]]
    assert all("globex" not in value for row in everything for value in row.values())


def test_mentions_follow_the_mention_level_filters(db, workspace, desk):
    filters = parse_filters({"brand": str(desk["brand"])}, me=None, default_open=False)
    rows = export_rows(db, workspace, "mentions", filters)
    neutral = export_rows(
        db, workspace, "mentions", parse_filters({"sentiment": "neutral"}, me=None, default_open=False)
    )
    resolved = export_rows(db, workspace, "mentions", parse_filters({"status": "resolved"}, me=None))
    every = export_rows(db, workspace, "mentions", parse_filters({}, me=None, default_open=False))

    assert [r["text"] for r in rows] == ["'@support toujours rien"]
    assert rows[0]["brands"] == "Acme"
    assert [r["text"] for r in neutral] == ["'@support toujours rien"]
    assert [r["text"] for r in resolved] == ["Merci, livraison rapide"]
    assert len(every) == 4 and [int(r["id"]) for r in every] == sorted(int(r["id"]) for r in every)


def test_formulas_are_neutralised_and_accents_survive(db, workspace, desk):
    rows = export_rows(db, workspace, "mentions", parse_filters({}, me=None, default_open=False))
    texts = {r["text"] for r in rows}

    assert '\'=HYPERLINK("http://evil.example","clic") à réglér' in texts
    assert "'+33 6 12 34 56 78 rappelez-moi" in texts
    assert all(not t.startswith(("=", "+", "-", "@")) for t in texts)


def test_many_batches_are_read_by_keyset_without_losing_or_repeating_rows(db, workspace, monkeypatch):
    monkeypatch.setattr(exports, "MENTION_BATCH", 7)
    monkeypatch.setattr(exports, "CONVERSATION_BATCH", 4)
    made = [
        inbox_factories.conversation(db, workspace, priority=p % 3, minutes=p, replies=["r"]).id
        for p in range(15)
    ]
    filters = parse_filters({}, me=None, default_open=False)

    mentions = export_rows(db, workspace, "mentions", filters)
    conversations = export_rows(db, workspace, "conversations", filters)

    assert len(mentions) == 30 and len({r["id"] for r in mentions}) == 30
    assert sorted(int(r["id"]) for r in conversations) == sorted(made)


def test_the_xlsx_opens_with_typed_cells(db, workspace, desk, tmp_path):
    path = tmp_path / "m.xlsx"
    filters = parse_filters({}, me=None, default_open=False)
    exports.write_file(
        "mentions", "xlsx", exports.rows(db.session, workspace.id, "mentions", filters, secret="s"), str(path)
    )

    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0] == exports.MENTION_COLUMNS
    assert len(rows) == 5
    text = exports.MENTION_COLUMNS.index("text")
    assert rows[1][text].startswith("'=HYPERLINK")
    assert isinstance(rows[1][exports.MENTION_COLUMNS.index("likes")], int)
    assert rows[1][exports.MENTION_COLUMNS.index("created_at")].year == 2026


def test_an_empty_xlsx_still_has_its_header(tmp_path):
    path = tmp_path / "none.xlsx"
    exports.write_file("conversations", "xlsx", iter([]), str(path))
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows == [exports.CONVERSATION_COLUMNS]


def test_the_api_streams_both_formats_with_the_filters(api, world):
    viewer = api.as_token(world.acme.tokens["viewer"])

    as_csv = viewer.get("/api/v1/exports/mentions.csv?status=all")
    filtered = viewer.get("/api/v1/exports/conversations.csv?sentiment=positive")
    as_xlsx = viewer.get("/api/v1/exports/conversations.xlsx")

    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = read_csv(as_csv.content)
    assert rows and all(api_world.GLOBEX_MARKER not in r["text"] for r in rows)
    assert any(api_world.ACME_MARKER in r["text"] for r in rows)
    assert read_csv(filtered.content) == []
    assert as_xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    assert [row for row in book.active.iter_rows(values_only=True)][0] == exports.CONVERSATION_COLUMNS


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/api/v1/exports/mentions.csv?since=yesterday", "since"),
        ("/api/v1/exports/mentions.csv?sentiment=angry", "sentiment"),
        ("/api/v1/exports/mentions.pdf", "fmt"),
        ("/api/v1/exports/people.csv", "kind"),
        ("/api/v1/exports/conversations.xlsx?brand=0", "brand"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(api, world, query, field):
    response = api.as_token(world.acme.tokens["viewer"]).get(query)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_the_inbox_menu_keeps_the_filters(app, db, workspace, desk):
    client: TestClient = session_client(app, db, workspace, "viewer")

    page = client.get("/w/acme/?sentiment=positive&status=resolved").text
    link = "/w/acme/export/conversations.csv?"
    assert link in page
    response = client.get("/w/acme/export/conversations.csv?sentiment=positive&status=resolved")
    bad = client.get("/w/acme/export/conversations.csv?tag=abc")

    assert [int(r["id"]) for r in read_csv(response.content)] == [desk["praise"]]
    assert bad.status_code == 400 and "tag" in bad.text


def test_outsiders_get_nothing(app, db, workspace, other_workspace, desk):
    stranger = session_client(app, db, other_workspace, "owner")
    assert stranger.get("/w/acme/export/mentions.csv").status_code in (403, 404)


def test_the_command_writes_csv_and_xlsx(db, db_url, workspace, desk, tmp_path):
    out = tmp_path / "c.csv"
    done = ecoute(
        ["export", "conversations", "-w", "acme", "--sentiment", "positive", "-o", str(out)], db_url, tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert [int(r["id"]) for r in read_csv(out.read_bytes())] == [desk["praise"]]

    book = tmp_path / "m.xlsx"
    done = ecoute(["export", "mentions", "-w", "acme", "--format", "xlsx", "-o", str(book)], db_url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(book).active.max_row == 5

    refused = ecoute(
        ["export", "mentions", "-w", "acme", "--since", "hier", "-o", str(out)], db_url, tmp_path
    )
    assert refused.returncode == 2 and "since" in refused.stderr
