"""Workforce plan operations. Each checks its rules, flushes, writes one audit event and never commits.

Roles, their capacity rows and their skill gaps are recorded on the role (object type ``job_role``), skills
on the skill and actions on the action; an initiative's FTE needs on the initiative (see ``needs``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Organization, User
from app.core.errors import PermissionDenied
from app.extensions import db
from app.portfolio.money import MAX_AMOUNT
from app.workforce.common import EditConflict, FieldError, apply, audit, fte_problem, values_of
from app.workforce.models import (
    ZERO,
    ActionStatus,
    ActionType,
    InitiativeFteNeed,
    JobRole,
    Priority,
    RoleCapacity,
    Skill,
    SkillGap,
    WorkforceAction,
)

EDITORS_ONLY = "You need the editor or administrator role to change the workforce plan."


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


@dataclass(frozen=True)
class SkillFields:
    name: str
    category: str = ""
    description: str = ""


@dataclass(frozen=True)
class GapFields:
    current_level: int
    target_level: int
    priority: str = Priority.MEDIUM.value


@dataclass(frozen=True)
class ActionFields:
    action_type: str
    title: str
    description: str = ""
    cost: Decimal = ZERO
    fiscal_year: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    owner: str = ""
    status: str = ActionStatus.PLANNED.value
    role_id: int | None = None
    gap_ids: tuple[int, ...] = field(default=())


ROLE_FIELDS = tuple(RoleFields.__dataclass_fields__)
CAPACITY_FIELDS = tuple(CapacityFields.__dataclass_fields__)
SKILL_FIELDS = tuple(SkillFields.__dataclass_fields__)
GAP_FIELDS = tuple(GapFields.__dataclass_fields__)
ACTION_COLUMNS = tuple(name for name in ActionFields.__dataclass_fields__ if name != "gap_ids")


def _ensure_editor(organization_id: int, user: User) -> None:
    if not user.can_edit_in(organization_id):
        raise PermissionDenied(EDITORS_ONLY)


def _flush_unique(field_name: str, message: str) -> None:
    """Flush; a unique name taken by a colleague between our check and our write becomes a field error."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise FieldError(field_name, message) from exc


def _flush_versioned(noun: str) -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:  # a concurrent save won the race between our version check and our write
        db.session.rollback()
        raise EditConflict(noun) from exc


# --- roles -------------------------------------------------------------------------------------------------


def _name_taken(model: type[JobRole] | type[Skill], organization_id: int, name: str, current_id: int | None) -> bool:
    found = db.session.scalar(
        db.select(model.id).where(
            model.organization_id == organization_id, func.lower(model.name) == name.lower(), model.id != current_id
        )
    )
    return found is not None


def _role_taken(name: str) -> str:
    return f"There is already a role called “{name}”. Choose another name, or change that role."


def _record(obj: JobRole | Skill | WorkforceAction, user: User, action: str, summary: str, changes: Any) -> None:
    """The audit event of a change to a role (or its figures and gaps), a skill or an action."""
    audit(
        action,
        user=user,
        organization_id=obj.organization_id,
        object_type=obj.__tablename__,
        object_id=obj.id,
        summary=summary,
        changes=changes,
    )


def create_role(*, organization: Organization, user: User, fields: RoleFields) -> JobRole:
    """A new job role (or family of roles) of the organization."""
    _ensure_editor(organization.id, user)
    if _name_taken(JobRole, organization.id, fields.name, None):
        raise FieldError("name", _role_taken(fields.name))
    role = JobRole(organization_id=organization.id, **asdict(fields))
    db.session.add(role)
    _flush_unique("name", _role_taken(fields.name))
    _record(role, user, "job_role.create", f"Added the role “{role.name}”", values_of(role, ROLE_FIELDS))
    return role


def update_role(role: JobRole, *, user: User, fields: RoleFields, base_version: int) -> bool:
    """Save the edited role; False when nothing changed. EditConflict when the form is stale."""
    _ensure_editor(role.organization_id, user)
    if base_version != role.version:
        raise EditConflict("role")
    if _name_taken(JobRole, role.organization_id, fields.name, role.id):
        raise FieldError("name", _role_taken(fields.name))
    changes = apply(role, asdict(fields))
    if not changes:
        return False
    _flush_versioned("role")
    _record(role, user, "job_role.update", f"Changed the role “{role.name}”", changes)
    return True


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


# --- capacity by fiscal year -------------------------------------------------------------------------------


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


# --- the skills catalogue ----------------------------------------------------------------------------------


