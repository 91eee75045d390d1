"""``ecoute serve`` and ``ecoute user …``: run the web app, and create people who can log in."""

from __future__ import annotations

import logging
import sys

import typer

from ecoute.auth import sessions, throttle, users
from ecoute.auth.passwords import WeakPassword
from ecoute.cli.context import CliError, state
from ecoute.cli.output import console
from ecoute.store import repo

logger = logging.getLogger(__name__)
user_app = typer.Typer(help="People who log in to the web app, and their roles.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.add_typer(user_app, name="user")


def serve_command(
    host: str = typer.Option(None, help="Address to listen on (default: ECOUTE_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port to listen on (default: ECOUTE_PORT, 8000)."),
    processes: int = typer.Option(
        None,
        "--processes",
        min=0,
        help="Web processes (default: ECOUTE_WEB_PROCESSES; 0: one per CPU, up to 4).",
    ),
) -> None:
    """Serve the web app and the REST API (and, on one machine, the background workers)."""
    from ecoute.ops.multiproc import share_metrics

    settings = state.settings
    share_metrics(settings, fresh=True)  # before anything imports the metrics
    from ecoute.web.app import web_processes
    from ecoute.web.serving import PortInUse, check_port_free, embedded_workers, run_web

    host = host or settings.raw("host")
    port = port or settings.int("port")
    count = web_processes(settings) if processes is None else web_processes(settings, processes)
    try:
        here = embedded_workers(settings)
        check_port_free(host, port)
    except (ValueError, PortInUse) as error:
        raise CliError(str(error)) from None
    work = "background work in this process" if here else "background work by `ecoute worker`"
    console.print(
        f"Écoute is listening on [bold]http://{host}:{port}/[/] with {count} web process(es) — {work}"
        "  (Ctrl+C to stop)"
    )
    run_web(state.database(), settings, host=host, port=port, processes=count)


PASSWORD_OPTION = typer.Option(
    None,
    "--password",
    help="The password (visible to other users of this machine in `ps`: prefer the prompt or "
    "--password-stdin).",
)
PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="Read the password from standard input.")


def read_password(given: str | None, from_stdin: bool) -> str:
    """The password from standard input, the option, or a hidden prompt asked twice."""
    if from_stdin:
        if given is not None:
            raise CliError("give the password once: --password or --password-stdin, not both")
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError("--password-stdin: standard input is empty")
        return line
    if given is not None:
        return given
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_app.command("create")
def user_create(
    email: str,
    password: str = PASSWORD_OPTION,
    password_stdin: bool = PASSWORD_STDIN,
    name: str = typer.Option("", help="Display name (default: the part of the e-mail before @)."),
    workspace: str = typer.Option(None, "--workspace", "-w", help="Workspace slug to add the user to."),
    role: str = typer.Option("agent", help="owner, admin, agent or viewer."),
    locale: str = typer.Option(None, help="fr or en (default: the browser's language)."),
) -> None:
    """Create a user (optionally a member of a workspace with a role); the password is asked for,
    or read from standard input with --password-stdin."""
    password = read_password(password, password_stdin)
    with state.database().session() as session:
        try:
            ws = repo.require_workspace(session, workspace) if workspace else None
            user = users.create_user(session, email, password, name=name, locale=locale)
            if ws is not None:
                users.add_member(session, ws.id, user.id, role)
        except (repo.Invalid, repo.NotFound, WeakPassword) as error:
            raise CliError(str(error)) from None
    where = f" ({role} of {workspace})" if workspace else ""
    console.print(f"User [bold]{email}[/] created{where}.")


@user_app.command("add")
def user_add(
    email: str,
    workspace: str = typer.Option(..., "--workspace", "-w", help="Workspace slug."),
    role: str = typer.Option("agent", help="owner, admin, agent or viewer."),
) -> None:
    """Add an existing user to a workspace, or change their role in it."""
    with state.database().session() as session:
        try:
            ws = repo.require_workspace(session, workspace)
            user = users.get_user_by_email(session, email)
            if user is None:
                raise CliError(f"no user {email!r} (create it with: ecoute user create {email})")
            users.add_member(session, ws.id, user.id, role)
        except (repo.Invalid, repo.NotFound) as error:
            raise CliError(str(error)) from None
    console.print(f"[bold]{email}[/] is now {role} of {workspace}.")


@user_app.command("password")
def user_password(email: str, password: str = PASSWORD_OPTION, password_stdin: bool = PASSWORD_STDIN) -> None:
    """Set a user's password (asked for, or read with --password-stdin); logs them out everywhere."""
    password = read_password(password, password_stdin)
    with state.database().session() as session:
        user = users.get_user_by_email(session, email)
        if user is None:
            raise CliError(f"no user {email!r} (create it with: ecoute user create {email})")
        try:
            users.set_password(session, user, password)
        except WeakPassword as error:
            raise CliError(str(error)) from None
        sessions.revoke_user_sessions(session, user.id)
        throttle.clear(session, throttle.account_key(email))
    console.print(f"Password of [bold]{email}[/] changed; their sessions are closed.")
