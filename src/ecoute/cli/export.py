"""``ecoute export mentions|conversations``: what the inbox's filters select, as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import typer

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import err_console
from ecoute.inbox import exports
from ecoute.store.repo import Invalid
from ecoute.web.filters import parse_filters


class Kind(StrEnum):
    mentions = "mentions"
    conversations = "conversations"


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)


def export_command(
    kind: Kind = typer.Argument(..., help="mentions or conversations"),
    output: Path = typer.Option(..., "--output", "-o", dir_okay=False, help="File to write."),
    workspace: str = typer.Option("default", "--workspace", "-w", help="Workspace slug."),
    fmt: Format = typer.Option(Format.csv, "--format", "-f", help="csv (UTF-8 with BOM) or xlsx."),
    status: str = typer.Option("", "--status", help="Comma-separated: new, open, pending, resolved."),
    assignee: str = typer.Option("", "--assignee", help="A user id, or none."),
    source: str = typer.Option("", "--source", help="A source id."),
    brand: str = typer.Option("", "--brand", help="A brand id."),
    tag: str = typer.Option("", "--tag", help="A tag id."),
    topic: str = typer.Option("", "--topic", help="A topic id."),
    platform: str = typer.Option("", "--platform"),
    sentiment: str = typer.Option("", "--sentiment", help="negative, neutral or positive."),
    intent: str = typer.Option("", "--intent", help="complaint, question, praise or other."),
    lang: str = typer.Option("", "--lang", help="Language code (fr, en …)."),
    needs_reply: str = typer.Option("", "--needs-reply", help="true or false."),
    since: str = typer.Option("", "--since", help="From this date (ISO 8601, included)."),
    until: str = typer.Option("", "--until", help="Before this date (ISO 8601)."),
    q: str = typer.Option("", "--q", help="Full-text search in mentions."),
    deadline: str = typer.Option("", "--deadline", help="breached, due_soon or at_risk."),
) -> None:
    """Write the mentions (oldest first) or conversations (in the inbox's order) that the filters
    select; every status unless --status is given. Read in batches: any size fits in memory."""
    given = {
        "status": status,
        "assignee": assignee,
        "source": source,
        "brand": brand,
        "tag": tag,
        "topic": topic,
        "platform": platform,
        "sentiment": sentiment,
        "intent": intent,
        "lang": lang,
        "needs_reply": needs_reply,
        "since": since,
        "until": until,
        "q": q,
        "deadline": deadline,
    }
    try:
        filters = parse_filters({k: v for k, v in given.items() if v}, me=None, default_open=False)
    except Invalid as error:
        raise CliError(f"--{str(error).replace('_', '-')}") from None
    db = state.database()
    ws = ensure_workspace(db, workspace)
    partial = output.with_name(output.name + ".partial")
    counted = _Counter(exports.rows(db.session, ws.id, kind.value, filters, secret=state.settings.secret_key))
    try:
        exports.write_file(kind.value, fmt.value, counted, str(partial))
    except Invalid as error:
        partial.unlink(missing_ok=True)
        raise CliError(str(error)) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    err_console.print(f"{counted.rows:,} {kind.value} written to {output}")


class _Counter:
    """The batches, passed through, counting their rows."""

    def __init__(self, batches: Iterator[list[exports.Row]]):
        self.batches = batches
        self.rows = 0

    def __iter__(self) -> Iterator[list[exports.Row]]:
        for batch in self.batches:
            self.rows += len(batch)
            yield batch