def _skill_taken(name: str) -> str:
    return f"The catalogue already has a skill called “{name}”. Choose another name, or change that skill."


def create_skill(*, organization: Organization, user: User, fields: SkillFields) -> Skill:
    """A new skill in the organization's catalogue."""
    _ensure_editor(organization.id, user)
    if _name_taken(Skill, organization.id, fields.name, None):
        raise FieldError("name", _skill_taken(fields.name))
    skill = Skill(organization_id=organization.id, **asdict(fields))
    db.session.add(skill)
    _flush_unique("name", _skill_taken(fields.name))
    _record(skill, user, "skill.create", f"Added the skill “{skill.name}”", values_of(skill, SKILL_FIELDS))
    return skill


def update_skill(skill: Skill, *, user: User, fields: SkillFields, base_version: int) -> bool:
    """Save the edited skill; False when nothing changed. EditConflict when the form is stale."""
    _ensure_editor(skill.organization_id, user)
    if base_version != skill.version:
        raise EditConflict("skill")
    if _name_taken(Skill, skill.organization_id, fields.name, skill.id):
        raise FieldError("name", _skill_taken(fields.name))
    changes = apply(skill, asdict(fields))
    if not changes:
        return False
    _flush_versioned("skill")
    _record(skill, user, "skill.update", f"Changed the skill “{skill.name}”", changes)
    return True


def delete_skill(skill: Skill, *, user: User) -> None:
    """Remove the skill from the catalogue, with every role's gap in it (the event lists them)."""
    _ensure_editor(skill.organization_id, user)
    gaps = db.session.execute(
        db.select(JobRole.name).join(SkillGap, SkillGap.role_id == JobRole.id).where(SkillGap.skill_id == skill.id)
    ).scalars()
    changes = {**values_of(skill, SKILL_FIELDS), "gaps_removed_from_roles": sorted(gaps)}
    db.session.delete(skill)
    db.session.flush()
    _record(skill, user, "skill.delete", f"Deleted the skill “{skill.name}”", changes)


# --- skill gaps --------------------------------------------------------------------------------------------


def _check_gap(role: JobRole, skill: Skill, fields: GapFields, current_id: int | None) -> None:
    if skill.organization_id != role.organization_id:
        raise FieldError("skill", "Choose a skill from your organization’s catalogue.")
    for name in ("current_level", "target_level"):
        if not 0 <= getattr(fields, name) <= 4:
            raise FieldError(name, "Choose a level from 0 (none) to 4 (expert).")
    if fields.target_level <= fields.current_level:
        raise FieldError(
            "target_level",
            "The target level must be above the current level. If the role already has the skill, "
            "there is no gap: remove it instead.",
        )
    if fields.priority not in {p.value for p in Priority}:
        raise FieldError("priority", "Choose high, medium or low priority.")
    clash = db.session.scalar(
        db.select(SkillGap.id).where(
            SkillGap.role_id == role.id, SkillGap.skill_id == skill.id, SkillGap.id != current_id
        )
    )
    if clash is not None:
        raise FieldError("skill", f"{role.name} already has a gap in {skill.name}. Change that gap instead.")


def _gap_values(gap: SkillGap) -> dict[str, Any]:
    return {"gap_id": gap.id, "skill": gap.skill.name, **values_of(gap, GAP_FIELDS)}


def add_gap(role: JobRole, *, user: User, skill: Skill, fields: GapFields) -> SkillGap:
    """The role is short of ``skill``: its current proficiency (0–4) is below the target."""
    _ensure_editor(role.organization_id, user)
    _check_gap(role, skill, fields, None)
    gap = SkillGap(role=role, skill=skill, **asdict(fields))
    db.session.add(gap)
    db.session.flush()
    _record(role, user, "job_role.gap.create", f"Added a {skill.name} gap to {role.name}", _gap_values(gap))
    return gap


def update_gap(gap: SkillGap, *, user: User, skill: Skill, fields: GapFields) -> bool:
    """Change a gap's skill, levels or priority; False when nothing changed."""
    role = gap.role
    _ensure_editor(role.organization_id, user)
    _check_gap(role, skill, fields, gap.id)
    before_skill = gap.skill.name
    changes = apply(gap, asdict(fields))
    if gap.skill_id != skill.id:
        gap.skill = skill
        changes["skill"] = {"before": before_skill, "after": skill.name}
    if not changes:
        return False
    db.session.flush()
    _record(role, user, "job_role.gap.update", f"Changed the {skill.name} gap of {role.name}", changes)
    return True


