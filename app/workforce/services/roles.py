"""Job roles and their capacity by fiscal year (filled FTE, vacancies, attrition, required FTE)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from sqlalchemy import func

from app.auth.models import Organization, User
from app.extensions import db
from app.workforce.common import FieldError, apply, fte_problem, values_of
from app.workforce.models import ZERO, InitiativeFteNeed, JobRole, RoleCapacity
from app.workforce.services.shared import Catalogue, _create_named, _ensure_editor, _record, _update_named


@dataclass(frozen=True)
class RoleFields:
    name: str
    family: str = ""
    description: str = ""


@dataclass(frozen=True)
class CapacityFields:
    fiscal_year: int
    current_fte: Decimal = ZERO
    vacancies: Decimal = ZERO
    attrition: Decimal = ZERO
    required_fte: Decimal = ZERO


ROLE_FIELDS = tuple(RoleFields.__dataclass_fields__)
CAPACITY_FIELDS = tuple(CapacityFields.__dataclass_fields__)


_ROLES = Catalogue(
    model=JobRole,
    noun="role",
    event="job_role",
    taken="There is already a role called “{name}”. Choose another name, or change that role.",
    columns=ROLE_FIELDS,
)


def create_role(*, organization: Organization, user: User, fields: RoleFields) -> JobRole:
    """A new job role (or family of roles) of the organization."""
    return _create_named(_ROLES, organization=organization, user=user, values=asdict(fields))


def update_role(role: JobRole, *, user: User, fields: RoleFields, base_version: int) -> bool:
    """Save the edited role; False when nothing changed. EditConflict when the form is stale."""
    return _update_named(_ROLES, role, user=user, values=asdict(fields), base_version=base_version)


def delete_role(role: JobRole, *, user: User) -> None:
    """Delete the role with its capacity figures, skill gaps and the initiatives' FTE needs of it.

    Actions aimed at the role stay, no longer tied to it. The audit event counts what went with it.
    """
    _ensure_editor(role.organization_id, user)
    needs = db.session.scalar(db.select(func.count()).where(InitiativeFteNeed.role_id == role.id)) or 0
    changes = {
        **values_of(role, ROLE_FIELDS),
        "capacity_years": [c.fiscal_year for c in role.capacities],
        "skill_gaps": len(role.gaps),
        "initiative_fte_needs": needs,
    }
    db.session.execute(db.delete(InitiativeFteNeed).where(InitiativeFteNeed.role_id == role.id))
    db.session.delete(role)
    db.session.flush()
    _record(role, user, "job_role.delete", f"Deleted the role “{role.name}”", changes)


def _check_capacity(role: JobRole, fields: CapacityFields, current_id: int | None) -> None:
    if not 2000 <= fields.fiscal_year <= 2100:
        raise FieldError("fiscal_year", "Enter a fiscal year between 2000 and 2100.")
    for name in CAPACITY_FIELDS[1:]:
        problem = fte_problem(getattr(fields, name))
        if problem:
            raise FieldError(name, problem)
    if fields.attrition > fields.current_fte:
        raise FieldError("attrition", "Expected attrition cannot be more than the filled FTE who could leave.")
    clash = db.session.scalar(
        db.select(RoleCapacity.id).where(
            RoleCapacity.role_id == role.id,
            RoleCapacity.fiscal_year == fields.fiscal_year,
            RoleCapacity.id != current_id,
        )
    )
    if clash is not None:
        raise FieldError(
            "fiscal_year",
            f"{role.name} already has figures for FY{fields.fiscal_year}. Change that year’s row instead.",
        )


def add_capacity(role: JobRole, *, user: User, fields: CapacityFields) -> RoleCapacity:
    """The role's filled FTE, vacancies, expected attrition and baseline required FTE in one fiscal year."""
    _ensure_editor(role.organization_id, user)
    _check_capacity(role, fields, None)
    capacity = RoleCapacity(role=role, **asdict(fields))
    db.session.add(capacity)
    db.session.flush()
    changes = {"capacity_id": capacity.id, **values_of(capacity, CAPACITY_FIELDS)}
    _record(role, user, "job_role.capacity.create", f"Added FY{fields.fiscal_year} figures to {role.name}", changes)
    return capacity


def update_capacity(capacity: RoleCapacity, *, user: User, fields: CapacityFields) -> bool:
    """Change one year's figures; False when nothing changed."""
    role = capacity.role
    _ensure_editor(role.organization_id, user)
    _check_capacity(role, fields, capacity.id)
    changes = apply(capacity, asdict(fields))
    if not changes:
        return False
    db.session.flush()
    summary = f"Changed the FY{capacity.fiscal_year} figures of {role.name}"
    _record(role, user, "job_role.capacity.update", summary, {"capacity_id": capacity.id, **changes})
    return True


def remove_capacity(capacity: RoleCapacity, *, user: User) -> None:
    role = capacity.role
    _ensure_editor(role.organization_id, user)
    changes = {"capacity_id": capacity.id, **values_of(capacity, CAPACITY_FIELDS)}
    db.session.delete(capacity)
    db.session.flush()
    summary = f"Removed the FY{capacity.fiscal_year} figures of {role.name}"
    _record(role, user, "job_role.capacity.delete", summary, changes)
