"""A real SMTP server on 127.0.0.1 for e-mail tests: speaks enough of RFC 5321 for smtplib
(EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what it receives, and can refuse messages."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Inbox:
    port: int = 0
    refuse: bool = False  # answer 451 to every message
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)


@contextmanager
def running_smtp(refuse: bool = False) -> Iterator[Inbox]:
    inbox = Inbox(refuse=refuse)

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            sender, recipients = "", []
            self.reply("220 test ESMTP")
            for raw in self.rfile:
                command = raw.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250-test")
                    self.reply("250 8BITMIME")
                elif verb == "MAIL":
                    sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 go on")
                    data = b"".join(iter(self.rfile.readline, b".\r\n"))
                    if inbox.refuse:
                        self.reply("451 try again later")
                    else:
                        inbox.messages.append(
                            (sender, recipients, message_from_bytes(data, policy=policy.default))
                        )
                        self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 OK")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    inbox.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield inbox
    finally:
        server.shutdown()
        server.server_close()
