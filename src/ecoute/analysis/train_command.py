"""``ecoute train``: rebuild the shipped heads, or train a workspace's own from its labelled posts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ecoute.settings import Settings

from .analyzer import DEFAULT_MODEL_DIR, workspace_model_dir
from .dataset import BadLine, bundled_examples, bundled_files, parse_labelled, read_labelled
from .feature_cache import FeatureCache
from .training import TrainingReport, train
from .types import LabelledExample

# A workspace's own posts are few but exactly its domain; the bundled posts are many but
# generic. Each bundled post counts this much next to one of the workspace's (measured in
# docs/benchmarks.md: keeping the bundled data at a low weight beats dropping it).
BUNDLED_WEIGHT = 0.3


def train_command(
    data: Path | None = typer.Option(
        None,
        "--data",
        exists=True,
        dir_okay=False,
        readable=True,
        help="JSONL of labelled posts: text + sentiment and/or intent (needs_reply).",
    ),
    workspace: str | None = typer.Option(
        None,
        "--workspace",
        help="Save the heads for this workspace (slug), learning from its agents' corrections too.",
    ),
    corrections: bool = typer.Option(
        True,
        "--corrections/--no-corrections",
        help="With --workspace: add the labels agents corrected in the inbox.",
    ),
    out: Path | None = typer.Option(None, "--out", file_okay=False, help="Folder to write the heads to."),
    holdout: float = typer.Option(
        0.2, "--holdout", min=0.0, max=0.9, help="Share held out to report macro-F1."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the held-out draw and of training."),
    bundled_weight: float = typer.Option(
        BUNDLED_WEIGHT,
        "--bundled-weight",
        min=0.0,
        help="Weight of each bundled post next to the workspace's (0: ignore them).",
    ),
    json_summary: bool = typer.Option(False, "--json", help="Print the training report as JSON on stdout."),
) -> None:
    """Train the heads. Without --data or --workspace: rebuild the shipped heads from the bundled posts.

    With --workspace, the workspace's own heads learn from --data and from the sentiment and
    intent labels its agents corrected in the inbox (unless --no-corrections)."""
    console = Console(stderr=True, highlight=False)
    if data is None and not workspace:
        own, base, folder = bundled_examples(), [], out or DEFAULT_MODEL_DIR
        meta: dict[str, object] = {"name": "default", "data": [f.name for f in bundled_files()]}
    else:
        own = _read(data, console) if data is not None else []
        sources = [data.name] if data is not None else []
        if workspace and corrections:
            corrected = _corrections(workspace, console, required=data is None)
            own += corrected
            sources.append(f"corrections:{len(corrected)}")
        elif data is None:
            raise typer.BadParameter("give --data, or leave out --no-corrections", param_hint="--workspace")
        if not own:
            raise typer.BadParameter(
                f"workspace {workspace!r} has no corrections yet: give --data (labelled posts)",
                param_hint="--workspace",
            )
        base, folder = bundled_examples(), out or workspace_model_dir(workspace)
        meta = {"name": workspace or "default", "data": sources}
    console.print(
        f"Training on {len(own):,} labelled posts" + (f" (+ {len(base):,} bundled)" if base else "")
    )
    with Progress(
        TextColumn("Embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("embed", total=None)
        model, report = train(
            own,
            base=base,
            base_weight=bundled_weight,
            holdout=holdout,
            seed=seed,
            meta=meta,
            cache=FeatureCache(Settings().data_dir / "cache" / "features"),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    model.save(folder)
    _print_report(console, report, folder)
    if json_summary:
        sys.stdout.write(
            json.dumps({**report.summary(), "model_dir": str(folder)}, ensure_ascii=False) + "\n"
        )


def _read(path: Path, console: Console) -> list[LabelledExample]:
    examples, bad = [], []
    for item in read_labelled(path):
        (bad if isinstance(item, BadLine) else examples).append(item)
    for line in bad[:20]:
        console.print(f"  skipped {line.describe()}", markup=False)
    if len(bad) > 20:
        console.print(f"  … and {len(bad) - 20:,} more bad lines")
    if not examples:
        raise typer.BadParameter(f"no usable labelled post in {path}", param_hint="--data")
    return examples


def _corrections(slug: str, console: Console, *, required: bool) -> list[LabelledExample]:
    """The workspace's corrected labels from the database (``ecoute.inbox.corrections``)."""
    from ecoute.cli.context import state
    from ecoute.inbox.corrections import corrections_as_examples
    from ecoute.store import repo

    with state.database().session() as session:
        found = repo.get_workspace(session, slug)
        if found is None:
            if required:
                raise typer.BadParameter(f"no workspace {slug!r} in the database", param_hint="--workspace")
            console.print(f"  no workspace {slug!r} in the database: no corrections to add")
            return []
        rows = corrections_as_examples(session, found.id)
    examples = []
    for row in rows:
        try:
            examples.append(parse_labelled(row))
        except ValueError as exc:  # a mention whose text is empty: nothing to learn from
            console.print(f"  skipped a correction: {exc}", markup=False)
    console.print(f"  {len(examples):,} posts corrected by the workspace's agents")
    return examples


def _print_report(console: Console, report: TrainingReport, folder: Path) -> None:
    for name, head in report.heads.items():
        score = (
            f"macro-F1 {head.macro_f1:.3f} on {head.held_out:,} held-out posts"
            if head.macro_f1 is not None
            else "no held-out posts with this label"
        )
        console.print(f"  {name:<12} {head.examples:>6,} examples  {score}")
    console.print(f"Heads saved to {folder}")