def remove_gap(gap: SkillGap, *, user: User) -> None:
    role = gap.role
    _ensure_editor(role.organization_id, user)
    changes = _gap_values(gap)
    db.session.delete(gap)
    db.session.flush()
    _record(role, user, "job_role.gap.delete", f"Removed the {gap.skill.name} gap from {role.name}", changes)


# --- actions that close gaps -------------------------------------------------------------------------------


def _check_action(organization_id: int, fields: ActionFields) -> tuple[JobRole | None, list[SkillGap]]:
    """The action's role and gaps, checked to be the organization's; FieldError for anything else."""
    if fields.action_type not in {t.value for t in ActionType}:
        raise FieldError("action_type", "Choose training, hiring, contracting, reskilling or partnering.")
    if fields.status not in {s.value for s in ActionStatus}:
        raise FieldError("status", "Choose planned, in progress, done or cancelled.")
    if fields.cost < 0 or fields.cost > MAX_AMOUNT or fields.cost != fields.cost.quantize(Decimal("0.01")):
        raise FieldError("cost", "Enter the cost in whole cents from $0.00 to under one trillion dollars.")
    if fields.fiscal_year is not None and not 2000 <= fields.fiscal_year <= 2100:
        raise FieldError("fiscal_year", "Enter a fiscal year between 2000 and 2100, or leave it blank.")
    if fields.start_date and fields.end_date and fields.end_date < fields.start_date:
        raise FieldError("end_date", "The end date must be the same as or after the start date.")
    role = db.session.get(JobRole, fields.role_id) if fields.role_id is not None else None
    if fields.role_id is not None and (role is None or role.organization_id != organization_id):
        raise FieldError("role_id", "Choose one of your organization’s roles, or none.")
    gaps = _gaps_of(organization_id, fields.gap_ids)
    if len(gaps) != len(set(fields.gap_ids)):
        raise FieldError("gap_ids", "Choose skill gaps from the list; some of those chosen no longer exist.")
    if not gaps and role is None:
        raise FieldError("role_id", "Say what the action is for: choose a role, one or more skill gaps, or both.")
    return role, gaps


def _gaps_of(organization_id: int, ids: Sequence[int]) -> list[SkillGap]:
    if not ids:
        return []
    query = (
        db.select(SkillGap)
        .join(JobRole, JobRole.id == SkillGap.role_id)
        .where(SkillGap.id.in_(set(ids)), JobRole.organization_id == organization_id)
    )
    return list(db.session.scalars(query))


def _gap_names(gaps: Sequence[SkillGap]) -> list[str]:
    return sorted(f"{gap.role.name}: {gap.skill.name}" for gap in gaps)


def create_action(*, organization: Organization, user: User, fields: ActionFields) -> WorkforceAction:
    """A training, hiring, contracting, reskilling or partnering action for a role or skill gaps."""
    _ensure_editor(organization.id, user)
    _role, gaps = _check_action(organization.id, fields)
    values = {name: getattr(fields, name) for name in ACTION_COLUMNS}
    action = WorkforceAction(organization_id=organization.id, gaps=gaps, **values)
    db.session.add(action)
    db.session.flush()
    changes = {**values_of(action, ACTION_COLUMNS), "gaps": _gap_names(gaps)}
    _record(action, user, "workforce_action.create", f"Added the {action.action_type} action “{action.title}”", changes)
    return action


def update_action(action: WorkforceAction, *, user: User, fields: ActionFields, base_version: int) -> bool:
    """Save the edited action; False when nothing changed. EditConflict when the form is stale."""
    _ensure_editor(action.organization_id, user)
    if base_version != action.version:
        raise EditConflict("action")
    _role, gaps = _check_action(action.organization_id, fields)
    before_gaps = _gap_names(action.gaps)
    changes = apply(action, {name: getattr(fields, name) for name in ACTION_COLUMNS})
    if {g.id for g in gaps} != {g.id for g in action.gaps}:
        action.gaps = gaps
        changes["gaps"] = {"before": before_gaps, "after": _gap_names(gaps)}
    if not changes:
        return False
    _flush_versioned("action")
    _record(action, user, "workforce_action.update", f"Changed the action “{action.title}”", changes)
    return True


def delete_action(action: WorkforceAction, *, user: User) -> None:
    _ensure_editor(action.organization_id, user)
    changes = {**values_of(action, ACTION_COLUMNS), "gaps": _gap_names(action.gaps)}
    db.session.delete(action)
    db.session.flush()
    _record(action, user, "workforce_action.delete", f"Deleted the action “{action.title}”", changes)
