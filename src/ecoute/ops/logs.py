"""Log lines as JSON objects (``ECOUTE_LOG_FORMAT=json``), for log collectors: the time, level,
logger and event name, then whatever the call passed in ``extra``. Values under a name that looks
secret (password, token, key, secret, cookie, authorization) are replaced, never written."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# The attributes every LogRecord has: anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
SECRET_WORDS = ("password", "token", "secret", "key", "cookie", "authorization")
REDACTED = "[redacted]"
TEXT_FORMAT = "%(levelname)s %(name)s %(message)s"


def _looks_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = REDACTED if _looks_secret(name) else value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(log_format: str, *, debug: bool = False) -> None:
    """Set up the root logger (once; a process whose logging is already set up keeps it):
    ``text``, a short line from warnings up, or ``json``, one object per line from info up."""
    choice = log_format.strip().lower() or "text"
    if choice not in ("text", "json"):
        raise ValueError(f"ECOUTE_LOG_FORMAT={log_format!r}: use text or json")
    if choice == "text":
        logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format=TEXT_FORMAT)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, handlers=[handler])
