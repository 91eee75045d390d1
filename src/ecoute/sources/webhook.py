"""A webhook source: items pushed to ``POST /hooks/{workspace}/{source}``, signed the Standard
Webhooks way with the source's secret (see ``ecoute.webhooks.inbound``). Nothing to poll.

Settings: ``secret`` (``whsec_…``, sealed at rest; ``ecoute source add --type webhook`` makes one
and shows it once), ``platform`` (the items' platform when they do not say, default "webhook").
"""

from __future__ import annotations

from typing import ClassVar


class WebhookSource:
    platform: ClassVar[str] = "webhook"
    description: ClassVar[str] = (
        "Signed webhook (Standard Webhooks): items pushed to /hooks/<workspace>/<source>"
    )
