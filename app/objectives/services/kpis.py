"""KPIs on an objective or an initiative, and their measurements."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func

from app.audit.services import diff_fields
from app.auth.models import Organization, User
from app.core.charts import with_unit
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.objectives.models import Direction, Frequency, Kpi, KpiMeasurement, PolicyObjective
from app.objectives.services.shared import (
    EditConflict,
    InvalidField,
    audit,
    audit_values,
    ensure_can_edit,
    flush_versioned,
    soft_delete,
)
from app.portfolio.models import Initiative


@dataclass(frozen=True)
class KpiFields:
    name: str
    unit: str
    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal
    target_date: date
    direction: Direction = Direction.HIGHER
    frequency: Frequency = Frequency.QUARTERLY
    description: str = ""
    owner: str = ""


def _kpi_values(kpi: Kpi) -> dict[str, Any]:
    return audit_values({field: getattr(kpi, field) for field in KpiFields.__dataclass_fields__})


def _check_kpi_fields(fields: KpiFields, *, first_measured_on: date | None = None) -> None:
    if fields.target_date <= fields.baseline_date:
        raise InvalidField("target_date", "The target date must be after the baseline date.")
    higher = fields.direction is Direction.HIGHER
    if (fields.target_value < fields.baseline_value) if higher else (fields.target_value > fields.baseline_value):
        better, side, other = ("Higher", "above", "Lower") if higher else ("Lower", "below", "Higher")
        raise InvalidField(
            "target_value",
            f"{better} is better for this KPI, so the target must be at or {side} the baseline. "
            f"Change the target, or choose “{other} is better”.",
        )
    if first_measured_on is not None and fields.baseline_date > first_measured_on:
        raise InvalidField(
            "baseline_date",
            f"The first measurement is dated {first_measured_on.isoformat()}; the baseline date must be on or "
            "before it.",
        )


def _kpi_subject(
    organization: Organization, objective: PolicyObjective | None, initiative: Initiative | None
) -> tuple[str, str]:
    """("objective"|"initiative", its code), after checking there is exactly one live subject in the organization."""
    if (objective is None) == (initiative is None):
        raise ValueError("a KPI measures exactly one objective or one initiative")
    subject: PolicyObjective | Initiative = objective or initiative  # type: ignore[assignment]
    if subject.organization_id != organization.id or subject.deleted_at is not None:
        raise DomainError("A KPI can only be added to a current objective or initiative of the same organization.")
    return ("objective" if objective is not None else "initiative"), subject.code


def create_kpi(
    *,
    organization: Organization,
    user: User,
    fields: KpiFields,
    objective: PolicyObjective | None = None,
    initiative: Initiative | None = None,
) -> Kpi:
    """A KPI on an objective or on an initiative (exactly one of the two)."""
    if not user.can_edit_in(organization.id):
        raise PermissionDenied("You need the editor or administrator role to add KPIs.")
    kind, code = _kpi_subject(organization, objective, initiative)
    _check_kpi_fields(fields)
    kpi = Kpi(
        organization_id=organization.id,
        objective_id=objective.id if objective else None,
        initiative_id=initiative.id if initiative else None,
        **{**asdict(fields), "direction": fields.direction.value, "frequency": fields.frequency.value},
    )
    db.session.add(kpi)
    db.session.flush()
    audit(
        "kpi.create",
        kpi,
        user=user,
        summary=f"Added KPI “{kpi.name}” to {kind} {code}",
        changes={**_kpi_values(kpi), kind: code},
    )
    return kpi


def _first_measured_on(kpi: Kpi) -> date | None:
    return db.session.scalar(db.select(func.min(KpiMeasurement.measured_on)).where(KpiMeasurement.kpi_id == kpi.id))


def update_kpi(kpi: Kpi, *, user: User, fields: KpiFields, base_version: int) -> Kpi:
    """Save new values. Raises EditConflict when ``base_version`` is not the saved version."""
    ensure_can_edit(kpi, user)
    if base_version != kpi.version:
        raise EditConflict(current=kpi)
    _check_kpi_fields(fields, first_measured_on=_first_measured_on(kpi))
    before = _kpi_values(kpi)
    for name, value in asdict(fields).items():
        setattr(kpi, name, value.value if isinstance(value, Direction | Frequency) else value)
    after = _kpi_values(kpi)
    if before == after:
        return kpi
    flush_versioned(kpi)
    audit("kpi.update", kpi, user=user, summary=f"Changed KPI “{kpi.name}”", changes=diff_fields(before, after))
    return kpi


def delete_kpi(kpi: Kpi, *, user: User) -> Kpi:
    """Soft delete: the KPI and its measurements leave every page but stay in the database."""
    ensure_can_edit(kpi, user)
    soft_delete(kpi, user=user, action="kpi.delete", summary=f"Deleted KPI “{kpi.name}”")
    return kpi


def add_measurement(
    kpi: Kpi, *, user: User, measured_on: date, value: Decimal, note: str = "", today: date | None = None
) -> KpiMeasurement:
    """Record the KPI's value on a date: one per date, not before the baseline, not in the future."""
    ensure_can_edit(kpi, user)
    _check_measurement_date(kpi, measured_on, today or utcnow().date())
    measurement = KpiMeasurement(kpi_id=kpi.id, measured_on=measured_on, value=value, note=note, entered_by_id=user.id)
    db.session.add(measurement)
    db.session.flush()
    audit(
        "kpi.measurement",
        kpi,
        user=user,
        summary=f"Recorded {with_unit(value, kpi.unit)} on {measured_on.isoformat()} for KPI “{kpi.name}”",
        changes=audit_values({"measured_on": measured_on, "value": value, "note": note or None}),
    )
    return measurement


def _check_measurement_date(kpi: Kpi, measured_on: date, today: date) -> None:
    if measured_on < kpi.baseline_date:
        message = f"The baseline date is {kpi.baseline_date.isoformat()}; enter a date on or after it."
        raise InvalidField("measured_on", message)
    if measured_on > today:
        raise InvalidField("measured_on", "A measurement cannot be dated in the future. Enter the date it describes.")
    existing = db.session.scalar(
        db.select(KpiMeasurement).where(KpiMeasurement.kpi_id == kpi.id, KpiMeasurement.measured_on == measured_on)
    )
    if existing is not None:
        raise InvalidField(
            "measured_on",
            f"There is already a measurement for {measured_on.isoformat()} "
            f"(value {with_unit(existing.value, kpi.unit)}). Each date holds one measurement: choose another date.",
        )
