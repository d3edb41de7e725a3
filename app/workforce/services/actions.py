"""Workforce actions that close gaps: training, hiring, contracting, reskilling or partnering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio.money import MAX_AMOUNT
from app.workforce.common import EditConflict, FieldError, apply, values_of
from app.workforce.models import ZERO, ActionStatus, ActionType, JobRole, SkillGap, WorkforceAction
from app.workforce.services.shared import _ensure_editor, _flush_versioned, _record


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


ACTION_COLUMNS = tuple(name for name in ActionFields.__dataclass_fields__ if name != "gap_ids")


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
