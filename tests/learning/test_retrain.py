"""Retraining a workspace's heads from its agents' corrections, on SQLite and PostgreSQL: due only
after enough new corrections, kept only when held-out macro-F1 does not drop, every attempt recorded,
and the kept heads copied to every machine's model folder (and used by the analyzer there)."""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import select

import inbox_factories
from ecoute.analysis import AnalysisInput, get_analyzer
from ecoute.analysis.dataset import bundled_examples, parse_labelled
from ecoute.analysis.heads import META_FILE
from ecoute.analysis.train_command import BUNDLED_WEIGHT
from ecoute.analysis.training import train
from ecoute.inbox.relabel import correct_label
from ecoute.learning.models import HeadsVersion
from ecoute.learning.retrain import decide, local_version, model_folder, retrain_workspace, sync
from ecoute.settings import Settings
from ecoute.store.models import Mention

# A shop whose customers write "🍕" when an order went wrong and "🌵" when they are happy: nothing
# the bundled posts could know, so only the agents' corrections can teach it.
LABELS = {"🍕": ("negative", "complaint"), "🌵": ("positive", "praise")}


@pytest.fixture(scope="module")
def base():
    """A hundred-odd of the bundled posts under the workspace's own (all of them take minutes to
    embed the first time; the rule being tested is the same)."""
    return bundled_examples()[::40]


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """One features cache for the module: the same posts are embedded once, not once per test."""
    return tmp_path_factory.mktemp("features")


@pytest.fixture
def settings_for(tmp_path, features):
    def make(name="heads-data", **values) -> Settings:
        (tmp_path / name).mkdir()
        (tmp_path / name / "cache").symlink_to(features, target_is_directory=True)
        return Settings({"data_dir": str(tmp_path / name), **values})

    return make


def corrected(db, workspace, text, sentiment, intent) -> None:
    conversation = inbox_factories.conversation(db, workspace, text=text, sentiment="neutral", intent="other")
    with db.session() as session:
        mention_id = session.scalars(
            select(Mention.id).where(Mention.conversation_id == conversation.id).order_by(Mention.id)
        ).first()
        for field, value in (("sentiment", sentiment), ("intent", intent)):
            correct_label(session, workspace.id, mention_id, field, value, user_id=None, actor="test")


def emoji_corrections(db, workspace, count, start=0) -> None:
    for n in range(start, start + count):
        mark = "🍕" if n % 2 else "🌵"
        corrected(db, workspace, f"{mark} commande {n} {mark}", *LABELS[mark])


def test_the_rule_keeps_new_heads_only_when_no_head_loses_macro_f1():
    assert decide({"sentiment": {"new": 0.8, "previous": 0.7, "held_out": 10}}) == (True, "")
    assert decide({"sentiment": {"new": 0.7, "previous": 0.7, "held_out": 10}}) == (True, "")
    assert decide({"intent": {"new": 0.9, "previous": None, "held_out": 10}}) == (True, "")
    kept, reason = decide(
        {"sentiment": {"new": 0.9, "previous": 0.7, "held_out": 10}, "intent": {"new": 0.5, "previous": 0.6}}
    )
    assert not kept
    assert reason == "macro-F1 would drop: intent 0.500 < 0.600"
    assert decide({}) == (False, "too few corrected posts held out to judge the new heads")


def test_enough_new_corrections_retrain_and_the_better_heads_are_kept_and_used(
    db, workspace, settings_for, base
):
    settings = settings_for(retrain_min_corrections="40")
    emoji_corrections(db, workspace, 30)

    early = retrain_workspace(db, settings, workspace.id, base=base)
    emoji_corrections(db, workspace, 20, start=30)
    outcome = retrain_workspace(db, settings, workspace.id, base=base)
    again = retrain_workspace(db, settings, workspace.id, base=base)

    assert (early.status, early.new_corrections) == ("not_due", 30)
    assert outcome.status == "kept", outcome.reason
    assert outcome.version == 1
    for head in ("sentiment", "intent"):
        score = outcome.scores[head]
        assert score["held_out"] == 10
        assert score["new"] >= score["previous"]
    # the shipped heads cannot know the shop's emoji; the new ones learnt them
    assert outcome.scores["intent"]["new"] > outcome.scores["intent"]["previous"]
    assert (again.status, again.new_corrections) == ("not_due", 0)
    folder = model_folder(settings, workspace.slug)
    assert local_version(folder) == 1
    analyzer = get_analyzer(folder)
    found = analyzer.analyze(
        [AnalysisInput(text="🍕 commande 99 🍕"), AnalysisInput(text="🌵 commande 98 🌵")]
    )
    assert [(a.sentiment, a.intent) for a in found] == [LABELS["🍕"], LABELS["🌵"]]
    with db.session() as session:
        row = session.scalar(select(HeadsVersion).where(HeadsVersion.workspace_id == workspace.id))
        assert (row.status, row.corrections, row.scores) == ("kept", 50, outcome.scores)
        assert row.weights and json.loads(row.meta)["heads_version"] == 1


