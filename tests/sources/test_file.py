"""File import: JSONL and CSV, column mappings, and every kind of bad line named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecoute.sources.base import RawItem, Rejected
from ecoute.sources.file import ColumnMapping, FileSource, MappingError
from factories import row, write_jsonl


def _read(path: Path, mapping: ColumnMapping | None = None) -> list[RawItem | Rejected]:
    return list(FileSource(mapping).read(path))


def test_jsonl_lines_become_items_and_bad_lines_are_named(tmp_path):
    path = write_jsonl(
        tmp_path / "export.jsonl",
        [
            row("1", "Super service", author="alice", followers=12, extra_field="kept"),
            "{not json",
            "[1, 2]",
            {"id": "4", "created_at": "2026-10-01T10:00:00Z"},
            "",
            row("6", "Encore"),
        ],
    )

    items = _read(path)

    first = items[0]
    assert isinstance(first, RawItem)
    assert (first.external_id, first.text, first.author, first.author_followers) == (
        "1",
        "Super service",
        "alice",
        12,
    )
    assert first.raw == {"extra_field": "kept"}
    assert [(i.location, i.field) for i in items if isinstance(i, Rejected)] == [
        ("export.jsonl line 2", None),
        ("export.jsonl line 3", None),
        ("export.jsonl line 4", "text"),
    ]
    assert items[-1].location == "export.jsonl line 6"


def test_invalid_utf8_in_a_jsonl_line_rejects_only_that_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = write_jsonl(tmp_path / "good.jsonl", [row("1", "café")]).read_bytes()
    path.write_bytes(good + b'{"id": "2", "text": "caf\xe9", "created_at": "2026-10-01T10:00:00Z"}\n' + good)

    items = _read(path)

    assert [type(i).__name__ for i in items] == ["RawItem", "Rejected", "RawItem"]
    assert items[1].reason == "not valid UTF-8 (byte 24)"


def test_csv_export_loads_with_a_column_mapping_and_keeps_other_columns(tmp_path):
    path = tmp_path / "facebook.csv"
    path.write_text(
        "Post ID;Message;Date;Profile;Reactions;Page\n"
        "fb1;Livraison rapide, merci !;01/10/2026 10:05;Jeanne D;4;Velora\n"
        "fb2;Où est ma commande ?;2026-10-01T11:00:00+02:00;Paul;;Velora\n",
        encoding="utf-8",
    )
    mapping = ColumnMapping(
        columns={
            "id": "Post ID",
            "text": "Message",
            "created_at": "Date",
            "author": "Profile",
            "likes": "Reactions",
        },
        defaults={"platform": "facebook", "kind": "comment"},
    )

    first, second = _read(path, mapping)

    assert (first.platform, first.external_id, first.author, first.likes, first.kind) == (
        "facebook",
        "fb1",
        "Jeanne D",
        "4",
        "comment",
    )
    assert first.raw == {"Page": "Velora"}
    assert (second.text, second.created_at) == ("Où est ma commande ?", "2026-10-01T11:00:00+02:00")


def test_mapping_file_in_toml(tmp_path):
    mapping_file = tmp_path / "mapping.toml"
    mapping_file.write_text('[columns]\ntext = "Body"\ncreated_at = "When"\n[defaults]\nplatform = "yelp"\n')
    path = tmp_path / "reviews.csv"
    path.write_text("Body,When,Stars\nTrès bon accueil,2026-10-01T10:00:00Z,5\n")

    [item] = _read(path, ColumnMapping.load(mapping_file))

    assert (item.platform, item.text, item.rating) == ("yelp", "Très bon accueil", "5")
    assert item.external_id.startswith("sha1:")  # no id column: a stable id derived from the row


def test_csv_rows_with_the_wrong_number_of_values_or_bad_encoding_are_rejected(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"id,text,created_at\n"
        b"1,ok,2026-10-01T10:00:00Z\n"
        b"2,too,many,values\n"
        b"3,caf\xe9,2026-10-01T10:00:00Z\n"
        b'4,"multi\nline text",2026-10-01T10:00:00Z\n'
        b"5,last,2026-10-01T10:00:00Z\n"
    )

    items = _read(path)

    assert [(type(i).__name__, i.location) for i in items] == [
        ("RawItem", "export.csv line 2"),
        ("Rejected", "export.csv line 3"),
        ("Rejected", "export.csv line 4"),
        ("RawItem", "export.csv line 5"),
        ("RawItem", "export.csv line 7"),
    ]
    assert items[1].reason == "4 values but the header has 3 columns"
    assert (items[2].field, items[3].text) == ("text", "multi\nline text")


def test_a_mapped_column_missing_from_the_file_stops_before_anything_is_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,body,date\n1,hello,2026-10-01T10:00:00Z\n")

    with pytest.raises(
        MappingError, match=r"mapped column\(s\) 'Message' not in the file \(columns: id, body, date\)"
    ):
        _read(path, ColumnMapping(columns={"text": "Message"}))


def test_unknown_item_field_in_a_mapping_is_refused():
    with pytest.raises(MappingError, match="unknown item field 'txt'"):
        ColumnMapping(columns={"txt": "Message"})


def test_csv_without_a_text_column_says_how_to_map_one(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,contenu,date\n1,bonjour,2026-10-01T10:00:00Z\n")

    with pytest.raises(MappingError, match="no column for text .* map one with --map FIELD=COLUMN"):
        _read(path)
