"""State shared by the CLI commands: settings, the database, and the errors they report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ecoute.settings import Settings

if TYPE_CHECKING:
    from ecoute.store.db import Database


class CliError(Exception):
    """A failure the user can act on; printed as one line, exit status 2 unless told otherwise."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CliState:
    debug: bool = False
    _db: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return Settings()

    def database(self) -> Database:
        if self._db is None:
            from ecoute.store.db import Database

            settings = self.settings
            self._db = Database.open(settings.database_url, pool_size=settings.int("db_pool_size"))
        return self._db


state = CliState()
