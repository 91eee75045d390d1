"""Conversations waiting for a first answer, with deadlines known to the minute at a fixed moment:
Monday 19 October 2026, 10:00 in Paris, with the default hours (Monday to Friday 09:00–18:00)
and targets (priority ≥ 80: 1 h, ≥ 50: 4 h).

- ``late`` (priority 90) asked on Friday at 17:30: half an hour on Friday, half an hour on
  Monday: due at 09:30, overdue by 30 min;
- ``soon`` (priority 90) asked at 09:10: due at 10:10, 10 min left (due soon from 15 min left);
- ``fine`` (priority 60) asked at 09:50: due at 13:50, 3 h 50 left;
- ``answered`` (priority 95) asked at 09:00 and answered at 09:05: no clock runs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ecoute.store.db import Database
from ecoute.store.models import Workspace
from response_factories import Builder

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 10, 19, 10, 0, tzinfo=PARIS)
SATURDAY_NOON = datetime(2026, 10, 17, 12, 0, tzinfo=PARIS)


def build(db: Database, workspace: Workspace) -> dict[str, int]:
    b = Builder(db, workspace)
    ids: dict[str, int] = {}
    for name, priority, asked in (
        ("late", 90, datetime(2026, 10, 16, 17, 30, tzinfo=PARIS)),
        ("soon", 90, datetime(2026, 10, 19, 9, 10, tzinfo=PARIS)),
        ("fine", 60, datetime(2026, 10, 19, 9, 50, tzinfo=PARIS)),
        ("answered", 95, datetime(2026, 10, 19, 9, 0, tzinfo=PARIS)),
    ):
        ids[name] = b.conversation(asked, priority=priority)
        b.mention(ids[name], asked)
    b.reply(ids["answered"], datetime(2026, 10, 19, 9, 5, tzinfo=PARIS))
    return ids
