"""``ecoute demo``: set up the demo workspace, load its mentions, and show what came in."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import func, select

from ecoute import demo as demo_data
from ecoute.cli.context import state
from ecoute.cli.ingest import print_summary, run_ingest
from ecoute.cli.output import console, print_json
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Author, Brand, Conversation, Mention, MentionBrand, Workspace


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    analysis: bool = typer.Option(
        None, "--analysis/--no-analysis", help="Annotate while loading (default on)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Create the demo workspace (a fictional French brand and two competitors) and load its mentions."""
    db = state.database()
    setup = demo_data.setup_workspace(db)
    report = run_ingest(
        db,
        setup.workspace,
        demo_data.demo_items(),
        source=None,
        label="demo mentions",
        total=demo_data.count(),
        analysis=analysis,
    )
    summary = _summary(db, setup.workspace)
    where = _where(db)
    if as_json:
        print_json({"workspace": setup.workspace.slug, "database": where, **report.as_dict(), **summary})
        return
    print_summary(report, "demo mentions")
    _print(setup, summary, where)


def _summary(db: Database, workspace: Workspace) -> dict[str, object]:
    ws = workspace.id
    with db.session() as session:

        def counter(column) -> dict[str, int]:  # type: ignore[no-untyped-def]
            rows = session.execute(
                select(column, func.count()).where(Mention.workspace_id == ws).group_by(column)
            )
            return {str(k): n for k, n in rows}

        brands = session.execute(
            select(Brand.name, func.count())
            .join(MentionBrand, MentionBrand.brand_id == Brand.id)
            .where(Brand.workspace_id == ws)
            .group_by(Brand.name)
        )
        top = session.execute(
            select(
                Conversation.id,
                Conversation.priority,
                Conversation.mention_count,
                Author.handle,
                Conversation.platform,
            )
            .outerjoin(Author, Author.id == Conversation.author_id)
            .where(Conversation.workspace_id == ws, Conversation.needs_reply.is_(True))
            .order_by(Conversation.priority.desc(), Conversation.last_mention_at.desc())
            .limit(8)
        ).all()
        reasons = {}
        for conversation_id, *_ in top:
            mention = session.scalar(
                select(Mention)
                .where(Mention.workspace_id == ws, Mention.conversation_id == conversation_id)
                .order_by(Mention.priority.desc().nulls_last())
                .limit(1)
            )
            reasons[conversation_id] = (mention.text, mention.reasons) if mention else ("", [])
        return {
            "mentions": repo.count_mentions(session, ws),
            "conversations": repo.count_conversations(session, ws),
            "by_platform": counter(Mention.platform),
            "by_language": counter(Mention.lang),
            "by_sentiment": counter(Mention.sentiment),
            "by_intent": counter(Mention.intent),
            "by_brand": {name: n for name, n in brands},
            "needs_reply_first": [
                {
                    "conversation": cid,
                    "priority": p,
                    "mentions": n,
                    "author": a,
                    "platform": pf,
                    "text": reasons[cid][0][:140],
                    "reasons": reasons[cid][1],
                }
                for cid, p, n, a, pf in top
            ],
        }


def _where(db: Database) -> str:
    url = db.engine.url
    return (
        url.database
        if url.get_backend_name() == "sqlite" and url.database
        else url.render_as_string(hide_password=True)
    )


def _print(setup: demo_data.DemoSetup, summary: dict, where: str) -> None:  # type: ignore[type-arg]
    console.print()
    console.rule(f"[bold]Écoute demo — {setup.workspace.name}")
    console.print(
        f"Brand [bold]{', '.join(setup.brands)}[/], competitors {', '.join(setup.competitors)}: "
        f"{summary['mentions']:,} mentions in {summary['conversations']:,} conversations."
    )
    table = Table(show_header=False, box=None, pad_edge=False)
    for label in ("by_platform", "by_language", "by_sentiment", "by_intent", "by_brand"):
        counts: dict[str, int] = summary[label]  # type: ignore[assignment]
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        table.add_row(f"[dim]{label.replace('by_', '')}[/]", parts)
    console.print(table)
    first = summary["needs_reply_first"]
    if first:
        console.print("\n[bold]Answer these first[/] (highest priority, needing a reply):")
        for row in first:  # type: ignore[attr-defined]
            reasons = " · ".join(row["reasons"])
            console.print(
                f"  [bold]{row['priority']:>3}[/] @{row['author']} ({row['platform']}): {row['text']}"
            )
            if reasons:
                console.print(f"      [dim]{reasons}[/]")
    console.print(
        f"\nData lives in [bold]{where}[/] (set ECOUTE_DATA_DIR or ECOUTE_DATABASE_URL to move it)."
    )
    console.print('Next: [bold]ecoute search -w demo "batterie"[/], [bold]ecoute ingest FILE -w demo[/].')
