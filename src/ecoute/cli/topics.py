"""``ecoute topics``: group a file of posts into topics, offline, without any database."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ecoute.cli.context import CliError
from ecoute.cli.output import err_console


def register(app: typer.Typer) -> None:
    app.command("topics")(topics_command)


def topics_command(
    input_path: Path = typer.Argument(
        ...,
        metavar="INPUT",
        exists=True,
        dir_okay=False,
        readable=True,
        help="JSONL with id and text per line.",
    ),
    output: Path = typer.Option(
        ...,
        "-o",
        "--output",
        dir_okay=False,
        help="JSONL of id, topic and label, one line per post, in order.",
    ),
    k: int | None = typer.Option(
        None, "--k", min=1, help="Number of topics (default: chosen from the data)."
    ),
) -> None:
    """Find the topics in posts (French and English together) and label them.

    The number of topics is chosen from the data unless --k is given. Exit status 2 when a line
    cannot be read (the message names it); nothing is written then.
    """
    from ecoute.topics.contract import TopicInputError, assign_topics, read_posts, write_topics
    from ecoute.topics.vectors import embed

    started = time.perf_counter()
    try:
        posts = read_posts(input_path)
    except TopicInputError as error:
        raise CliError(f"{input_path}: {error}") from None
    results = assign_topics(posts, embed, k=k)
    write_topics(output, results)
    count = len({result.topic for result in results})
    elapsed = time.perf_counter() - started
    err_console.print(f"{len(results)} posts in {count} topics → {output} ({elapsed:.1f} s)")
