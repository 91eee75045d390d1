from __future__ import annotations

import json

from cli_run import ecoute

ACCOUNTS = [
    {
        "platform": "x",
        "handle": "cyclune_serviceclient",
        "display_name": "Cyclune Service Client",
        "bio": "Service client officiel",
        "created_at": "2026-10-20T00:00:00Z",
        "followers": 12,
        "verified": False,
        "replied_to_handles": ["ana"],
    },
    {
        "platform": "x",
        "handle": "cyclunefan",
        "display_name": "Cyclune Fan Club",
        "bio": "Fan account",
        "created_at": "2020-01-01",
        "followers": 900,
        "verified": False,
    },
    {
        "platform": "x",
        "handle": "CycluneSAV",
        "display_name": "Cyclune SAV",
        "bio": "",
        "created_at": "2019-01-01",
        "followers": 50000,
        "verified": True,
    },
]


def run(tmp_path, lines, *extra):
    source, target = tmp_path / "accounts.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(lines), encoding="utf-8")
    args = [
        "alerts",
        "scan-accounts",
        str(source),
        "--brand-handle",
        "cyclune",
        "--brand-handle",
        "CycluneSAV",
    ]
    args += ["--brand-name", "Cyclune", "--as-of", "2026-11-01", "-o", str(target), *extra]
    return ecoute(args, f"sqlite:///{tmp_path}/e.db", tmp_path), target


def test_accounts_come_back_in_order_with_a_verdict(tmp_path):
    result, target = run(tmp_path, [json.dumps(a) + "\n" for a in ACCOUNTS])
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["handle"] for r in rows] == [a["handle"] for a in ACCOUNTS]
    assert [r["impersonation"] for r in rows] == [True, False, False]
    assert rows[0]["score"] >= 0.6 and rows[0]["reasons"][0].startswith("handle 'cyclune_serviceclient'")
    assert rows[1]["followers"] == 900


def test_a_bad_field_is_named_with_its_line(tmp_path):
    bad = dict(ACCOUNTS[1], followers="many")
    result, target = run(tmp_path, [json.dumps(ACCOUNTS[0]) + "\n", json.dumps(bad) + "\n"])
    assert result.returncode == 2
    assert "line 2" in result.stderr and "'followers'" in result.stderr and "'many'" in result.stderr
    assert not target.exists()


def test_broken_json_is_named_with_its_line(tmp_path):
    result, _ = run(tmp_path, [json.dumps(ACCOUNTS[0]) + "\n", "{not json\n"])
    assert result.returncode == 2
    assert "line 2" in result.stderr and "not valid JSON" in result.stderr


def test_tagged_by_limits_replies_to_people_who_tagged_the_brand(tmp_path):
    tagged = tmp_path / "tagged.txt"
    tagged.write_text("bob\n")
    result, target = run(tmp_path, [json.dumps(ACCOUNTS[0]) + "\n"], "--tagged-by", str(tagged))
    assert result.returncode == 0, result.stderr
    row = json.loads(target.read_text(encoding="utf-8"))
    assert not any("replied" in reason for reason in row["reasons"])


def test_reasons_in_french_on_request(tmp_path):
    result, target = run(tmp_path, [json.dumps(ACCOUNTS[0]) + "\n"], "--lang", "fr")
    assert result.returncode == 0, result.stderr
    row = json.loads(target.read_text(encoding="utf-8"))
    assert row["reasons"][0].startswith("l'identifiant « cyclune_serviceclient »")
