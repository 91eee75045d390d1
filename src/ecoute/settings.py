"""The one list of Écoute's settings: name, default and help, read from ``ECOUTE_*`` variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from platformdirs import user_data_path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env_var(self) -> str:
        return "ECOUTE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "",
        "Folder for the embedded SQLite database, rejects files and trained models. "
        "Empty means the per-user data folder (e.g. ~/.local/share/ecoute).",
    ),
    Setting(
        "database_url",
        "",
        "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host/db. "
        "Empty means SQLite (WAL mode) at DATA_DIR/ecoute.db.",
    ),
    Setting(
        "queue_url",
        "",
        "Where background jobs are queued: redis://host:6379/0 or postgresql://user@host/db for "
        "workers on several machines; sqlite:///PATH; immediate (run each job in the process that "
        "asked for it, right away: for tests and scripts). Empty: an SQLite file, DATA_DIR/queue.db.",
    ),
    Setting(
        "queue_prefix",
        "ecoute",
        "Prefix of the queues' names in their store (several installations can share one Redis).",
    ),
    Setting(
        "web_workers",
        "auto",
        "Run background workers and the scheduler inside `ecoute serve`: on, off, or auto (on when "
        "the queue is the default SQLite file, i.e. one machine; off with Redis or PostgreSQL, where "
        "`ecoute worker` processes do the work).",
    ),
    Setting(
        "events_url",
        "",
        "Where live updates (new mentions, a colleague's changes) travel between processes: "
        "redis://host:6379/0, postgresql://user@host/db, sqlite:///PATH (one machine) or memory "
        "(one process only). Empty: Redis when ECOUTE_QUEUE_URL is Redis, else PostgreSQL's "
        "LISTEN/NOTIFY when the database is PostgreSQL, else an SQLite file, DATA_DIR/live.db.",
    ),
    Setting("batch_size", "1000", "Items stored per transaction by the ingest path."),
    Setting(
        "analysis",
        "on",
        "Annotate mentions (language, sentiment, intent, priority) as they are ingested: on/off.",
    ),
    Setting(
        "retrain_min_corrections",
        "50",
        "New corrections by a workspace's agents that make the heads retrain on their own "
        "(kept only if held-out macro-F1 does not drop). 0: never on their own.",
    ),
    Setting(
        "incident_update_pace_s",
        "15",
        "Seconds between two personal updates of an incident going out (a safe rate for the platforms).",
    ),
    Setting("http_timeout", "20", "Seconds before an outgoing HTTP request (feeds, APIs) gives up."),
    Setting("http_retries", "3", "Attempts for an outgoing HTTP request that fails in a retriable way."),
    Setting("user_agent", "Ecoute/0.1 (+self-hosted social listening)", "User-Agent sent to feeds and APIs."),
    Setting(
        "secret_key",
        "",
        "Key that signs inbox cursors and other tamper-proof values. "
        "Empty: generated once and kept in DATA_DIR/secret_key (mode 600).",
    ),
    Setting(
        "secret_keys_old",
        "",
        "Comma-separated previous values of ECOUTE_SECRET_KEY that may still open sealed secrets "
        "(source credentials, webhook secrets) while `ecoute secrets rotate` re-seals them with the "
        "current key; drop them once it has run.",
    ),
    Setting("host", "127.0.0.1", "Address `ecoute serve` listens on (0.0.0.0 for every interface)."),
    Setting("port", "8000", "Port `ecoute serve` listens on."),
    Setting(
        "web_processes",
        "0",
        "Web processes `ecoute serve` runs (each with its own connection pool). 0: one per CPU, up to 4.",
    ),
    Setting(
        "db_pool_size",
        "10",
        "Database connections each web process keeps open (as many more may open at busy times).",
    ),
    Setting(
        "public_url",
        "",
        "URL people reach the web app at, used in printed links, invitations and webhook payloads. "
        "Empty: http://HOST:PORT.",
    ),
    *(
        Setting(
            f"oauth_{provider}_client_{part}",
            "",
            f"{label} app's client {part} for “Connect with {label}” on the Sources page (register "
            "PUBLIC_URL/oauth/callback as its redirect URI; see docs/sources/README.md). Empty: no button.",
        )
        for provider, label in (("reddit", "Reddit"), ("google", "Google"), ("x", "X"), ("meta", "Facebook"))
        for part in ("id", "secret")
    ),
    Setting("session_days", "14", "Days a web login lasts without being used before it expires."),
    Setting(
        "llm_url",
        "",
        "Optional: base URL of an OpenAI-compatible server you run (e.g. http://127.0.0.1:8080) that "
        "polishes reply drafts. Empty: drafts come from templates only, offline.",
    ),
    Setting("llm_model", "", "Model name sent to ECOUTE_LLM_URL's /v1/chat/completions."),
    Setting("llm_api_key", "", "Bearer token for ECOUTE_LLM_URL, if your server asks for one."),
    Setting(
        "secure_cookies",
        "auto",
        "Mark login cookies Secure (sent over HTTPS only): auto (when the request came over HTTPS, "
        "directly or as a trusted proxy says), on (always) or off (never).",
    ),
    Setting(
        "password_hash_slots",
        "0",
        "Passwords checked at once per web process (login, sign-up); more are refused with 429 and "
        "Retry-After so a guessing flood cannot starve other requests. 0: half the CPUs, at least 1.",
    ),
    Setting(
        "trusted_proxies",
        "",
        "Comma-separated addresses or networks of your reverse proxies (e.g. 127.0.0.1,10.0.0.0/8): "
        "only requests from these are believed when X-Forwarded-For / X-Forwarded-Proto name the "
        "client's address and scheme. Empty: the connecting address is the client.",
    ),
    Setting(
        "webhook_allow_private",
        "",
        "Comma-separated addresses or networks (e.g. 10.0.0.0/8,127.0.0.1) that outgoing webhooks may "
        "reach although they are loopback, private or link-local. Empty: public addresses only.",
    ),
    Setting(
        "metrics_token",
        "",
        "Bearer token that /metrics asks for. Empty: /metrics answers loopback clients only "
        "(127.0.0.1, ::1), for a Prometheus running on the same machine.",
    ),
    Setting(
        "log_format", "text", "Log lines as text, or json (one JSON object per line, for log collectors)."
    ),
    Setting(
        "smtp_host",
        "",
        "SMTP server for e-mail alerts (deadlines about to be missed). Empty: no e-mail is sent.",
    ),
    Setting("smtp_port", "587", "Port of the SMTP server."),
    Setting("smtp_security", "starttls", "starttls, ssl (implicit TLS, usually port 465) or none."),
    Setting("smtp_user", "", "SMTP login; empty: send without logging in."),
    Setting("smtp_password", "", "SMTP password for SMTP_USER."),
    Setting("smtp_from", "ecoute@localhost", "Sender address of Écoute's e-mails."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class Settings:
    """Settings resolved from the environment (or explicit overrides, for tests)."""

    def __init__(self, overrides: dict[str, str] | None = None, environ: dict[str, str] | None = None):
        unknown = set(overrides or {}) - set(_BY_NAME)
        if unknown:
            raise KeyError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        self._overrides = dict(overrides or {})
        self._environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str:
        setting = _BY_NAME[name]
        if name in self._overrides:
            return self._overrides[name]
        return self._environ.get(setting.env_var, setting.default)

    def int(self, name: str) -> int:
        value = self.raw(name)
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{_BY_NAME[name].env_var}={value!r} is not a whole number") from None

    def flag(self, name: str) -> bool:
        return self.raw(name).strip().lower() in {"1", "on", "true", "yes"}

    @cached_property
    def data_dir(self) -> Path:
        configured = self.raw("data_dir")
        path = Path(configured).expanduser() if configured else user_data_path("ecoute")
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        private(path, 0o700)  # the database, secret key and models: for this user's eyes only
        return path

    @property
    def database_url(self) -> str:
        return self.raw("database_url") or f"sqlite:///{self.data_dir / 'ecoute.db'}"

    @cached_property
    def secret_key(self) -> str:
        """The configured key, or one generated on first use and kept in the data folder."""
        configured = self.raw("secret_key")
        if configured:
            return configured
        path = self.data_dir / "secret_key"
        if not path.exists():
            # O_EXCL: two processes starting together never overwrite each other's key.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def unseal_keys(self) -> tuple[str, ...]:
        """The keys that open sealed secrets: the current ``secret_key`` first, then the old ones."""
        old = (k.strip() for k in self.raw("secret_keys_old").split(","))
        return (self.secret_key, *(k for k in old if k and k != self.secret_key))

    @property
    def public_url(self) -> str:
        return (self.raw("public_url") or f"http://{self.raw('host')}:{self.raw('port')}").rstrip("/")


def private(path: Path, mode: int) -> None:
    """Tighten ``path`` to ``mode`` (0o700 folders, 0o600 files) when this user owns it."""
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass


def get_settings() -> Settings:
    return Settings()
