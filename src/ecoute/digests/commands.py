"""``ecoute digest send``: preview or send one person's digest for the last whole period."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from sqlalchemy import func, select

from ecoute.cli.context import CliError, state
from ecoute.cli.ingest import ensure_workspace
from ecoute.cli.output import console, err_console
from ecoute.digests import schedule
from ecoute.digests.send import compose_email, send_email_digest
from ecoute.keep_time.mail import mail_configured
from ecoute.store.models import Membership, User
from ecoute.store.types import utcnow

digest_app = typer.Typer(help="E-mail digests (daily or weekly, per person).", no_args_is_help=True)


class PeriodKind(StrEnum):
    daily = "daily"
    weekly = "weekly"


def register(app: typer.Typer) -> None:
    app.add_typer(digest_app, name="digest")


@digest_app.command("send")
def send_command(
    workspace: str = typer.Option(..., "--workspace", "-w", help="Workspace slug."),
    user: str = typer.Option(..., "--user", "-u", help="The member's e-mail address."),
    period: PeriodKind = typer.Option(PeriodKind.weekly, "--period", help="daily (yesterday) or weekly."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plain-text digest; send nothing."),
    html: Path = typer.Option(
        None, "--html", dir_okay=False, help="With --dry-run: also write the HTML here."
    ),
) -> None:
    """The digest of the last whole period (yesterday, or the seven days up to yesterday, in the
    workspace's time zone), in the person's language. Sent once per period: a second send for the
    same period is refused, as the scheduled one would be."""
    db = state.database()
    ws = ensure_workspace(db, workspace)
    settings = state.settings
    now = utcnow()
    chosen = schedule.last_complete(period.value, now, ws.timezone)
    with db.session() as session:
        person = session.scalar(select(User).where(func.lower(User.email) == user.strip().lower()))
        member = person is not None and session.scalar(
            select(Membership.id).where(Membership.workspace_id == ws.id, Membership.user_id == person.id)
        )
        if person is None or not member:
            raise CliError(f"--user: {user} is not a member of {ws.slug}")
        user_id, email = person.id, person.email
        if dry_run:
            rendered, message = compose_email(session, settings, ws, person, chosen, now=now)
    if dry_run:
        console.print(f"To: {email}\nSubject: {rendered.subject}\n", highlight=False, markup=False)
        console.print(rendered.text, highlight=False, markup=False)
        if html is not None:
            html.write_text(rendered.html, encoding="utf-8")
            err_console.print(f"HTML written to {html}")
        return
    if not mail_configured(settings):
        raise CliError("no SMTP server: set ECOUTE_SMTP_HOST (see docs/digests.md)")
    report = send_email_digest(db, settings, ws.id, user_id, chosen, now=now)
    if report.failed:
        raise CliError(f"not sent: {'; '.join(report.errors)}", exit_code=1)
    if report.skipped:
        err_console.print(f"already sent to {email} for this period: nothing to do")
        return
    err_console.print(f"digest sent to {email}")
