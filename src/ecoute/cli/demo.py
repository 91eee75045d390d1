"""``ecoute demo``: set up the demo workspace, load its mentions, show what came in, and serve it.

By default the web app starts right after loading, with a demo login printed next to the URL, so
one command takes a newcomer to a working inbox; ``--no-serve`` loads, summarises and exits.
Loading is offline (the mentions and the team's reply history ship with the package) and
idempotent (a second run stores nothing new and only refreshes the demo login).
"""

from __future__ import annotations

import json

import typer
from rich.panel import Panel
from rich.table import Table
from sqlalchemy import func, select

from ecoute import demo as demo_data
from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import print_summary, run_ingest
from ecoute.cli.output import console, print_json, progress_bar
from ecoute.demo import incidents as demo_incidents
from ecoute.demo import replies as demo_replies
from ecoute.inbox import rule_admin
from ecoute.inbox.counts import OPEN_STATUSES
from ecoute.inbox.rules import validate_spec
from ecoute.insights.response_metrics import response_report
from ecoute.store import repo
from ecoute.store.db import Database
from ecoute.store.models import Author, Brand, Conversation, Mention, MentionBrand, Reply, User, Workspace
from ecoute.store.reply_models import DONE_STATUSES
from ecoute.topics import vectors as topic_vectors
from ecoute.topics import workspace as topics_workspace
from ecoute.warn.scan import scan_workspace
from ecoute.web.demo_login import ensure_demo_digest, ensure_demo_login


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    analysis: bool = typer.Option(
        None, "--analysis/--no-analysis", help="Annotate while loading (default on)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the demo in the web app after loading (default), or exit."
    ),
    host: str = typer.Option(None, help="Address to serve on (default: ECOUTE_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, min=1, max=65535, help="Port to serve on (default: ECOUTE_PORT, 8000)."),
) -> None:
    """Create the demo workspace (a fictional French brand and two competitors), load its mentions
    and serve it: open the printed URL and log in with the printed e-mail and password."""
    if serve:  # a port already taken is told now, not after a minute of loading
        _port_free(*_address(host, port))
    db = state.database()
    setup = demo_data.setup_workspace(db)
    _ensure_rules(db, setup.workspace)
    report = run_ingest(
        db,
        setup.workspace,
        demo_data.demo_items(),
        source=None,
        label="demo mentions",
        total=demo_data.count(),
        analysis=analysis,
    )
    history = _load_history(db, setup.workspace)
    # The hourly spike scan, once now, so the outage's alert is there when the demo opens.
    raised = scan_workspace(db, setup.workspace.id)
    # The outage's incident (a statement on its timeline, personal updates ready) and the impersonator's.
    demo_incidents.open_demo_incidents(db, setup.workspace)
    if analysis if analysis is not None else state.settings.flag("analysis"):
        # The topics, built now rather than at the workers' first run, so that Insights and the
        # report show them as soon as the demo opens (the posts are embedded once, then kept).
        with db.session() as session:
            topics_workspace.rebuild(session, setup.workspace.id, topic_vectors.embed)
    summary = _summary(db, setup.workspace)
    where = _where(db)
    if as_json:
        print_json(
            {
                "workspace": setup.workspace.slug,
                "database": where,
                **report.as_dict(),
                "replies_stored": history.stored,
                "replies_already_there": history.already_there,
                "alerts": len(raised),
                **summary,
            }
        )
    else:
        print_summary(report, "demo mentions")
        _print(setup, summary, where, serving=serve)
    if serve:
        serve_demo(db, setup.workspace, host=host, port=port)


def _ensure_rules(db: Database, workspace: Workspace) -> None:
    """The demo's rules (spam, fraud warnings, unhappy big accounts, the connected lock), added once
    before loading, so the rules page shows how often each fired."""
    with db.session() as session:
        if rule_admin.list_rules(session, workspace.id):
            return
        for data in json.loads((demo_data.DATA / "rules.json").read_text(encoding="utf-8")):
            rule_admin.create_rule(session, workspace.id, validate_spec(data), actor="system:demo")


def _load_history(db: Database, workspace: Workspace) -> demo_replies.HistoryReport:
    """The replies the demo team sent before today, dated relative to the mentions they answer."""
    with progress_bar("demo replies") as bar:
        task = bar.add_task("demo replies", total=demo_replies.count(), status="")
        return demo_replies.load_history(db, workspace, on_reply=lambda: bar.advance(task))


def serve_demo(db: Database, workspace: Workspace, *, host: str | None, port: int | None) -> None:
    """Create the demo login, print where to go and how to log in, and serve until Ctrl+C."""
    from ecoute.web.serving import run_web

    host, port = _address(host, port)
    _port_free(host, port)  # again: something may have taken it while the demo loaded
    email, password = ensure_demo_login(db, workspace)
    ensure_demo_digest(db, workspace)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/w/{workspace.slug}/"
    console.print()
    console.print(
        Panel.fit(
            f"Open      [bold link={url}]{url}[/]\nE-mail    [bold]{email}[/]\nPassword  [bold]{password}[/]",
            title="Écoute demo is running",
            subtitle="Ctrl+C to stop",
            border_style="green",
        )
    )
    run_web(db, state.settings, host=host, port=port)


def _address(host: str | None, port: int | None) -> tuple[str, int]:
    """Where to serve: the options given, else the settings (ECOUTE_HOST, ECOUTE_PORT)."""
    return host or state.settings.raw("host"), port or state.settings.int("port")


def _port_free(host: str, port: int) -> None:
    from ecoute.web.serving import PortInUse, check_port_free

    try:
        check_port_free(host, port)
    except PortInUse as error:
        raise CliError(str(error)) from None


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
            .where(
                Conversation.workspace_id == ws,
                Conversation.needs_reply.is_(True),
                Conversation.status.in_(OPEN_STATUSES),  # what the inbox has to do, as its counts
            )
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
        sent = session.execute(
            select(User.name, func.count())
            .join(Reply, Reply.author_user_id == User.id)
            .where(Reply.workspace_id == ws, Reply.status.in_(DONE_STATUSES))
            .group_by(User.name)
        )
        metrics = response_report(session, workspace).total
        return {
            "mentions": repo.count_mentions(session, ws),
            "conversations": repo.count_conversations(session, ws),
            "replies_by_agent": {name: n for name, n in sent},
            "needing_reply": metrics.conversations,
            "answered": metrics.answered,
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


def _print(setup: demo_data.DemoSetup, summary: dict, where: str, *, serving: bool) -> None:  # type: ignore[type-arg]
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
    team: dict[str, int] = summary["replies_by_agent"]  # type: ignore[assignment]
    if team:
        who = ", ".join(f"{name} {n}" for name, n in sorted(team.items(), key=lambda kv: -kv[1]))
        console.print(f"\n[bold]Replies the team already sent[/]: {sum(team.values())} ({who}).")
    needing, answered = summary["needing_reply"], summary["answered"]
    if needing:
        console.print(
            f"Answered: {answered} of the {needing} conversations that needed a reply "
            f"({round(100 * answered / needing)}%); the Metrics page has the details."  # type: ignore[operator]
        )
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
    if not serving:
        console.print(
            'Next: [bold]ecoute demo[/] to serve it, [bold]ecoute search -w demo "batterie"[/], '
            "[bold]ecoute ingest FILE -w demo[/]."
        )
