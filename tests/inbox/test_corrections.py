"""Agents' corrections read back as labelled examples for ``ecoute train``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

import inbox_factories
from ecoute.analysis import train_command
from ecoute.analysis.commands import register
from ecoute.analysis.dataset import bundled_examples, parse_labelled
from ecoute.analysis.heads import Model
from ecoute.analysis.training import MIN_FAST_EXAMPLES
from ecoute.cli.context import state
from ecoute.inbox.corrections import corrections_as_examples
from ecoute.inbox.relabel import correct_label
from ecoute.store.models import Mention
from ecoute.store.people import Correction


def first_mention(db, conversation) -> int:
    with db.session() as session:
        query = select(Mention.id).where(Mention.conversation_id == conversation.id).order_by(Mention.id)
        return session.scalars(query).first()


def correct(db, workspace, mention_id, field, value):
    with db.session() as session:
        return correct_label(session, workspace.id, mention_id, field, value, user_id=None, actor="test")


def test_the_latest_correction_of_each_field_wins_and_untouched_labels_stay_empty(db, workspace):
    colis = first_mention(
        db, inbox_factories.conversation(db, workspace, text="Mon colis est perdu", lang="fr")
    )
    merci = first_mention(db, inbox_factories.conversation(db, workspace, text="Thanks a lot", lang="en"))
    correct(db, workspace, colis, "sentiment", "neutral")
    correct(db, workspace, colis, "intent", "question")
    correct(db, workspace, colis, "sentiment", "negative")
    correct(db, workspace, merci, "intent", "praise")

    with db.session() as session:
        examples = corrections_as_examples(session, workspace.id)

    assert examples == [
        {"text": "Mon colis est perdu", "lang": "fr", "sentiment": "negative", "intent": "question"},
        {"text": "Thanks a lot", "lang": "en", "sentiment": None, "intent": "praise"},
    ]
    assert [parse_labelled(e).intent for e in examples] == ["question", "praise"]


def test_the_order_of_corrections_is_their_time_not_their_id(db, workspace):
    mention = first_mention(db, inbox_factories.conversation(db, workspace))
    later = correct(db, workspace, mention, "sentiment", "positive")
    earlier = correct(db, workspace, mention, "sentiment", "neutral")
    with db.session() as session:
        row = session.get(Correction, earlier.id)
        row.created_at = session.get(Correction, later.id).created_at - timedelta(minutes=5)

    with db.session() as session:
        assert corrections_as_examples(session, workspace.id)[0]["sentiment"] == "positive"


def test_another_workspace_s_corrections_are_never_read(db, workspace, other_workspace):
    theirs = first_mention(db, inbox_factories.conversation(db, other_workspace, text="Leur texte"))
    correct(db, other_workspace, theirs, "intent", "complaint")

    with db.session() as session:
        assert corrections_as_examples(session, workspace.id) == []
        assert len(corrections_as_examples(session, other_workspace.id)) == 1


def train_in_process(args: list[str], db_url: str, data_dir: Path, monkeypatch) -> Result:
    """``ecoute train`` through the real command function, in this process (so that the bundled
    posts can be fewer), on this database and data folder."""
    monkeypatch.setenv("ECOUTE_DATABASE_URL", db_url)
    monkeypatch.setenv("ECOUTE_DATA_DIR", str(data_dir))
    monkeypatch.setattr(state, "_db", None)
    app = typer.Typer()
    register(app)
    try:
        return CliRunner().invoke(app, args)
    finally:
        if state._db is not None:
            state._db.dispose()


def ecoute(args: list[str], db_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECOUTE_DATABASE_URL": db_url, "ECOUTE_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "ecoute", *args], env=env, capture_output=True, text=True, timeout=600
    )


# A shop whose customers write "🍕" when an order went wrong and "🌵" when they are happy: nothing
# the bundled posts could know, so only the agents' corrections can teach it.
LABELS = {"🍕": ("negative", "complaint"), "🌵": ("positive", "praise")}


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """One features cache for both databases' runs: the bundled posts are embedded once."""
    return tmp_path_factory.mktemp("features")


@pytest.fixture
def fewer_bundled_posts(monkeypatch):
    """Every fifth bundled post (1,030 of them) under the workspace's corrections. With
    ``--bundled-weight 0`` they teach only the head the agents never correct (needs-reply); the
    rule being tested is the same with all of them, which take minutes to embed. Enough stay for
    ``ecoute train`` to fit the fast stage too, so the probe goes through the whole cascade."""
    every_fifth = bundled_examples()[::5]
    assert len(every_fifth) + 24 >= MIN_FAST_EXAMPLES
    monkeypatch.setattr(train_command, "bundled_examples", lambda: every_fifth)


def test_ecoute_train_learns_the_workspace_s_corrections(
    db_url, db, workspace, tmp_path, features, fewer_bundled_posts, monkeypatch
):
    for n in range(24):
        mark = "🍕" if n % 2 else "🌵"
        conversation = inbox_factories.conversation(
            db, workspace, text=f"{mark} commande {n} {mark}", sentiment="neutral", intent="other"
        )
        mention_id = first_mention(db, conversation)
        sentiment, intent = LABELS[mark]
        correct(db, workspace, mention_id, "sentiment", sentiment)
        correct(db, workspace, mention_id, "intent", intent)
    data_dir = tmp_path / "train-data"
    data_dir.mkdir()
    (data_dir / "cache").symlink_to(features, target_is_directory=True)

    trained = train_in_process(
        ["train", "--workspace", workspace.slug, "--bundled-weight", "0", "--json"],
        db_url,
        data_dir,
        monkeypatch,
    )
    probe = tmp_path / "probe.txt"
    probe.write_text("🍕 commande 99 🍕\n🌵 commande 98 🌵\n", encoding="utf-8")
    analysed = ecoute(
        ["analyze", str(probe), "-o", str(tmp_path / "out.jsonl"), "--workspace", workspace.slug],
        db_url,
        data_dir,
    )

    assert trained.exit_code == 0, trained.stderr
    assert "24 posts corrected by the workspace's agents" in trained.stderr
    assert json.loads(trained.stdout.splitlines()[-1])["examples"] == 24
    meta = json.loads((data_dir / "models" / workspace.slug / "model.json").read_text(encoding="utf-8"))
    assert meta["data"] == ["corrections:24"]
    assert meta["base_examples"] == 1030
    assert meta["training"]["heads"]["needs_reply"]["examples"] == 1030
    assert Model.load(data_dir / "models" / workspace.slug).fast is not None
    assert analysed.returncode == 0, analysed.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(row["sentiment"], row["intent"]) for row in rows] == [LABELS["🍕"], LABELS["🌵"]]


def test_ecoute_train_says_when_a_workspace_has_nothing_to_learn(db_url, db, workspace, tmp_path):
    empty = ecoute(["train", "--workspace", workspace.slug], db_url, tmp_path / "data")
    unknown = ecoute(["train", "--workspace", "nobody"], db_url, tmp_path / "data")

    assert empty.returncode == 2
    assert "has no corrections yet" in empty.stderr
    assert unknown.returncode == 2
    assert "no workspace 'nobody'" in unknown.stderr
