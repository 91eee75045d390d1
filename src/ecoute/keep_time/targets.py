"""First-response deadlines and their state: ok, due soon, or breached, with the business time left.

``deadline_for`` takes anything that says when the clock started and how urgent it is: a
``Mention`` (its ``created_at`` and ``priority``), a ``Conversation`` (its ``first_mention_at``; the
inbox uses ``ecoute.keep_time.deadlines.open_clocks`` instead, which restarts the clock after each
sent reply) or a ``Clock``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ecoute.keep_time.calendar import BusinessCalendar
from ecoute.keep_time.clock import add_business_time, as_utc, business_time_between, business_times_from
from ecoute.keep_time.config import ResponseTargets
from ecoute.store.models import Conversation, Mention


class BreachState(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    BREACHED = "breached"


@dataclass(frozen=True)
class Clock:
    """A wait that a first answer ends: since when, and how urgent."""

    started_at: datetime
    priority: int


@dataclass(frozen=True)
class Deadline:
    started_at: datetime
    due_at: datetime
    target: timedelta  # business time allowed
    priority: int


@dataclass(frozen=True)
class DeadlineStatus:
    deadline: Deadline
    state: BreachState
    remaining: timedelta  # business time until due_at; negative once breached

    @property
    def due_at(self) -> datetime:
        return self.deadline.due_at


def clock_of(item: Mention | Conversation | Clock) -> Clock:
    if isinstance(item, Clock):
        return item
    if isinstance(item, Mention):
        return Clock(started_at=item.created_at, priority=item.priority or 0)
    return Clock(started_at=item.first_mention_at, priority=item.priority or 0)


def deadline_for(
    item: Mention | Conversation | Clock, calendar: BusinessCalendar, targets: ResponseTargets
) -> Deadline:
    """When the first answer is due: the band's target, in business time, after the clock started."""
    clock = clock_of(item)
    target = targets.target_for(clock.priority)
    started = as_utc(clock.started_at)
    return Deadline(
        started_at=started,
        due_at=add_business_time(started, target, calendar),
        target=target,
        priority=clock.priority,
    )


def status_at(
    deadline: Deadline, now: datetime, calendar: BusinessCalendar, targets: ResponseTargets
) -> DeadlineStatus:
    """Breached from ``due_at`` on; due soon once no more than the band's margin of business time
    is left (outside business hours the time left stands still, and so does the state)."""
    return _judged(deadline, now, business_time_between(now, deadline.due_at, calendar), targets)


def statuses_at(
    deadlines: Sequence[Deadline], now: datetime, calendar: BusinessCalendar, targets: ResponseTargets
) -> list[DeadlineStatus]:
    """``status_at`` for each of ``deadlines``, the business time left to all measured in one walk."""
    left = business_times_from(now, [d.due_at for d in deadlines], calendar)
    return [_judged(d, now, remaining, targets) for d, remaining in zip(deadlines, left, strict=True)]


def _judged(
    deadline: Deadline, now: datetime, remaining: timedelta, targets: ResponseTargets
) -> DeadlineStatus:
    if as_utc(now) >= deadline.due_at:
        state = BreachState.BREACHED
    elif remaining <= targets.due_soon_margin(deadline.target):
        state = BreachState.DUE_SOON
    else:
        state = BreachState.OK
    return DeadlineStatus(deadline=deadline, state=state, remaining=remaining)
