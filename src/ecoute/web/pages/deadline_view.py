"""First-response timers on the inbox rows and the conversation page: the state (ok, due soon,
breached) and the business time left, right as rendered, with what ``keep_time.js`` needs to count
down live: the seconds left at render time and the business stretch now running or next.

Business time only runs inside opening hours, so the page says when the clock runs: the script
counts down inside that stretch only and stands still outside it (a reload computes afresh).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time, get_datetime_format
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ecoute.keep_time.clock import business_pieces
from ecoute.keep_time.deadlines import KeepTime, page_deadlines
from ecoute.keep_time.targets import DeadlineStatus
from ecoute.store.models import Workspace
from ecoute.store.types import utcnow
from ecoute.web.i18n import Translator, babel_locale
from ecoute.web.pages.desk_icons import icon


def current_time() -> datetime:
    """The moment pages judge deadlines at (one place, so tests can fix it)."""
    return utcnow()


@dataclass(frozen=True)
class Timer:
    """One conversation's first-response deadline as the page shows it."""

    state: str  # ok, due_soon, breached
    remaining_seconds: int  # business seconds left at render time; negative once breached
    soon_seconds: int  # "due soon" from this many business seconds left
    due_at: datetime
    text: str  # "reste 2 h 10" / "2 h 10 left", "en retard de 15 min" / "overdue by 15 min"
    when: str  # when it is due: "lun. 19 oct., 09:30"
    title: str  # the same in a sentence, and whether the clock stands still now


@dataclass(frozen=True)
class Timers:
    """The page's timers by conversation id, and the business stretch running now or next,
    in seconds from render time (``open_from`` ≤ 0 while open)."""

    by_id: dict[int, Timer]
    running: bool
    open_from: int
    open_until: int

    def get(self, conversation_id: int) -> Timer | None:
        return self.by_id.get(conversation_id)


def duration_text(i18n: Translator, seconds: float) -> str:
    """Business time in minutes, rounded up (a started minute counts): "15 min", "2 h 10", "27 h"."""
    return _duration_text(i18n.locale, _minutes(seconds))


def _minutes(seconds: float) -> int:
    """Whole minutes, a started one counting, at least one."""
    return max(1, math.ceil(abs(seconds) / 60))


@lru_cache(maxsize=8192)
def _duration_text(locale: str, minutes: int) -> str:
    # Every row of a page writes one (Babel formats the numbers): the same few durations, in the
    # same language, are written once per process. The words depend on the language alone.
    i18n = Translator(locale)
    if minutes < 60:
        return i18n.t("kt.minutes", n=i18n.number(minutes))
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return i18n.t("kt.hours", h=i18n.number(hours))
    return i18n.t("kt.hours_minutes", h=i18n.number(hours), m=f"{rest:02d}")


def when_text(i18n: Translator, value: datetime) -> str:
    """A deadline's moment, weekday first and no seconds: "Mon, Oct 19, 9:30 AM" / "lun. 19 oct., 09:30"."""
    return _when_text(i18n.locale, i18n.timezone, value)


@lru_cache(maxsize=8192)
def _when_text(locale: str, timezone: str, value: datetime) -> str:
    # A deadline stays put while its page is reloaded: each is formatted once per language and zone.
    language = babel_locale(locale)
    local = value.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=language)
    hour = format_time(local, "short", locale=language)
    return get_datetime_format("medium", locale=language).replace("{1}", day).replace("{0}", hour)


def left_text(i18n: Translator, seconds: float) -> str:
    return _left_text(i18n.locale, seconds > 0, _minutes(seconds))


@lru_cache(maxsize=8192)
def _left_text(locale: str, ahead: bool, minutes: int) -> str:
    # "2 h 10 left" changes once a minute: written once per language and minute, not once per row.
    i18n = Translator(locale)
    return i18n.t("kt.left" if ahead else "kt.overdue", time=_duration_text(locale, minutes))


@lru_cache(maxsize=8192)
def _due_words(locale: str, timezone: str, due_at: datetime, running: bool) -> tuple[str, str]:
    """When a deadline falls, and the badge's title saying so (and whether the clock stands still)."""
    i18n = Translator(locale, timezone)
    when = when_text(i18n, due_at)
    title = i18n.t("kt.due", when=when)
    if not running:
        title += " · " + i18n.t("kt.paused")
    return when, title


def timer(i18n: Translator, status: DeadlineStatus, keep_time: KeepTime, running: bool) -> Timer:
    remaining = int(status.remaining.total_seconds())
    target = status.deadline.target
    margin = keep_time.config.response_targets.due_soon_margin(target)
    when, title = _due_words(i18n.locale, i18n.timezone, status.due_at, running)
    return Timer(
        state=status.state.value,
        remaining_seconds=remaining,
        soon_seconds=int(margin.total_seconds()),
        due_at=status.due_at,
        text=left_text(i18n, remaining),
        when=when,
        title=title,
    )


def page_timers(
    session: Session, workspace: Workspace, conversation_ids: Sequence[int], i18n: Translator, now: datetime
) -> Timers:
    """The timers of the page's conversations only: one query for their ids, whatever the workspace holds."""
    keep_time = KeepTime.of(workspace)
    start, end = next(business_pieces(keep_time.calendar, now))
    running = start <= now
    statuses = page_deadlines(session, workspace, conversation_ids, now, keep_time)
    return Timers(
        by_id={cid: timer(i18n, status, keep_time, running) for cid, status in statuses.items()},
        running=running,
        open_from=math.floor((start - now).total_seconds()),
        open_until=math.floor((end - now).total_seconds()),
    )


def badge(i18n: Translator, timer: Timer, running: bool) -> Markup:
    """A timer as the pages show it (``kt.badge`` in templates): state, time left, when it is due."""
    head, tail = _badge_parts(i18n.locale, timer.state, running, timer.title, timer.text)
    return Markup(
        f'{head}data-remaining="{timer.remaining_seconds:d}" data-soon="{timer.soon_seconds:d}" '
        f'data-due="{timer.due_at.isoformat()}" {tail}'
    )


@lru_cache(maxsize=8192)
def _badge_parts(locale: str, state: str, running: bool, title: str, text: str) -> tuple[str, str]:
    # All but the seconds left (which change every second) is the same for a whole minute on every
    # row due at the same moment: escaped and translated once.
    paused = "" if running else " paused"
    words = escape(Translator(locale).t("kt.state." + state))
    head = f'<span class="deadline k-{escape(state)}{paused}" data-deadline '
    tail = (
        f'title="{escape(title)}">{icon("clock")}'
        f'<span class="visually-hidden" data-deadline-state>{words} · </span>\n  '
        f"<span data-deadline-left>{escape(text)}</span>\n</span>"
    )
    return head, tail
