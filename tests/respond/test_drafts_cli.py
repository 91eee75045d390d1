"""``ecoute drafts`` in a real subprocess: set the sector and words, add wordings from a file, try a
message, and a bad file named with its line."""

from __future__ import annotations

import json

from cli_run import ecoute


def test_set_the_sector_and_words_then_try_a_message(db_url, workspace, tmp_path):
    settings = tmp_path / "drafts.json"
    settings.write_text(json.dumps({"sector": "hotel", "words": {"fr": {"team": "la réception de nuit"}}}))

    saved = ecoute(["drafts", "set", str(settings), "-w", "acme"], db_url, tmp_path)
    shown = json.loads(ecoute(["drafts", "show", "-w", "acme"], db_url, tmp_path).stdout)
    tried = ecoute(
        ["drafts", "try", "Un cafard dans la salle de bain de la chambre 214 !", "-w", "acme"],
        db_url,
        tmp_path,
    )

    assert saved.returncode == 0, saved.stderr
    assert (shown["sector"], shown["words"]["fr"]["team"]) == ("hotel", "la réception de nuit")
    assert tried.returncode == 0, tried.stderr
    assert "le cafard dans la chambre 214" in tried.stdout
    assert "commande" not in tried.stdout


def test_own_wordings_from_a_file_and_a_bad_one_named(db_url, workspace, tmp_path):
    good = tmp_path / "mine.toml"
    good.write_text('[fr.problems.parking]\nwords = ["parking plein"]\nname = ["le parking plein"]\n')
    bad = tmp_path / "bad.toml"
    bad.write_text("[fr.slots]\nthanks = [merci]\n")

    added = ecoute(["drafts", "set", "--wordings", str(good), "-w", "acme"], db_url, tmp_path)
    refused = ecoute(["drafts", "set", "--wordings", str(bad), "-w", "acme"], db_url, tmp_path)
    tried = ecoute(["drafts", "try", "Encore le parking plein ce matin", "-w", "acme"], db_url, tmp_path)

    assert added.returncode == 0, added.stderr
    assert refused.returncode != 0 and "line 2" in refused.stderr
    assert "le parking plein" in tried.stdout
