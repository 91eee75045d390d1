"""Hostile lines in an import file, on SQLite and PostgreSQL: each one becomes a reject naming its
line and the reason (or, for a value that can be repaired, a warning), and every good row around
it is stored exactly once."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ecoute.ingest import IngestOptions, IngestReport, ingest
from ecoute.normalise import MAX_COUNT
from ecoute.sources.file import FileSource, MappingError
from ecoute.store.models import Author, Mention
from hostile import HOSTILE_URLS

DATE = "2026-10-01T09:00:00Z"
_runs = itertools.count()


def _good(external_id: str, **extra: object) -> dict[str, object]:
    return {"id": external_id, "text": f"Bonjour Velora {external_id}", "created_at": DATE, **extra}


def _import(db, workspace, path: Path, batch_size: int = 1000) -> IngestReport:
    return ingest(db, workspace, FileSource().read(path), options=IngestOptions(batch_size=batch_size))


def _stored(db, workspace, prefix: str = "") -> list[Mention]:
    with db.session() as session:
        query = select(Mention).where(
            Mention.workspace_id == workspace.id, Mention.external_id.like(f"{prefix}%")
        )
        return list(session.scalars(query.order_by(Mention.external_id)))


def _rejects(report: IngestReport) -> dict[int, tuple[str | None, str]]:
    return {int(r.location.rsplit(" ", 1)[1]): (r.field, r.reason) for r in report.rejected}


# What a hostile JSONL line looks like, by kind: (line, field named, words in the reason).
def _deep(depth: int) -> str:
    return json.dumps(_good("deep"))[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"


HOSTILE_JSONL = {
    "nested 1,000 deep": (_deep(1000), None, "nested"),
    "nested 100,000 deep": (_deep(100_000), None, "nested too deeply"),
    "a 5,000-digit number": (
        json.dumps(_good("big"))[:-1] + ', "likes": ' + "9" * 5000 + "}",
        None,
        "digits",
    ),
    "an epoch date above 2^63": (
        json.dumps({**_good("ep"), "created_at": 2**64 * 10**300}),
        "created_at",
        "range",
    ),
    "a lone surrogate in the text": (
        '{"id": "s", "text": "caf\\ud800", "created_at": "' + DATE + '"}',
        "text",
        "surrogate",
    ),
    "a lone surrogate in a line with no id": (
        '{"text": "\\udbff sans id", "created_at": "' + DATE + '"}',
        "text",
        "surrogate",
    ),
    "a NUL in a count": (json.dumps({**_good("nc"), "likes": "1\u00002"}), "likes", "whole number"),
    "a lone surrogate in an extra column": (
        '{"id": "s2", "text": "ok", "created_at": "' + DATE + '", "note": {"x": "\\udfff"}}',
        "note.x",
        "surrogate",
    ),
    "a list as the text": (json.dumps({**_good("l"), "text": [[["x"]]]}), "text", "expected text"),
    "not JSON": ('{"id": "broken", "text": ', None, "not valid JSON"),
}


def test_each_hostile_jsonl_line_is_a_named_reject_and_the_good_rows_are_kept(db, workspace, tmp_path):
    lines = [json.dumps(_good("g0"))]
    for line, _field, _why in HOSTILE_JSONL.values():
        lines += [line, json.dumps(_good(f"g{len(lines)}"))]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = _import(db, workspace, path, batch_size=3)

    good = sorted(json.loads(line)["id"] for line in lines if line.startswith('{"id": "g'))
    assert [m.external_id for m in _stored(db, workspace)] == good
    rejects = _rejects(report)
    assert sorted(rejects) == list(range(2, 2 * len(HOSTILE_JSONL) + 1, 2))
    for number, (name, (_line, field, why)) in zip(sorted(rejects), HOSTILE_JSONL.items(), strict=True):
        assert rejects[number][0] == field, name
        assert why in rejects[number][1], (name, rejects[number])


def test_values_beyond_the_columns_are_repaired_with_a_warning_not_lost(db, workspace, tmp_path):
    path = tmp_path / "repairable.jsonl"
    rows = [
        _good("1", likes=2**64, author="big", author_followers=2**63 + 1),
        _good("2", text="avant\u0000après", author="nul", author_name="Nul\u0000le", note="x\u0000y"),
        _good("3", shares="1e30"),
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    report = _import(db, workspace, path)

    first, second, third = _stored(db, workspace)
    assert (first.likes, third.shares) == (MAX_COUNT, MAX_COUNT)
    assert second.text == "avant\ufffdaprès" and second.raw == {"note": "x\ufffdy"}
    with db.session() as session:
        followers = session.scalar(select(Author.followers).where(Author.handle == "big"))
        names = list(session.scalars(select(Author.display_name).where(Author.display_name.is_not(None))))
    assert followers == MAX_COUNT and names == ["Nul\ufffdle"]
    assert report.rejected == []
    assert [(w.location, w.field) for w in report.warnings] == [
        ("repairable.jsonl line 1", "author_followers"),
        ("repairable.jsonl line 1", "likes"),
        ("repairable.jsonl line 3", "shares"),
    ]


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def test_a_csv_with_an_unclosed_quote_and_a_huge_field_keeps_every_good_row(db, workspace, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "id,text,created_at\n"
        + _csv_line(["1", "premier", DATE])
        + f'2,"jamais fermé,{DATE}\n'
        + _csv_line(["3", "bien, entre guillemets", DATE])
        + _csv_line(["4", "sur\ndeux lignes", DATE])
        + f'5,"{"x" * 200_000}",{DATE}\n'
        + _csv_line(["6", "après le gros champ", DATE])
        + f'7,"ouvert,{DATE}\n'
        + _csv_line(["8", "entre deux", DATE])
        + f'9,"xyz,{DATE}\n'
        + _csv_line(["10", "dernier", DATE]),
        encoding="utf-8",
    )

    report = _import(db, workspace, path)

    assert {m.external_id: m.text for m in _stored(db, workspace)} == {
        "1": "premier",
        "3": "bien, entre guillemets",
        "4": "sur\ndeux lignes",
        "6": "après le gros champ",
        "8": "entre deux",
        "10": "dernier",
    }
    rejects = _rejects(report)
    assert sorted(rejects) == [3, 7, 9, 11]  # line 1 is the header; rows 4 span lines 5-6
    assert all("unclosed quote" in rejects[n][1] for n in (3, 9, 11))
    assert rejects[7][1] == "a value longer than 131,072 characters"


def test_an_unclosed_quote_at_the_end_of_the_file_rejects_only_its_line(db, workspace, tmp_path):
    path = tmp_path / "end.csv"
    path.write_text(
        "id,text,created_at\n" + _csv_line(["1", "bon", DATE]) + '2,"pas fini\n', encoding="utf-8"
    )

    report = _import(db, workspace, path)

    assert [m.external_id for m in _stored(db, workspace)] == ["1"]
    assert list(_rejects(report)) == [3]


# Property: any mix of good and hostile lines.
_JSONL_HOSTILE = st.sampled_from([line for line, _field, _why in HOSTILE_JSONL.values()])
_CSV_HOSTILE = st.sampled_from(
    [
        f'"unclosed,{DATE}\n',
        f'"x{"y" * 140_000}",{DATE}\n',
        f'"xyz" junk,{DATE}\n',
        f"un,deux,trois,{DATE}\n",
        "sans date,\n",
    ]
)
_PLAN = st.lists(st.booleans(), min_size=1, max_size=12)  # True: a good line, False: a hostile one


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=_PLAN, hostile=st.data())
def test_any_mix_of_jsonl_lines_stores_each_good_row_once_and_names_each_bad_line(
    db, workspace, tmp_path, plan, hostile
):
    run = f"j{next(_runs)}-"
    lines, good, bad = [], [], []
    for number, is_good in enumerate(plan, start=1):
        if is_good:
            good.append(f"{run}{number:03}")
            lines.append(json.dumps(_good(good[-1], url="javascript:alert(1)")))
        else:
            bad.append(number)
            lines.append(hostile.draw(_JSONL_HOSTILE).replace('"id": "', f'"id": "{run}bad'))
    path = tmp_path / f"{run}mix.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = _import(db, workspace, path, batch_size=4)

    stored = _stored(db, workspace, run)
    assert [m.external_id for m in stored] == good
    assert all(m.url is None for m in stored)
    assert sorted(_rejects(report)) == bad
    assert len(report.warnings) == len(good)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=_PLAN, hostile=st.data())
def test_any_mix_of_csv_lines_stores_each_good_row_once_and_names_each_bad_line(
    db, workspace, tmp_path, plan, hostile
):
    run = f"c{next(_runs)}-"
    lines, good, bad = ["id,text,created_at\n"], [], []
    for number, is_good in enumerate(plan, start=2):
        external_id = f"{run}{number:03}"
        if is_good:
            good.append(external_id)
            lines.append(_csv_line([external_id, f"Bonjour, ligne {number}", DATE]))
        else:
            bad.append(number)
            lines.append(f"{external_id}," + hostile.draw(_CSV_HOSTILE))
    path = tmp_path / f"{run}mix.csv"
    path.write_text("".join(lines), encoding="utf-8")

    report = _import(db, workspace, path, batch_size=4)

    assert [m.external_id for m in _stored(db, workspace, run)] == good
    assert sorted(_rejects(report)) == bad


def test_links_that_are_not_web_addresses_are_dropped_with_a_warning_naming_the_line(db, workspace, tmp_path):
    jsonl = tmp_path / "links.jsonl"
    rows = [_good(f"u{n:02}", url=url) for n, url in enumerate([*HOSTILE_URLS, "https://x.example/ok"])]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    table = tmp_path / "links.csv"
    table.write_text(
        "id,text,created_at,url\n"
        + "".join(_csv_line([f"v{n:02}", "texte", DATE, url]) for n, url in enumerate(HOSTILE_URLS)),
        encoding="utf-8",
    )

    from_jsonl = _import(db, workspace, jsonl)
    from_csv = _import(db, workspace, table)

    urls = {m.external_id: m.url for m in _stored(db, workspace)}
    assert len(urls) == 2 * len(HOSTILE_URLS) + 1  # every mention kept
    assert {url for url in urls.values() if url} == {"https://x.example/ok"}
    assert [w.location for w in from_jsonl.warnings] == [
        f"links.jsonl line {n}" for n in range(1, len(HOSTILE_URLS) + 1)
    ]
    assert all(w.field == "url" and "link dropped, mention kept" in w.reason for w in from_jsonl.warnings)
    # CSV lines: the header is line 1, and a value holding a line break spans two lines.
    assert len(from_csv.warnings) == len(HOSTILE_URLS) and from_csv.rejected == []


def test_a_header_with_an_unclosed_quote_is_a_clear_error_before_any_row(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text('id,"text,created_at\n1,bonjour,2026-10-01\n', encoding="utf-8")

    with pytest.raises(MappingError, match="header.csv header: unclosed quote"):
        list(FileSource().read(path))
