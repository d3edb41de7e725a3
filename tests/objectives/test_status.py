"""The KPI status rule, as pure functions: every threshold, both directions, and the guards."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.objectives.models import Direction, Frequency
from app.objectives.status import (
    RULE_IN_PLAIN_LANGUAGE,
    KpiStatus,
    Reading,
    assess,
    current_since,
    is_stale,
    progress,
    status_for,
    target_met,
    time_elapsed,
)

BASELINE_DAY = date(2025, 1, 1)
TARGET_DAY = date(2027, 1, 1)  # 730 days later
HALFWAY = BASELINE_DAY + timedelta(days=365)  # time elapsed exactly 0.5

ON, RISK, OFF, NONE = KpiStatus.ON_TRACK, KpiStatus.AT_RISK, KpiStatus.OFF_TRACK, KpiStatus.NO_DATA


@dataclass(frozen=True)
class Definition:
    baseline_value: Decimal = Decimal("40")
    baseline_date: date = BASELINE_DAY
    target_value: Decimal = Decimal("80")
    target_date: date = TARGET_DAY
    direction: str = Direction.HIGHER.value
    frequency: str = Frequency.QUARTERLY.value


HIGHER = Definition()  # 40% → 80%: each point of progress is 0.4 of a unit
LOWER = Definition(  # 30 days → 10 days: each point of progress is 0.2 of a day
    baseline_value=Decimal("30"), target_value=Decimal("10"), direction=Direction.LOWER.value
)


def status_at(kpi: Definition, value: str, on: date = HALFWAY) -> KpiStatus:
    return status_for(kpi, Reading(on, Decimal(value)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("60", ON, id="progress equals time elapsed"),
        pytest.param("56", ON, id="10 points behind: still on track"),
        pytest.param("55.96", RISK, id="just over 10 points behind"),
        pytest.param("50", RISK, id="25 points behind: still at risk"),
        pytest.param("49.96", OFF, id="just over 25 points behind"),
        pytest.param("30", OFF, id="moved away from the target"),
        pytest.param("79.99", ON, id="ahead of time"),
        pytest.param("80", ON, id="target met"),
        pytest.param("95", ON, id="target beaten"),
    ],
)
def test_higher_is_better_halfway_through(value, expected):
    assert status_at(HIGHER, value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("20", ON, id="progress equals time elapsed"),
        pytest.param("22", ON, id="10 points behind: still on track"),
        pytest.param("22.01", RISK, id="just over 10 points behind"),
        pytest.param("25", RISK, id="25 points behind: still at risk"),
        pytest.param("25.01", OFF, id="just over 25 points behind"),
        pytest.param("35", OFF, id="got worse than the baseline"),
        pytest.param("10", ON, id="target met"),
        pytest.param("4", ON, id="target beaten"),
    ],
)
def test_lower_is_better_uses_the_same_formula(value, expected):
    assert status_at(LOWER, value) is expected


def test_no_measurement_is_no_data():
    assert status_for(HIGHER, None) is NONE
    assert assess(HIGHER, None, today=HALFWAY).status is NONE


def test_a_target_met_early_is_on_track_even_with_no_time_elapsed():
    assert status_at(HIGHER, "80", on=BASELINE_DAY) is ON
    assert status_at(LOWER, "10", on=BASELINE_DAY) is ON


@pytest.mark.parametrize(("value", "expected"), [("40", ON), ("36", ON), ("35.9", RISK), ("29.9", OFF)])
def test_on_the_baseline_date_small_slips_are_tolerated(value, expected):
    assert status_at(HIGHER, value, on=BASELINE_DAY) is expected


def test_a_measurement_before_the_baseline_date_counts_as_no_time_elapsed():
    before = BASELINE_DAY - timedelta(days=40)
    assert time_elapsed(baseline_date=BASELINE_DAY, target_date=TARGET_DAY, on=before) == 0
    assert status_at(HIGHER, "40", on=before) is ON
    assert status_at(HIGHER, "35.9", on=before) is RISK


def test_after_the_target_date_time_elapsed_stays_at_one():
    late = TARGET_DAY + timedelta(days=200)
    assert time_elapsed(baseline_date=BASELINE_DAY, target_date=TARGET_DAY, on=late) == 1
    assert status_at(HIGHER, "76", on=late) is ON
    assert status_at(HIGHER, "70", on=late) is RISK
    assert status_at(HIGHER, "69.9", on=late) is OFF


def test_time_elapsed_is_a_share_of_the_period():
    assert time_elapsed(baseline_date=BASELINE_DAY, target_date=TARGET_DAY, on=HALFWAY) == Decimal("0.5")
    assert time_elapsed(baseline_date=BASELINE_DAY, target_date=TARGET_DAY, on=BASELINE_DAY) == 0


@pytest.mark.parametrize("target_day", [BASELINE_DAY, BASELINE_DAY - timedelta(days=1)], ids=["same day", "before"])
def test_a_period_of_zero_days_does_not_divide_by_zero(target_day):
    assert time_elapsed(baseline_date=BASELINE_DAY, target_date=target_day, on=BASELINE_DAY) == 1
    kpi = replace(HIGHER, target_date=target_day)
    assert status_at(kpi, "80", on=BASELINE_DAY) is ON
    assert status_at(kpi, "76", on=BASELINE_DAY) is ON  # 90% progress with 100% elapsed: 10 points behind
    assert status_at(kpi, "75", on=BASELINE_DAY) is RISK
    assert status_at(kpi, "60", on=BASELINE_DAY) is OFF


def test_a_target_equal_to_the_baseline_does_not_divide_by_zero():
    hold = replace(HIGHER, target_value=Decimal("40"))
    assert progress(baseline=Decimal("40"), target=Decimal("40"), latest=Decimal("39")) is None
    assert status_at(hold, "40") is ON
    assert status_at(hold, "41") is ON
    assert status_at(hold, "39.5") is OFF
    assert assess(hold, Reading(HALFWAY, Decimal("39.5")), today=HALFWAY).progress is None


def test_progress_is_the_share_of_the_distance_to_the_target():
    assert progress(baseline=Decimal("40"), target=Decimal("80"), latest=Decimal("50")) == Decimal("0.25")
    assert progress(baseline=Decimal("30"), target=Decimal("10"), latest=Decimal("25")) == Decimal("0.25")
    assert progress(baseline=Decimal("40"), target=Decimal("80"), latest=Decimal("30")) == Decimal("-0.25")


@pytest.mark.parametrize(
    ("direction", "latest", "met"),
    [("higher", "80", True), ("higher", "79.99", False), ("lower", "10", True), ("lower", "10.01", False)],
)
def test_target_met_depends_on_the_direction(direction, latest, met):
    target = Decimal("80") if direction == "higher" else Decimal("10")
    assert target_met(target=target, latest=Decimal(latest), direction=direction) is met


@given(
    low=st.decimals(min_value=-1000, max_value=1000, places=2),
    rise=st.decimals(min_value=0, max_value=500, places=2),
    day=st.integers(min_value=-100, max_value=900),
)
def test_a_better_value_never_gives_a_worse_status(low, rise, day):
    rank = {OFF: 0, RISK: 1, ON: 2}
    on = BASELINE_DAY + timedelta(days=day)
    assert rank[status_at(HIGHER, str(low + rise), on)] >= rank[status_at(HIGHER, str(low), on)]
    assert rank[status_at(LOWER, str(low), on)] >= rank[status_at(LOWER, str(low + rise), on)]


@given(value=st.decimals(min_value=-1000, max_value=1000, places=2), day=st.integers(min_value=-100, max_value=900))
def test_lower_is_better_mirrors_higher_is_better(value, day):
    """Negating every value turns a "lower is better" KPI into the same "higher is better" one."""
    on = BASELINE_DAY + timedelta(days=day)
    mirrored = replace(LOWER, baseline_value=Decimal(-30), target_value=Decimal(-10), direction="higher")
    assert status_at(LOWER, str(value), on) is status_at(mirrored, str(-value), on)


# --- staleness ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "allowed"), [(Frequency.MONTHLY, 31), (Frequency.QUARTERLY, 92), (Frequency.ANNUALLY, 366)]
)
def test_stale_once_older_than_the_frequency_allows(frequency, allowed):
    kpi = replace(HIGHER, frequency=frequency.value)
    measured = date(2025, 6, 30)
    assert not is_stale(kpi, measured, measured + timedelta(days=allowed))
    assert is_stale(kpi, measured, measured + timedelta(days=allowed + 1))


@pytest.mark.parametrize("frequency", list(Frequency))
def test_current_since_is_the_oldest_day_that_is_not_stale(frequency):
    """Queries compare the latest measurement with current_since; it must agree with is_stale to the day."""
    today = date(2027, 3, 1)
    kpi = replace(HIGHER, frequency=frequency.value)
    oldest = current_since(frequency, today)
    assert oldest == today - timedelta(days=frequency.days)
    assert current_since(frequency.value, today) == oldest
    assert not is_stale(kpi, oldest, today)
    assert is_stale(kpi, oldest - timedelta(days=1), today)


def test_before_the_first_measurement_staleness_counts_from_the_baseline_date():
    assert not is_stale(HIGHER, None, BASELINE_DAY + timedelta(days=92))
    assert is_stale(HIGHER, None, BASELINE_DAY + timedelta(days=93))


def test_a_measurement_today_or_later_is_not_stale():
    assert not is_stale(HIGHER, HALFWAY, HALFWAY)
    assert not is_stale(HIGHER, HALFWAY, HALFWAY - timedelta(days=10))


def test_staleness_uses_the_latest_measurement_not_the_baseline():
    today = BASELINE_DAY + timedelta(days=400)
    latest = Reading(today - timedelta(days=10), Decimal("60"))
    assert assess(HIGHER, latest, today=today).stale is False
    assert assess(HIGHER, None, today=today).stale is True


def test_assessment_exposes_the_numbers_behind_the_status():
    found = assess(HIGHER, Reading(HALFWAY, Decimal("52")), today=HALFWAY)
    assert (found.status, found.progress_percent, found.time_elapsed_percent) == (RISK, 30, 50)
    assert found.latest == Reading(HALFWAY, Decimal("52"))
    assert assess(HIGHER, None, today=HALFWAY).progress_percent is None


def test_the_plain_language_rule_states_the_thresholds_and_stale_periods():
    text = " ".join(RULE_IN_PLAIN_LANGUAGE)
    for phrase in ("at most 10 percentage points", "more than 25 percentage points", "31 days", "92 days", "366"):
        assert phrase in text
    assert "target is already met" in text


def test_status_words_and_colours_never_rely_on_colour_alone():
    assert {s.label for s in KpiStatus} == {"On track", "At risk", "Off track", "No data"}
    assert ON.tag_class == "bg-green" and RISK.tag_class == "bg-gold text-ink"
    assert OFF.tag_class == "bg-secondary-dark" and "bg-base" in NONE.tag_class
