"""Goals and objectives: add one at most MAX_OBJECTIVE_DEPTH levels deep, change it, delete it once nothing
depends on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import func

from app.audit.services import diff_fields
from app.auth.models import Organization, User
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.objectives.models import MAX_OBJECTIVE_DEPTH, PolicyObjective, PolicySourceType
from app.objectives.queries import dependents_of
from app.objectives.services.shared import (
    EditConflict,
    InvalidField,
    audit,
    audit_values,
    ensure_can_edit,
    flush_versioned,
    soft_delete,
)

LEVEL_NAMES = {1: "goal", 2: "objective", 3: "sub-objective", 4: "sub-objective"}


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


def _objective_values(objective: PolicyObjective) -> dict[str, Any]:
    return audit_values({field: getattr(objective, field) for field in ObjectiveFields.__dataclass_fields__})


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
    audit(
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
    ensure_can_edit(objective, user)
    if base_version != objective.version:
        raise EditConflict(current=objective)
    _check_objective_fields(objective.organization_id, fields, exclude_id=objective.id)
    before = _objective_values(objective)
    for name, value in asdict(fields).items():
        setattr(objective, name, value.value if isinstance(value, PolicySourceType) else value)
    after = _objective_values(objective)
    if before == after:
        return objective
    flush_versioned(objective)
    audit(
        "objective.update",
        objective,
        user=user,
        summary=f"Changed objective {objective.code} “{objective.title}”",
        changes=diff_fields(before, after),
    )
    return objective


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
    ensure_can_edit(objective, user)
    uses = _uses_of(objective)
    if uses:
        raise DomainError(
            f"{objective.code} cannot be deleted because {'; '.join(uses)}. Move, delete or unlink those first."
        )
    summary = f"Deleted objective {objective.code} “{objective.title}”"
    soft_delete(objective, user=user, action="objective.delete", summary=summary)
    return objective
