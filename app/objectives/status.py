"""How a KPI is doing: on track, at risk, off track or no data; and whether it is stale.

Pure functions of the KPI's definition, its latest measurement and today's date: no database,
no clock. The same rule is written in plain language in ``RULE_IN_PLAIN_LANGUAGE`` and shown on
every KPI page, so the thresholds below are the only place to change it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from app.objectives.models import Direction, Frequency

ON_TRACK_TOLERANCE = Decimal("0.10")  # progress may trail time elapsed by up to 10 points
AT_RISK_TOLERANCE = Decimal("0.25")  # ...and by up to 25 points before the KPI is off track
ZERO, ONE = Decimal(0), Decimal(1)


class KpiStatus(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def tag_class(self) -> str:
        """USWDS colour classes; the tag always shows ``label`` too, never colour alone."""
        return _TAG_CLASSES[self]


_TAG_CLASSES = {
    KpiStatus.ON_TRACK: "bg-green",
    KpiStatus.AT_RISK: "bg-gold text-ink",
    KpiStatus.OFF_TRACK: "bg-secondary-dark",
    KpiStatus.NO_DATA: "bg-base-lighter text-ink",
}

# Worst first: the order summaries list statuses in.
STATUS_ORDER = (KpiStatus.OFF_TRACK, KpiStatus.AT_RISK, KpiStatus.ON_TRACK, KpiStatus.NO_DATA)


@dataclass(frozen=True)
class Reading:
    """One measurement: the day it describes and its value."""

    measured_on: date
    value: Decimal


class KpiDefinition(Protocol):
    """What the rule needs from a KPI (``app.objectives.models.Kpi`` has all of it)."""

    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal
    target_date: date
    direction: str
    frequency: str


@dataclass(frozen=True)
class Assessment:
    status: KpiStatus
    stale: bool
    latest: Reading | None
    progress: Decimal | None  # 0 at the baseline, 1 at the target; None before the first measurement
    time_elapsed: Decimal | None  # 0 on the baseline date, 1 on the target date

    @property
    def progress_percent(self) -> int | None:
        return None if self.progress is None else round(self.progress * 100)

    @property
    def time_elapsed_percent(self) -> int | None:
        return None if self.time_elapsed is None else round(self.time_elapsed * 100)


def target_met(*, target: Decimal, latest: Decimal, direction: Direction | str) -> bool:
    """The latest value is at the target or beyond it, on the better side."""
    if Direction(direction) is Direction.HIGHER:
        return latest >= target
    return latest <= target


def progress(*, baseline: Decimal, target: Decimal, latest: Decimal) -> Decimal | None:
    """(latest − baseline) / (target − baseline); None when the target equals the baseline.

    Works for "lower is better" unchanged: both differences are then negative.
    """
    span = target - baseline
    if span == 0:
        return None
    return (latest - baseline) / span


def time_elapsed(*, baseline_date: date, target_date: date, on: date) -> Decimal:
    """Share of the baseline-to-target period that has passed on ``on``, clamped to 0..1."""
    span = (target_date - baseline_date).days
    if span <= 0:
        return ONE  # a target due on (or before) its baseline date is due now
    share = Decimal((on - baseline_date).days) / Decimal(span)
    return min(ONE, max(ZERO, share))


def status_for(kpi: KpiDefinition, latest: Reading | None) -> KpiStatus:
    """Compare progress with time elapsed at the latest measurement (see ``RULE_IN_PLAIN_LANGUAGE``)."""
    if latest is None:
        return KpiStatus.NO_DATA
    if target_met(target=kpi.target_value, latest=latest.value, direction=kpi.direction):
        return KpiStatus.ON_TRACK
    moved = progress(baseline=kpi.baseline_value, target=kpi.target_value, latest=latest.value)
    if moved is None:  # target equals baseline ("hold the line") and the value slipped from it
        return KpiStatus.OFF_TRACK
    elapsed = time_elapsed(baseline_date=kpi.baseline_date, target_date=kpi.target_date, on=latest.measured_on)
    if moved >= elapsed - ON_TRACK_TOLERANCE:
        return KpiStatus.ON_TRACK
    if moved >= elapsed - AT_RISK_TOLERANCE:
        return KpiStatus.AT_RISK
    return KpiStatus.OFF_TRACK


def current_since(frequency: Frequency | str, today: date) -> date:
    """The oldest day a KPI of this frequency may have last been measured on (or have its baseline) and not be stale.

    Queries compare each KPI's latest measurement with this day, so the rule stays here.
    """
    return today - timedelta(days=Frequency(frequency).days)


def is_stale(kpi: KpiDefinition, latest_date: date | None, today: date) -> bool:
    """No measurement for longer than the KPI's frequency allows (counted from the baseline before the first)."""
    since = latest_date if latest_date is not None else kpi.baseline_date
    return since < current_since(kpi.frequency, today)


def assess(kpi: KpiDefinition, latest: Reading | None, *, today: date) -> Assessment:
    """Status, staleness and the two numbers behind the status, for display."""
    moved = elapsed = None
    if latest is not None:
        moved = progress(baseline=kpi.baseline_value, target=kpi.target_value, latest=latest.value)
        elapsed = time_elapsed(baseline_date=kpi.baseline_date, target_date=kpi.target_date, on=latest.measured_on)
    return Assessment(
        status=status_for(kpi, latest),
        stale=is_stale(kpi, latest.measured_on if latest else None, today),
        latest=latest,
        progress=moved,
        time_elapsed=elapsed,
    )


def _points(fraction: Decimal) -> int:
    return int(fraction * 100)


RULE_IN_PLAIN_LANGUAGE: tuple[str, ...] = (
    "Progress is how far the latest measurement has moved from the baseline towards the target: "
    "0% at the baseline, 100% at the target. Time elapsed is how much of the time from the baseline date "
    "to the target date had passed on the date of that measurement.",
    f"On track: the target is already met, or progress is at most {_points(ON_TRACK_TOLERANCE)} percentage "
    "points behind time elapsed.",
    f"At risk: progress is more than {_points(ON_TRACK_TOLERANCE)} and at most {_points(AT_RISK_TOLERANCE)} "
    "percentage points behind time elapsed.",
    f"Off track: progress is more than {_points(AT_RISK_TOLERANCE)} percentage points behind time elapsed, "
    "or the target is the same as the baseline and the latest measurement is on the wrong side of it.",
    "No data: nothing has been measured yet.",
    f"Stale: the latest measurement (or, before the first one, the baseline date) is older than the KPI's "
    f"frequency allows — {Frequency.MONTHLY.days} days for monthly, {Frequency.QUARTERLY.days} days for quarterly "
    f"and {Frequency.ANNUALLY.days} days for annual measures.",
)
