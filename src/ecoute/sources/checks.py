"""Testing a source against its platform without storing anything (the Sources page's "test",
``ecoute source test``): a connector that can be checked has ``check(settings) -> str``, a real
call (Mastodon's ``verify_credentials``, Bluesky's ``createSession``, fetching and parsing a feed)
whose answer it puts in words."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecoute.settings import Settings
from ecoute.sources import registry
from ecoute.sources.base import SourceError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str  # the platform's answer in words
    kind: str | None = None  # on failure, what kind (``SourceError.kind``): auth, rate_limit...
    checkable: bool = True  # False: this type has nothing to call (a webhook waits for pushes)


def checkable(kind: str) -> bool:
    found = registry.available().get(kind)
    return found is not None and callable(getattr(found, "check", None))


def check_source(kind: str, settings: Mapping[str, Any], app_settings: Settings | None = None) -> CheckResult:
    if not checkable(kind):
        return CheckResult(False, f"a {kind} source has nothing to call: there is no test", checkable=False)
    connector = registry.get(kind)(app_settings)
    try:
        message = connector.check(settings)
    except SourceError as error:
        logger.info("source.check_failed", extra={"kind": kind, "failure": error.kind})
        return CheckResult(False, str(error), error.kind)
    return CheckResult(True, message)
