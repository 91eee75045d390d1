"""``ecoute replies retry``: re-deliver the replies stuck in ``sending`` (a process killed between
the two commits of a delivery), in every workspace, without ever posting one twice."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import typer

from ecoute.cli.context import CliError, state
from ecoute.cli.output import console
from ecoute.respond.retry import retry_stuck

replies_app = typer.Typer(help="Replies: re-deliver those a crash left on their way.", no_args_is_help=True)
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|min|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def register(app: typer.Typer) -> None:
    app.add_typer(replies_app, name="replies")


def parse_duration(text: str) -> timedelta:
    """``90s``, ``5m``, ``2h``, ``1d``; a bare number is seconds."""
    match = _DURATION.match(text)
    if not match:
        raise CliError(f"--older-than {text!r}: give a duration such as 90s, 5m or 2h")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2) or "s"])


@replies_app.command("retry")
def retry_command(
    older_than: str = typer.Option(
        "5m",
        "--older-than",
        help="Only replies whose last attempt began longer ago than this (90s, 5m, 2h); keep it "
        "above ECOUTE_HTTP_TIMEOUT so a delivery still in progress is left alone.",
    ),
    every: float = typer.Option(0, "--every", help="Keep running, checking every N seconds (0: once)."),
) -> None:
    """Re-deliver replies stuck in "sending" with their own idempotency key: the platform answers
    with the reply it already made rather than posting it again; the outcome is audited."""
    grace = parse_duration(older_than)
    db = state.database()
    while True:
        report = retry_stuck(db, older_than=grace)
        if report.stuck or not every:
            console.print(
                f"stuck {report.stuck}: sent {report.sent}, refused {report.failed}, "
                f"left for a later run {report.left}"
            )
        if not every:
            return
        time.sleep(every)
