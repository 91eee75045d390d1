"""A workspace's time-keeping settings: business hours, holidays, response targets and breach alerts.

They live in ``Workspace.settings["keep_time"]`` as JSON, validated by ``KeepTimeConfig``; anything
left out takes the default (Monday to Friday 9:00–18:00, no holidays; 1 h at priority ≥ 80, 4 h at
≥ 50, one business day of the default hours — 9 h — below). The time zone is the workspace's own
``timezone`` column, never a second copy here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.orm import Session

from ecoute.store.models import Workspace
from ecoute.store.repo import Invalid, store_setting

SETTINGS_KEY = "keep_time"
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_WORKDAY = ["09:00-18:00"]


def parse_interval(text: str) -> tuple[int, int]:
    """``"09:00-12:30"`` → minutes since midnight ``(540, 750)``; ``24:00`` may end a day."""
    match = _INTERVAL_RE.match(text)
    if not match:
        raise ValueError(f"{text!r}: write an interval as HH:MM-HH:MM, e.g. 09:00-12:30")
    sh, sm, eh, em = (int(g) for g in match.groups())
    start, end = sh * 60 + sm, eh * 60 + em
    if sm > 59 or em > 59 or start >= 1440 or end > 1440:
        raise ValueError(f"{text!r}: times run from 00:00 to 24:00")
    if start >= end:
        raise ValueError(f"{text!r}: the interval must end after it starts (same day)")
    return start, end


def format_interval(interval: tuple[int, int]) -> str:
    (sh, sm), (eh, em) = divmod(interval[0], 60), divmod(interval[1], 60)
    return f"{sh:02d}:{sm:02d}-{eh:02d}:{em:02d}"


def _default_week() -> dict[Day, list[str]]:
    return {d: list(_WORKDAY) if d not in ("sat", "sun") else [] for d in DAYS}


class BusinessHoursConfig(BaseModel):
    """Opening hours per weekday (several intervals allowed, none means a day off) and holidays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    week: dict[Day, list[str]] = Field(
        default_factory=lambda: _default_week(),
        description='Intervals per day, e.g. {"mon": ["09:00-12:00", "14:00-18:00"], "sat": []}.',
    )
    holidays: list[date] = Field(default_factory=list, description="Closed dates (YYYY-MM-DD).")
    public_holidays: str | None = Field(
        None,
        description="Also close on a country's public holidays, e.g. FR or DE-BY "
        "(needs the optional 'holidays' package).",
    )

    @field_validator("week")
    @classmethod
    def _check_week(cls, week: dict[Day, list[str]]) -> dict[Day, list[str]]:
        normalised: dict[Day, list[str]] = {}
        for day in DAYS:
            intervals = sorted(parse_interval(text) for text in week.get(day, []))
            for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
                if start < end:
                    raise ValueError(f"{day}: intervals overlap")
            normalised[day] = [format_interval(i) for i in intervals]
        if not any(normalised.values()):
            raise ValueError("at least one day needs opening hours")
        return normalised

    @field_validator("holidays")
    @classmethod
    def _sorted_holidays(cls, holidays: list[date]) -> list[date]:
        return sorted(set(holidays))

    @field_validator("public_holidays")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from ecoute.keep_time.public_holidays import check_region

        return check_region(value)

    def intervals(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Minutes since midnight per weekday, Monday first."""
        return tuple(tuple(parse_interval(t) for t in self.week[d]) for d in DAYS)


class TargetBand(BaseModel):
    """Conversations at or above ``min_priority`` should get a first answer within ``minutes``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_priority: int = Field(ge=0, le=100)
    minutes: int = Field(gt=0, le=60 * 24 * 30, description="Business minutes.")


_DEFAULT_BANDS = [
    TargetBand(min_priority=80, minutes=60),
    TargetBand(min_priority=50, minutes=240),
    TargetBand(min_priority=0, minutes=540),
]


class ResponseTargets(BaseModel):
    """First-response targets per priority band, in business time; the highest matching band wins."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bands: list[TargetBand] = Field(default_factory=lambda: list(_DEFAULT_BANDS))
    due_soon_fraction: float = Field(
        0.25, gt=0, lt=1, description="'Due soon' once this share of the target is left."
    )

    @field_validator("bands")
    @classmethod
    def _check_bands(cls, bands: list[TargetBand]) -> list[TargetBand]:
        ordered = sorted(bands, key=lambda b: -b.min_priority)
        floors = [b.min_priority for b in ordered]
        if len(set(floors)) != len(floors):
            raise ValueError("two bands start at the same priority")
        if not ordered or ordered[-1].min_priority != 0:
            raise ValueError("one band must start at priority 0, so every conversation has a target")
        return ordered

    def target_for(self, priority: int | None) -> timedelta:
        value = priority or 0
        band = next(b for b in self.bands if value >= b.min_priority)
        return timedelta(minutes=band.minutes)

    def due_soon_margin(self, target: timedelta) -> timedelta:
        return target * self.due_soon_fraction


class BreachAlerts(BaseModel):
    """Who hears when a conversation at or above ``min_priority`` is about to miss its target."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_priority: int = Field(80, ge=0, le=100)
    emails: list[str] = Field(default_factory=list, description="E-mail addresses (SMTP settings).")
    webhooks: bool = Field(True, description="Queue conversation.breach_soon for the webhooks.")

    @field_validator("emails")
    @classmethod
    def _check_emails(cls, emails: list[str]) -> list[str]:
        for address in emails:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return emails


class KeepTimeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    business_hours: BusinessHoursConfig = Field(default_factory=BusinessHoursConfig)
    response_targets: ResponseTargets = Field(default_factory=ResponseTargets)
    breach_alerts: BreachAlerts = Field(default_factory=BreachAlerts)

    @model_validator(mode="before")
    @classmethod
    def _none_is_default(cls, data: Any) -> Any:
        return {} if data is None else data


def parse_config(data: Any) -> KeepTimeConfig:
    """Validate ``data``; a bad value raises ``Invalid`` naming the field."""
    try:
        return KeepTimeConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "keep_time"
        raise Invalid(f"{where}: {first['msg']}") from None


def load_config(workspace: Workspace) -> KeepTimeConfig:
    return parse_config((workspace.settings or {}).get(SETTINGS_KEY))


def save_config(session: Session, workspace: Workspace, data: Any, *, actor: str) -> KeepTimeConfig:
    """Validate and store; audited as ``workspace.keep_time`` with the settings before and after."""
    config = parse_config(data)
    after = config.model_dump(mode="json")
    store_setting(session, workspace, SETTINGS_KEY, after, actor=actor, action="workspace.keep_time")
    return config