def test_heads_that_would_lose_macro_f1_are_not_kept_and_the_attempt_says_why(
    db, workspace, settings_for, base
):
    """The heads in use were trained by hand on every corrected post, held-out ones included; the
    labels are noise, which only heads that saw them can get right: new heads do worse on them."""
    settings = settings_for(retrain_min_corrections="10")
    rng = random.Random(7)
    pairs = [("negative", "complaint"), ("positive", "praise"), ("neutral", "question")]
    rows = []
    for n in range(60):
        sentiment, intent = rng.choice(pairs)
        text = f"commande {n} {rng.choice(['rouge', 'bleu', 'vert', 'jaune'])} {rng.randint(0, 999)}"
        corrected(db, workspace, text, sentiment, intent)
        rows.append({"text": text, "lang": "fr", "sentiment": sentiment, "intent": intent})
    by_hand, _ = train(
        [parse_labelled(r) for r in rows], base=base, base_weight=BUNDLED_WEIGHT, holdout=0, seed=0
    )
    folder = model_folder(settings, workspace.slug)
    by_hand.save(folder)
    before = (folder / META_FILE).read_text(encoding="utf-8")

    outcome = retrain_workspace(db, settings, workspace.id, base=base)

    assert outcome.status == "rejected"
    assert outcome.reason.startswith("macro-F1 would drop: ")
    assert (folder / META_FILE).read_text(encoding="utf-8") == before  # the heads in use stay
    with db.session() as session:
        row = session.scalar(select(HeadsVersion).where(HeadsVersion.workspace_id == workspace.id))
        assert (row.status, row.weights, row.reason) == ("rejected", None, outcome.reason)
    # the rejected attempt counts: the same corrections do not retrain again and again
    assert retrain_workspace(db, settings, workspace.id, base=base).status == "not_due"


def test_another_machine_copies_the_kept_heads_and_hand_trained_ones_stay(db, workspace, settings_for, base):
    here = settings_for("here", retrain_min_corrections="20")
    there = settings_for("there")
    emoji_corrections(db, workspace, 20)
    assert retrain_workspace(db, here, workspace.id, base=base).status == "kept"

    assert local_version(model_folder(there, workspace.slug)) is None
    assert sync(db, there, workspace.id, workspace.slug) == 1
    same = [model_folder(s, workspace.slug) / "heads.npz" for s in (here, there)]
    assert same[0].read_bytes() == same[1].read_bytes()

    # heads trained by hand after the kept version are the ones someone chose: they stay
    elsewhere = settings_for("elsewhere")
    hand, _ = train(
        [parse_labelled({"text": "🍕 x", "lang": "fr", "sentiment": "positive", "intent": "praise"})],
        base=base,
        base_weight=BUNDLED_WEIGHT,
        holdout=0,
    )
    hand.save(model_folder(elsewhere, workspace.slug))
    assert sync(db, elsewhere, workspace.id, workspace.slug) is None
    assert local_version(model_folder(elsewhere, workspace.slug)) is None


def test_corrections_in_another_workspace_never_count(db, workspace, other_workspace, settings_for, base):
    settings = settings_for(retrain_min_corrections="20")
    emoji_corrections(db, other_workspace, 20)

    assert retrain_workspace(db, settings, workspace.id, base=base).status == "nothing_to_learn"
    assert retrain_workspace(db, settings, other_workspace.id, base=base).status == "kept"
    with db.session() as session:
        owners = set(session.scalars(select(HeadsVersion.workspace_id)))
    assert owners == {other_workspace.id}
