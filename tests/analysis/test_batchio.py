"""Reading analyze input: every line becomes a post or an error naming the line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dateutil import parser as dateparser

from ecoute.analysis.batchio import count_lines, detect_format, parse_date, read_lines


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_jsonl_lines_become_posts_with_context(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "in.jsonl",
        b'{"id": "a1", "text": "hello", "author_followers": "1200", '
        b'"created_at": "Tue Oct 31 22:10:47 +0000 2017", "platform": "x"}\n',
    )
    [line] = read_lines(path, "jsonl")
    assert line.id == "a1"
    assert line.item is not None
    assert line.item.author_followers == 1200
    assert line.item.created_at == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    assert line.item.platform == "x"


def test_bad_lines_are_errors_that_name_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "in.jsonl",
        b'{"id": 1, "text": "ok"}\nnot json\n{"id": 3}\n[1, 2]\n\n{"id": 6, "text": 7}\n',
    )
    lines = list(read_lines(path, "jsonl"))
    assert [line.error for line in lines] == [
        None,
        "line 2: not valid JSON (Expecting value at column 1)",
        'line 3: no "text" field',
        "line 4: not a JSON object",
        "line 5: blank line",
        'line 6: "text" must be a string',
    ]
    assert [line.id for line in lines] == [1, None, 3, None, None, 6]


def test_invalid_utf8_is_replaced_and_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "in.jsonl", b'{"id": 1, "text": "caf\xe9 cr\xc3\xa8me"}\n')
    [line] = read_lines(path, "jsonl")
    assert line.item is not None
    assert line.item.text == "caf\ufffd crème"
    assert line.warnings == ["line 1: not valid UTF-8 (byte 23), undecodable bytes replaced with U+FFFD"]


def test_bad_optional_fields_are_warnings_not_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path, "in.jsonl", b'{"id": 1, "text": "x", "author_followers": "many", "created_at": "soon"}\n'
    )
    [line] = read_lines(path, "jsonl")
    assert line.error is None
    assert line.item is not None
    assert line.item.author_followers is None
    assert len(line.warnings) == 2


def test_plain_text_lines_are_posts_numbered_from_one(tmp_path: Path) -> None:
    path = write(tmp_path, "posts.txt", "premier post\r\n\ndeuxième post".encode())
    lines = list(read_lines(path, "text"))
    assert [(line.id, line.item.text if line.item else None) for line in lines] == [
        (1, "premier post"),
        (2, ""),
        (3, "deuxième post"),
    ]


def test_format_detection_and_line_count(tmp_path: Path) -> None:
    jsonl = write(tmp_path, "export.dat", b'\n{"id": 1, "text": "x"}\n')
    text = write(tmp_path, "export2.dat", b"just words\nmore words")
    assert detect_format(jsonl) == "jsonl"
    assert detect_format(text) == "text"
    assert detect_format(write(tmp_path, "x.jsonl", b"oops")) == "jsonl"
    assert count_lines(jsonl) == 2
    assert count_lines(text) == 2


@pytest.mark.parametrize(
    "value",
    [
        "Tue Oct 31 22:10:47 +0000 2017",
        "Wed Nov 01 02:03:04 -0530 2017",
        "Sun Feb 29 23:59:59 +0100 2004",
        "2017-11-01T10:00:00Z",
        "2017-11-01 10:00:00",
        "2017-11-01T10:00:00.123+02:00",
        "2017-11-01T10:00:00.5",
        "2017-11-01T10:00:00.123456-08:00",
        "2017-11-01",  # the forms below are dateutil's alone
        "01/11/2017 10:00",
        "1 Nov 2017 10:00",
        "2017-11-01T10:00:00+0200",
    ],
)
def test_dates_read_as_dateutil_reads_them(value: str) -> None:
    ours, theirs = parse_date(value), dateparser.parse(value)
    assert ours == theirs
    assert (ours.tzinfo is None, ours.utcoffset()) == (theirs.tzinfo is None, theirs.utcoffset())


@pytest.mark.parametrize("value", ["Tue Feb 30 10:00:00 +0000 2017", "2017-02-30T10:00:00Z"])
def test_impossible_dates_are_refused_as_dateutil_refuses_them(value: str) -> None:
    with pytest.raises(ValueError):
        dateparser.parse(value)
    with pytest.raises(ValueError):
        parse_date(value)
