"""Objective, KPI and measurement operations. Each checks its business rules, flushes, writes its
audit event and never commits (the view or CLI command does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import diff_fields, record
from app.auth.models import Organization, User
from app.core.charts import with_unit
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.objectives.models import (
    MAX_OBJECTIVE_DEPTH,
    Direction,
    Frequency,
    Kpi,
    KpiMeasurement,
    PolicyObjective,
    PolicySourceType,
)
from app.objectives.queries import dependents_of
from app.portfolio.models import Initiative

LEVEL_NAMES = {1: "goal", 2: "objective", 3: "sub-objective", 4: "sub-objective"}


@dataclass
class InvalidField(DomainError):
    """A business rule refused one field's value; views show ``message`` next to ``field``."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class EditConflict(DomainError):
    """Someone saved the record after the editor opened it; the view shows both versions."""

    current: PolicyObjective | Kpi

    def __str__(self) -> str:
        kind = "objective" if isinstance(self.current, PolicyObjective) else "KPI"
        return (
            f"Someone else saved this {kind} while you were editing it. Your changes are kept in the form below; "
            "compare them with the saved values, then save again to keep yours."
        )


@dataclass(frozen=True)
class ObjectiveFields:
    code: str
    title: str
    description: str = ""
    policy_source_type: PolicySourceType = PolicySourceType.OTHER
    policy_source: str = ""
    owner: str = ""
    active_from: date | None = None
    active_to: date | None = None


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


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 50.0000 from the database and 50 from a form are the same value
    return value if value is None or isinstance(value, str | int) else str(value)


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """Dates, decimals and enums as plain text, so audit diffs read the same everywhere."""
    return {key: _plain(value) for key, value in values.items()}


def _audit(action: str, subject: PolicyObjective | Kpi, *, user: User, summary: str, changes: dict[str, Any]) -> None:
    object_type = "policy_objective" if isinstance(subject, PolicyObjective) else "kpi"
    record(
        action,
        actor_id=user.id,
        organization_id=subject.organization_id,
        object_type=object_type,
        object_id=subject.id,
        summary=summary,
        changes=changes,
    )


# --- objectives ------------------------------------------------------------------------------------


def _objective_values(objective: PolicyObjective) -> dict[str, Any]:
    return _audit_values({field: getattr(objective, field) for field in ObjectiveFields.__dataclass_fields__})


def _check_objective_fields(organization_id: int, fields: ObjectiveFields, *, exclude_id: int | None = None) -> None:
    if fields.active_from and fields.active_to and fields.active_to < fields.active_from:
        raise InvalidField("active_to", "The end of the active period must be on or after its start.")
    holder = db.session.scalar(
        db.select(PolicyObjective).where(
            PolicyObjective.organization_id == organization_id,
            func.lower(PolicyObjective.code) == fields.code.lower(),
            PolicyObjective.id != (exclude_id or 0),
        )
    )
    if holder is None:
        return
    if holder.deleted_at is not None:
        raise InvalidField(
            "code",
            f"Code {holder.code} was used by the deleted objective “{holder.title}”; codes stay reserved for the "
            "audit trail. Choose another code.",
        )
    raise InvalidField("code", f"Code {holder.code} is already used by “{holder.title}”. Choose another code.")


def _child_depth(parent: PolicyObjective | None, organization: Organization) -> int:
    if parent is None:
        return 1
    if parent.organization_id != organization.id or parent.deleted_at is not None:
        raise DomainError("An objective can only be added under a current objective of the same organization.")
    if parent.depth >= MAX_OBJECTIVE_DEPTH:
        raise DomainError(
            f"{parent.code} is already at level {MAX_OBJECTIVE_DEPTH}, the deepest level objectives can go. "
            f"Add the new objective under {parent.code}'s parent instead, or reorganise the goals above it."
        )
    return parent.depth + 1


def _next_position(organization_id: int, parent: PolicyObjective | None) -> int:
    siblings = db.select(func.count()).where(PolicyObjective.organization_id == organization_id)
    if parent is None:
        siblings = siblings.where(PolicyObjective.parent_id.is_(None))
    else:
        siblings = siblings.where(PolicyObjective.parent_id == parent.id)
    return (db.session.scalar(siblings) or 0) + 1


def create_objective(
    *, organization: Organization, user: User, fields: ObjectiveFields, parent: PolicyObjective | None = None
) -> PolicyObjective:
    """A goal (no parent) or an objective under ``parent``, at most MAX_OBJECTIVE_DEPTH levels deep."""
    if not user.can_edit_in(organization.id):
        raise PermissionDenied("You need the editor or administrator role to add objectives.")
    depth = _child_depth(parent, organization)
    _check_objective_fields(organization.id, fields)
    objective = PolicyObjective(
        organization_id=organization.id,
        parent=parent,
        depth=depth,
        position=_next_position(organization.id, parent),
        **{**asdict(fields), "policy_source_type": fields.policy_source_type.value},
    )
    db.session.add(objective)
    db.session.flush()
    _audit(
        "objective.create",
        objective,
        user=user,
        summary=f"Added {LEVEL_NAMES[depth]} {objective.code} “{objective.title}”",
        changes={**_objective_values(objective), "parent": parent.code if parent else None, "depth": depth},
    )
    return objective


