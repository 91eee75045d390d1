"""``ecoute analyze`` and ``ecoute train``: the analysis engine on files, without any database.

Exit status of ``analyze``: 0 when every line was analysed (warnings, such as invalid UTF-8
that was replaced, do not count), 1 when some lines could not be (each has an error object
in OUTPUT, at its place), 2 for usage errors (missing file, bad option, no such model).
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .analyzer import DEFAULT_MODEL_DIR, get_analyzer, workspace_model_dir
from .batchio import FORMATS, InputLine, count_lines, detect_format, read_lines
from .train_command import train_command
from .types import AnalysisInput, Annotation
from .wording import LOCALES

MAX_LISTED_ERRORS = 20


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``train`` to the main CLI."""
    app.command("analyze")(analyze_command)
    app.command("train")(train_command)


def _console() -> Console:
    return Console(stderr=True, highlight=False)


def resolve_model_dir(model_dir: Path | None, workspace: str | None) -> Path:
    if model_dir and workspace:
        raise typer.BadParameter("give --model-dir or --workspace, not both")
    folder = model_dir or (workspace_model_dir(workspace) if workspace else DEFAULT_MODEL_DIR)
    if not (folder / "model.json").is_file():
        hint = (
            f"; train one with: ecoute train --data LABELLED.jsonl --workspace {workspace}"
            if workspace
            else ""
        )
        raise typer.BadParameter(f"no trained model in {folder}{hint}", param_hint="--model-dir/--workspace")
    return folder


def analyze_command(
    input_path: Path = typer.Argument(
        ...,
        metavar="INPUT",
        exists=True,
        dir_okay=False,
        readable=True,
        help="JSONL with id and text per line, or plain text, one post per line.",
    ),
    output: Path = typer.Option(
        ..., "-o", "--output", dir_okay=False, help="JSONL written here, one line per input line."
    ),
    model_dir: Path | None = typer.Option(
        None, "--model-dir", file_okay=False, help="Folder of trained heads."
    ),
    workspace: str | None = typer.Option(
        None, "--workspace", help="Use the heads trained for this workspace."
    ),
    batch_size: int = typer.Option(
        1024,
        "--batch-size",
        min=1,
        max=10_000,
        help="Posts read, analysed and written per batch (the models run 64 at a time inside it).",
    ),
    locale: str = typer.Option("fr", "--locale", help="Language of the reasons: fr or en."),
    praise_needs_reply: bool = typer.Option(
        True,
        "--praise-needs-reply/--no-praise-needs-reply",
        help="Workspace policy: does praise need a reply (a thank-you)?",
    ),
    input_format: str = typer.Option("auto", "--format", help="auto, jsonl or text."),
    now: str | None = typer.Option(
        None, "--now", help="ISO date-time used for waiting times (default: now)."
    ),
    accurate: bool = typer.Option(
        False, "--accurate", help="Read every post with the full model: best quality, about 40 % slower."
    ),
    json_summary: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Annotate posts: language, sentiment, intent, needs-reply, priority and reasons.

    One output line per input line, in order; a line that cannot be analysed gets an error
    object naming it. Exit status: 0 when every line was analysed, 1 when some had errors,
    2 for usage errors.
    """
    if locale not in LOCALES:
        raise typer.BadParameter(f"must be one of {', '.join(LOCALES)}", param_hint="--locale")
    if input_format not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    at = _parse_now(now)
    folder = resolve_model_dir(model_dir, workspace)
    fmt = detect_format(input_path) if input_format == "auto" else input_format
    console = _console()
    started = time.perf_counter()
    analyzer = get_analyzer(folder, accurate=accurate)
    total = count_lines(input_path)
    errors: list[str] = []
    warnings: list[str] = []
    analysed = 0
    with output.open("w", encoding="utf-8") as out, _progress(console) as progress:
        task = progress.add_task("Analysing", total=total)
        batches = _batches(read_lines(input_path, fmt), batch_size)
        # One stream for the whole file: the models never wait for a batch to be written or read.
        for lines, notes in _analysed(batches, analyzer, at, locale, praise_needs_reply):
            analysed += _write(lines, notes, out, errors, warnings)
            progress.advance(task, len(lines))
    elapsed = time.perf_counter() - started
    _report(console, analysed, errors, warnings, elapsed, output, json_summary)
    raise typer.Exit(1 if errors else 0)


def _batches(lines: Iterable[InputLine], size: int) -> Iterator[list[InputLine]]:
    batch: list[InputLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _analysed(
    batches: Iterable[list[InputLine]],
    analyzer,
    now,
    locale: str,
    praise: bool,  # type: ignore[no-untyped-def]
) -> Iterator[tuple[list[InputLine], list[Annotation]]]:
    """Each batch of lines with the annotations of its good ones, through one analysis stream."""
    read: deque[list[InputLine]] = deque()

    def inputs() -> Iterator[list[AnalysisInput]]:
        for batch in batches:
            read.append(batch)
            yield [line.item for line in batch if line.item is not None]

    for notes in analyzer.analyze_stream(inputs(), now=now, locale=locale, praise_needs_reply=praise):
        yield read.popleft(), notes


def _write(
    batch: list[InputLine],
    notes: list[Annotation],
    out,  # type: ignore[no-untyped-def]
    errors: list[str],
    warnings: list[str],
) -> int:
    good = [line for line in batch if line.item is not None]
    by_line = {line.line: note for line, note in zip(good, notes, strict=True)}
    for line in batch:
        warnings.extend(line.warnings)
        if line.error:
            errors.append(line.error)
            record: dict[str, object] = {"id": line.id, "line": line.line, "error": line.error}
        else:
            record = {"id": line.id, **by_line[line.line].to_dict()}
            if line.warnings:
                record["warnings"] = line.warnings
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(good)


def _report(
    console: Console,
    analysed: int,
    errors: list[str],
    warnings: list[str],
    elapsed: float,
    output: Path,
    as_json: bool,
) -> None:
    lines = analysed + len(errors)
    rate = analysed / elapsed if elapsed > 0 else 0.0
    console.print(f"{analysed:,} posts in {elapsed:.1f} s — {rate:,.0f} posts/s → {output}")
    for message, kind in ((errors, "error"), (warnings, "warning")):
        if message:
            console.print(f"{len(message):,} {kind}{'s' if len(message) > 1 else ''}:")
            for text in message[:MAX_LISTED_ERRORS]:
                console.print(f"  {text}", markup=False)
            if len(message) > MAX_LISTED_ERRORS:
                console.print(f"  … and {len(message) - MAX_LISTED_ERRORS:,} more")
    if as_json:
        summary = {
            "lines": lines,
            "analysed": analysed,
            "errors": errors,
            "warnings": warnings,
            "seconds": round(elapsed, 3),
            "posts_per_second": round(rate, 1),
            "output": str(output),
        }
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _parse_now(value: str | None):  # type: ignore[no-untyped-def]
    if value is None:
        return None
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date-time: {value!r}", param_hint="--now") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
