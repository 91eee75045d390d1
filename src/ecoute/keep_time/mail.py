"""Sending one e-mail (plain text, or plain text and HTML) through the configured SMTP server
(standard library only)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ecoute.settings import Settings

logger = logging.getLogger(__name__)
SECURITY_MODES = ("starttls", "ssl", "none")


class MailError(Exception):
    """The message could not be handed to the SMTP server (retry later)."""


def mail_configured(settings: Settings) -> bool:
    return bool(settings.raw("smtp_host").strip())


def send_mail(settings: Settings, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    """Hand the message to ``ECOUTE_SMTP_HOST``; raises ``MailError`` when that fails. With ``html``,
    the message is multipart/alternative: the plain text first, then the HTML."""
    send_message(settings, build_message(settings, to, subject, body, html))


def build_message(
    settings: Settings, to: list[str], subject: str, body: str, html: str | None = None
) -> EmailMessage:
    """The message ``send_mail`` sends, for callers that add headers (``List-Unsubscribe``)."""
    message = EmailMessage()
    message["From"] = settings.raw("smtp_from")
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ecoute")
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_message(settings: Settings, message: EmailMessage) -> None:
    """Send a built message to its ``To`` recipients; raises ``MailError`` when that fails."""
    security = settings.raw("smtp_security").strip().lower()
    if security not in SECURITY_MODES:
        raise ValueError(f"ECOUTE_SMTP_SECURITY={security!r}: use {', '.join(SECURITY_MODES)}")
    to = [a.strip() for a in str(message["To"]).split(",") if a.strip()]
    host, port = settings.raw("smtp_host").strip(), settings.int("smtp_port")
    timeout = settings.int("http_timeout")
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.raw("smtp_user"):
                client.login(settings.raw("smtp_user"), settings.raw("smtp_password"))
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("mail.failed", extra={"host": host, "error": str(error)[:200]})
        raise MailError(f"{host}:{port}: {error}") from error
    logger.info("mail.sent", extra={"host": host, "recipients": len(to)})