def update_objective(
    objective: PolicyObjective, *, user: User, fields: ObjectiveFields, base_version: int
) -> PolicyObjective:
    """Save new values. Raises EditConflict when ``base_version`` is not the saved version."""
    if not objective.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role in this objective's organization.")
    if base_version != objective.version:
        raise EditConflict(current=objective)
    _check_objective_fields(objective.organization_id, fields, exclude_id=objective.id)
    before = _objective_values(objective)
    for name, value in asdict(fields).items():
        setattr(objective, name, value.value if isinstance(value, PolicySourceType) else value)
    after = _objective_values(objective)
    if before == after:
        return objective
    _flush_versioned(objective)
    _audit(
        "objective.update",
        objective,
        user=user,
        summary=f"Changed objective {objective.code} “{objective.title}”",
        changes=diff_fields(before, after),
    )
    return objective


def _flush_versioned(record_: PolicyObjective | Kpi) -> None:
    """Flush; a concurrent save that won the race between our version check and the write is a conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        current: PolicyObjective | Kpi | None = db.session.get(type(record_), record_.id)  # type: ignore[assignment]
        raise EditConflict(current=current or record_) from exc


def _uses_of(objective: PolicyObjective) -> list[str]:
    """Why the objective cannot go yet: its live children and KPIs, and the initiatives and plans citing it."""
    found = dependents_of(objective.id)
    uses = []
    if found.children:
        uses.append(f"it has {_count(len(found.children), 'objective')} under it ({', '.join(found.children)})")
    if found.kpis:
        uses.append(f"it has {_count(found.kpis, 'KPI')}")
    for cited_by, noun in ((found.initiatives, "initiative"), (found.plans, "plan")):
        if cited_by:
            uses.append(f"it is cited by {_count(len(cited_by), noun)} ({_names(cited_by, objective.organization_id)})")
    return uses


def _names(found: Sequence[tuple[str, int]], organization_id: int) -> str:
    """The names of the organization's own items; an agency's items citing its parent's objective are only counted."""
    own = [name for name, owner in found if owner == organization_id]
    others = len(found) - len(own)
    return ", ".join(own + ([f"{others} of other organizations"] if others else []))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def delete_objective(objective: PolicyObjective, *, user: User) -> PolicyObjective:
    """Soft delete; refused while anything still depends on the objective."""
    if not objective.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role in this objective's organization.")
    uses = _uses_of(objective)
    if uses:
        raise DomainError(
            f"{objective.code} cannot be deleted because {'; '.join(uses)}. Move, delete or unlink those first."
        )
    objective.deleted_at, objective.deleted_by_id = utcnow(), user.id
    db.session.flush()
    _audit(
        "objective.delete",
        objective,
        user=user,
        summary=f"Deleted objective {objective.code} “{objective.title}”",
        changes={"deleted": {"before": False, "after": True}},
    )
    return objective


# --- KPIs ------------------------------------------------------------------------------------------


def _kpi_values(kpi: Kpi) -> dict[str, Any]:
    return _audit_values({field: getattr(kpi, field) for field in KpiFields.__dataclass_fields__})


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
    _audit(
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
    if not kpi.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role in this KPI's organization.")
    if base_version != kpi.version:
        raise EditConflict(current=kpi)
    _check_kpi_fields(fields, first_measured_on=_first_measured_on(kpi))
    before = _kpi_values(kpi)
    for name, value in asdict(fields).items():
        setattr(kpi, name, value.value if isinstance(value, Direction | Frequency) else value)
    after = _kpi_values(kpi)
    if before == after:
        return kpi
    _flush_versioned(kpi)
    _audit("kpi.update", kpi, user=user, summary=f"Changed KPI “{kpi.name}”", changes=diff_fields(before, after))
    return kpi


def delete_kpi(kpi: Kpi, *, user: User) -> Kpi:
    """Soft delete: the KPI and its measurements leave every page but stay in the database."""
    if not kpi.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role in this KPI's organization.")
    kpi.deleted_at, kpi.deleted_by_id = utcnow(), user.id
    db.session.flush()
    _audit(
        "kpi.delete",
        kpi,
        user=user,
        summary=f"Deleted KPI “{kpi.name}”",
        changes={"deleted": {"before": False, "after": True}},
    )
    return kpi


def add_measurement(
    kpi: Kpi, *, user: User, measured_on: date, value: Decimal, note: str = "", today: date | None = None
) -> KpiMeasurement:
    """Record the KPI's value on a date: one per date, not before the baseline, not in the future."""
    if not kpi.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role in this KPI's organization.")
    _check_measurement_date(kpi, measured_on, today or utcnow().date())
    measurement = KpiMeasurement(kpi_id=kpi.id, measured_on=measured_on, value=value, note=note, entered_by_id=user.id)
    db.session.add(measurement)
    db.session.flush()
    _audit(
        "kpi.measurement",
        kpi,
        user=user,
        summary=f"Recorded {with_unit(value, kpi.unit)} on {measured_on.isoformat()} for KPI “{kpi.name}”",
        changes=_audit_values({"measured_on": measured_on, "value": value, "note": note or None}),
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
