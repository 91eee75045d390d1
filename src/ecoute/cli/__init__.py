"""The ``ecoute`` command line: one Typer app, commands grouped by concept in this package."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from rich.markup import escape

from ecoute.cli.context import CliError, state
from ecoute.cli.output import err_console
from ecoute.ops import logs
from ecoute.settings import Settings

# Commands that need neither the database nor the web app: ``ecoute analyze`` and ``ecoute train``
# start with only the analysis engine imported (the whole CLI costs seconds of imports, part of
# the analysis speed: docs/benchmarks.md).
ANALYSIS_COMMANDS = frozenset({"analyze", "train"})


def build_app(command: str | None = None) -> typer.Typer:
    """The ``ecoute`` app; only the analysis commands when ``command`` is one of them."""
    app = typer.Typer(
        name="ecoute",
        help="Écoute — hear what people say about your brand, and answer the ones who need you first.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_options)
    if command not in ANALYSIS_COMMANDS:
        _register_all(app)
    _register_analysis(app)
    return app


def _options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks and debug logs."),
) -> None:
    state.debug = debug
    try:
        logs.configure(Settings().raw("log_format"), debug=debug)
    except ValueError as error:
        raise CliError(str(error)) from None


def _register_all(app: typer.Typer) -> None:
    from ecoute.cli import (
        admin,
        alerts,
        demo,
        drafts,
        export,
        ingest,
        replies,
        report,
        secrets,
        sla,
        status,
        topics,
        worker,
    )
    from ecoute.digests import commands as digest_commands
    from ecoute.live import signals as _live_signals  # noqa: F401 - commands' changes reach the pages
    from ecoute.privacy import commands as privacy_commands
    from ecoute.web import commands as web_commands
    from ecoute.webhooks import commands as webhook_commands

    for module in (
        ingest,
        demo,
        admin,
        web_commands,
        webhook_commands,
        report,
        secrets,
        sla,
        replies,
        worker,
        status,
        drafts,
        topics,
        privacy_commands,
        alerts,
        export,
        digest_commands,
    ):
        module.register(app)


def _register_analysis(app: typer.Typer) -> None:
    try:
        from ecoute.analysis.commands import register
    except ImportError:  # analysis commands are optional while the engine is being built
        return
    register(app)


def _command(args: list[str]) -> str | None:
    """The command named on the command line (the main options are flags: --debug, --help)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole app, for whoever imports it
        return build_app()
    raise AttributeError(name)


def main() -> None:
    # Whatever a command creates (database, rejects files, models, backups) is this user's only.
    os.umask(0o077)
    try:
        code = build_app(_command(sys.argv[1:]))(standalone_mode=False)
    except CliError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted: batches already committed are kept; run again to continue.")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the one place that turns any failure into one line
        if state.debug:
            raise
        _fail(*_describe(error))
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, exit_code: int) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    sys.exit(exit_code)


def _describe(error: Exception) -> tuple[str, int]:
    # Typer ships its own copy of Click, so its usage errors are recognised by what they offer.
    format_message = getattr(error, "format_message", None)
    if callable(format_message):
        return f"{format_message()} (see --help)", int(getattr(error, "exit_code", 2))
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return f"{detail}  (run with --debug for details)", 2
