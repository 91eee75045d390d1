"""The ``ecoute`` command line: one Typer app, commands grouped by concept in this package."""

from __future__ import annotations

import logging
import sys

import typer

from ecoute.cli import admin, demo, ingest
from ecoute.cli.context import CliError, state
from ecoute.cli.output import err_console
from ecoute.web import commands as web_commands
from ecoute.webhooks import commands as webhook_commands

app = typer.Typer(
    name="ecoute",
    help="Écoute — hear what people say about your brand, and answer the ones who need you first.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks and debug logs."),
) -> None:
    state.debug = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s %(message)s"
    )


ingest.register(app)
demo.register(app)
admin.register(app)
web_commands.register(app)
webhook_commands.register(app)


def _register_analysis() -> None:
    try:
        from ecoute.analysis.commands import register
    except ImportError:  # analysis commands are optional while the engine is being built
        return
    register(app)


_register_analysis()


def main() -> None:
    try:
        code = app(standalone_mode=False)
    except CliError as error:
        err_console.print(f"[bold red]error:[/] {error}", highlight=False)
        sys.exit(error.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted: batches already committed are kept; run again to continue.")
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the one place that turns any failure into one line
        if state.debug:
            raise
        err_console.print(
            f"[bold red]error:[/] {_describe(error)}  (run with --debug for details)", highlight=False
        )
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def _describe(error: BaseException) -> str:
    import click

    if isinstance(error, click.exceptions.ClickException):
        return error.format_message()
    if isinstance(error, click.exceptions.Abort):
        return "aborted"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
