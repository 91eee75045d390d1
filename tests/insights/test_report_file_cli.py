"""``ecoute report --format html|pdf|csv -o FILE``: the demo's report for each of its three brands,
in French and English, as a file; bad options are one-line errors."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from cli_run import ecoute
from demo_world import load_demo


def test_the_demo_report_is_written_for_each_brand_in_each_format(db, db_url, tmp_path):
    load_demo(db)
    written = {}
    for number, (brand, fmt, lang) in enumerate(
        [
            ("Cyclune", "html", "fr"),
            ("Galvéo", "html", "en"),
            ("Kipwatt", "pdf", "en"),
            ("Cyclune", "csv", None),
        ]
    ):
        out = tmp_path / f"report{number}.{fmt}"
        # The demo's mentions are dated relative to today: the default period, the last 30 days, holds them.
        args = ["report", "--workspace", "demo", "--brand", brand, "--format", fmt, "-o", str(out)]
        result = ecoute([*args, "--lang", lang] if lang else args, db_url, tmp_path)
        assert result.returncode == 0, result.stderr
        written[brand, fmt] = out

    french = written["Cyclune", "html"].read_text(encoding="utf-8")
    assert "<h1>Rapport · Cyclune</h1>" in french and "(30 jours)" in french
    assert "<script" not in french and 'data-table="share"' in french
    assert french.count('<tr data-brand="') == 3  # Cyclune against Galvéo and Kipwatt
    assert "<h1>Report · Galvéo</h1>" in written["Galvéo", "html"].read_text(encoding="utf-8")
    pdf = PdfReader(io.BytesIO(written["Kipwatt", "pdf"].read_bytes()))
    assert len(pdf.pages) >= 2 and "Report · Kipwatt" in pdf.pages[0].extract_text()
    rows = list(csv.DictReader(io.StringIO(written["Cyclune", "csv"].read_text(encoding="utf-8"))))
    mentions = next(r for r in rows if (r["section"], r["key"]) == ("headline", "mentions"))
    assert int(mentions["value"]) > 100


def test_bad_options_are_one_line_errors(db, db_url, workspace, tmp_path):
    out = str(tmp_path / "r.html")
    base = ["report", "--workspace", "acme", "--format", "html"]

    no_file = ecoute(base, db_url, tmp_path)
    bad_lang = ecoute([*base, "-o", out, "--lang", "de"], db_url, tmp_path)
    no_brand = ecoute([*base, "-o", out, "--brand", "Nobody"], db_url, tmp_path)
    no_workspace = ecoute(
        ["report", "--workspace", "nowhere", "--format", "csv", "-o", out], db_url, tmp_path
    )
    bad_format = ecoute([*base[:-1], "docx", "-o", out], db_url, tmp_path)

    assert no_file.returncode == 2 and "--output" in no_file.stderr
    assert bad_lang.returncode == 2 and "--lang 'de'" in bad_lang.stderr
    assert no_brand.returncode == 2 and "brand 'Nobody'" in no_brand.stderr
    assert no_workspace.returncode == 2 and "nowhere" in no_workspace.stderr
    assert bad_format.returncode == 2 and "docx" in bad_format.stderr
    assert not (tmp_path / "r.html").exists()
