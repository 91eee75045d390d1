"""Retraining a workspace's heads from its agents' corrections, and keeping them only if better.

Once ``ECOUTE_RETRAIN_MIN_CORRECTIONS`` posts have been corrected since the last attempt, new heads
learn from all the workspace's corrections (with the bundled posts underneath, as ``ecoute train
--workspace`` does). A fifth of the corrected posts is held out; the new heads (trained without
them) and the heads in use are scored on the same held-out posts, and the new ones replace the old
only if no head's macro-F1 drops. The heads in use may have learnt from some of those posts in an
earlier round, which favours them: a new version must really be as good to be kept.

Every attempt is a ``HeadsVersion`` row; kept ones carry the heads, which each process copies to
``DATA_DIR/models/<slug>`` (where the analyzer reads them) when it next analyses for the workspace.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from ecoute.analysis.analyzer import DEFAULT_MODEL_DIR
from ecoute.analysis.dataset import bundled_examples, parse_labelled
from ecoute.analysis.feature_cache import FeatureCache
from ecoute.analysis.heads import META_FILE, WEIGHTS_FILE, Model
from ecoute.analysis.train_command import BUNDLED_WEIGHT
from ecoute.analysis.training import HeadReport, evaluate, split, train
from ecoute.analysis.types import LabelledExample
from ecoute.inbox.corrections import corrections_as_examples
from ecoute.learning.models import HeadsVersion
from ecoute.settings import Settings
from ecoute.store.db import Database
from ecoute.store.models import Workspace

logger = logging.getLogger(__name__)
HOLDOUT = 0.2
SEED = 0
VERSION_KEY = "heads_version"  # in model.json: which database version a folder holds
HEADS = ("sentiment", "intent")  # what agents correct


@dataclass
class Outcome:
    status: str  # kept | rejected | not_due | nothing_to_learn
    corrections: int
    new_corrections: int
    version: int | None = None
    reason: str = ""
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)


def model_folder(settings: Settings, slug: str) -> Path:
    return settings.data_dir / "models" / slug


def examples_of(session: Any, workspace_id: int) -> list[LabelledExample]:
    examples = []
    for row in corrections_as_examples(session, workspace_id):
        try:
            examples.append(parse_labelled(row))
        except ValueError:  # a mention whose text is empty: nothing to learn from
            continue
    return examples


def decide(scores: dict[str, dict[str, Any]]) -> tuple[bool, str]:
    """Keep the new heads only if no head that could be scored lost macro-F1 on the held-out posts."""
    judged = {head: s for head, s in scores.items() if s.get("new") is not None}
    if not judged:
        return False, "too few corrected posts held out to judge the new heads"
    worse = [
        f"{head} {s['new']:.3f} < {s['previous']:.3f}"
        for head, s in sorted(judged.items())
        if s.get("previous") is not None and s["new"] < s["previous"]
    ]
    if worse:
        return False, "macro-F1 would drop: " + ", ".join(worse)
    return True, ""


def retrain_workspace(
    db: Database,
    settings: Settings,
    workspace_id: int,
    *,
    force: bool = False,
    base: Sequence[LabelledExample] | None = None,
) -> Outcome:
    """One attempt for one workspace (``force``: even if too few new corrections)."""
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        if workspace is None:
            raise LookupError(f"no workspace #{workspace_id}")
        slug = workspace.slug
        examples = examples_of(session, workspace_id)
        last = session.scalar(
            select(HeadsVersion.corrections)
            .where(HeadsVersion.workspace_id == workspace_id)
            .order_by(HeadsVersion.version.desc())
            .limit(1)
        )
    new = len(examples) - (last or 0)
    threshold = settings.int("retrain_min_corrections")
    if not examples:
        return Outcome("nothing_to_learn", 0, 0)
    if not force and (threshold <= 0 or new < threshold):
        return Outcome("not_due", len(examples), new)

    sync(db, settings, workspace_id, slug)
    folder = model_folder(settings, slug)
    current = Model.load(folder if (folder / META_FILE).is_file() else DEFAULT_MODEL_DIR)
    cache = FeatureCache(settings.data_dir / "cache" / "features")
    meta = {"name": slug, "data": [f"corrections:{len(examples)}"]}
    model, report = train(
        examples,
        base=bundled_examples() if base is None else base,
        base_weight=BUNDLED_WEIGHT,
        holdout=HOLDOUT,
        seed=SEED,
        meta=meta,
        cache=cache,
    )
    held = [ex for ex, out in zip(examples, split(examples, HOLDOUT, SEED), strict=True) if out]
    previous = evaluate(current, held, cache) if held else {}
    scores = _scores(report.heads, previous)
    kept, reason = decide(scores)
    chosen = model if kept else None
    return _record(db, settings, workspace_id, slug, chosen, (len(examples), new), scores, reason)


def _scores(new: dict[str, HeadReport], previous: dict[str, HeadReport]) -> dict[str, dict[str, Any]]:
    out = {}
    for head in HEADS:
        report = new.get(head)
        if report is None or not report.held_out:
            continue
        before = previous.get(head)
        out[head] = {
            "new": None if report.macro_f1 is None else round(report.macro_f1, 4),
            "previous": None if before is None or before.macro_f1 is None else round(before.macro_f1, 4),
            "held_out": report.held_out,
        }
    return out


def _record(
    db: Database,
    settings: Settings,
    workspace_id: int,
    slug: str,
    model: Model | None,
    counts: tuple[int, int],
    scores: dict[str, dict[str, Any]],
    reason: str,
) -> Outcome:
    corrections, new = counts
    with db.session() as session:
        version = (
            session.scalar(
                select(func.max(HeadsVersion.version)).where(HeadsVersion.workspace_id == workspace_id)
            )
            or 0
        ) + 1
        row = HeadsVersion(
            workspace_id=workspace_id,
            version=version,
            status="kept" if model is not None else "rejected",
            reason=reason,
            corrections=corrections,
            scores=scores,
        )
        if model is not None:
            model.meta = {**model.meta, VERSION_KEY: version}
            row.meta, row.weights = _files(model)
        session.add(row)
    logger.info(
        "learning.retrained",
        extra={"workspace_id": workspace_id, "version": version, "status": row.status, "scores": scores},
    )
    if model is not None:
        sync(db, settings, workspace_id, slug)
    return Outcome(row.status, corrections, new, version, reason, scores)


def _files(model: Model) -> tuple[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp))
        return (Path(tmp) / META_FILE).read_text(encoding="utf-8"), (Path(tmp) / WEIGHTS_FILE).read_bytes()


def local_version(folder: Path) -> int | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta.get(VERSION_KEY)


def sync(db: Database, settings: Settings, workspace_id: int, slug: str) -> int | None:
    """Copy the workspace's latest kept heads from the database to this machine's model folder,
    if the folder holds another version; heads trained by hand (``ecoute train --workspace``) after
    the latest kept version stay. Returns the version the folder holds."""
    folder = model_folder(settings, slug)
    with db.session() as session:
        latest = session.execute(
            select(HeadsVersion.id, HeadsVersion.version, HeadsVersion.created_at)
            .where(HeadsVersion.workspace_id == workspace_id, HeadsVersion.status == "kept")
            .order_by(HeadsVersion.version.desc())
            .limit(1)
        ).first()
    have = local_version(folder)
    if latest is None or have == latest.version:
        return have
    meta_file = folder / META_FILE
    if have is None and meta_file.is_file() and meta_file.stat().st_mtime > latest.created_at.timestamp():
        return None  # trained by hand since: the person who did it chose those heads
    with db.session() as session:
        row = session.get(HeadsVersion, latest.id)
        assert row is not None and row.meta is not None and row.weights is not None
        meta, weights = row.meta, row.weights
    _swap(folder, meta, weights)
    return latest.version


def _swap(folder: Path, meta: str, weights: bytes) -> None:
    """Replace the folder's heads whole: written beside it, then renamed, under a lock, so an
    analyzer never reads half of one version and half of another."""
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        (fresh / WEIGHTS_FILE).write_bytes(weights)
        (fresh / META_FILE).write_text(meta, encoding="utf-8")
        old = folder.parent / f".{folder.name}-old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
        shutil.rmtree(old, ignore_errors=True)


def due_workspaces(db: Database) -> list[int]:
    with db.session() as session:
        return list(session.scalars(select(Workspace.id).order_by(Workspace.id)))


def history(session: Session, workspace_id: int, limit: int = 10) -> list[HeadsVersion]:
    """The latest attempts, newest first, without their heads' bytes."""
    return list(
        session.scalars(
            select(HeadsVersion)
            .options(defer(HeadsVersion.weights), defer(HeadsVersion.meta))
            .where(HeadsVersion.workspace_id == workspace_id)
            .order_by(HeadsVersion.version.desc())
            .limit(limit)
        )
    )
