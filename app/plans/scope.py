"""Which objectives and initiatives a plan covers (its scope).

A plan's scope is two independent lists: the objectives (its organization's and those its
parent organization publishes) and the initiatives (its organization's) it covers. While a list
is empty the plan covers the default for that list: every active objective of the plan's own
organization, or every active initiative. Reads return SQL expressions rather than id lists, so
pages filter in the database and run the same number of statements at any size.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_

from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, PermissionDenied
from app.core.fiscal import fiscal_year_bounds
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.plans.models import Plan
from app.plans.services import start_new_draft
from app.portfolio.models import Initiative, InitiativeStatus, PlanInitiative, PlanObjective

# Initiatives in these states are left out of a plan that has not chosen its initiatives.
INACTIVE_STATUSES = (InitiativeStatus.REJECTED.value, InitiativeStatus.CANCELLED.value)


def natural_key(code: str) -> tuple[object, ...]:
    """Order codes as people read them: G2 before G10, G1.2 before G1.10."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code))


@dataclass(frozen=True)
class PlanScope:
    """What a plan covers, as filters for queries on objectives and initiatives."""

    plan_id: int
    organization_id: int
    parent_organization_id: int | None
    first_year: int
    last_year: int
    period_start: date
    period_end: date
    chosen_objectives: bool
    chosen_initiatives: bool

    @property
    def is_default(self) -> bool:
        return not (self.chosen_objectives or self.chosen_initiatives)

    @property
    def organization_ids(self) -> tuple[int, ...]:
        """Organizations whose objectives the plan may cover: its own and its parent's."""
        parent = self.parent_organization_id
        return (self.organization_id,) if parent is None else (self.organization_id, parent)

    def objective_filter(self) -> ColumnElement[bool]:
        """True for the objectives this plan covers."""
        available = and_(
            PolicyObjective.organization_id.in_(self.organization_ids), PolicyObjective.deleted_at.is_(None)
        )
        if self.chosen_objectives:
            chosen = db.select(PlanObjective.objective_id).where(PlanObjective.plan_id == self.plan_id)
            return and_(available, PolicyObjective.id.in_(chosen))
        active = and_(
            or_(PolicyObjective.active_from.is_(None), PolicyObjective.active_from <= self.period_end),
            or_(PolicyObjective.active_to.is_(None), PolicyObjective.active_to >= self.period_start),
        )
        return and_(available, PolicyObjective.organization_id == self.organization_id, active)

    def initiative_filter(self) -> ColumnElement[bool]:
        """True for the initiatives this plan covers."""
        available = and_(Initiative.organization_id == self.organization_id, Initiative.deleted_at.is_(None))
        if self.chosen_initiatives:
            chosen = db.select(PlanInitiative.initiative_id).where(PlanInitiative.plan_id == self.plan_id)
            return and_(available, Initiative.id.in_(chosen))
        return and_(available, Initiative.status.not_in(INACTIVE_STATUSES))


def scope_of(plan: Plan) -> PlanScope:
    """The plan's scope, read in one statement."""
    chosen_objectives, chosen_initiatives = db.session.execute(
        db.select(
            exists().where(PlanObjective.plan_id == plan.id),
            exists().where(PlanInitiative.plan_id == plan.id),
        )
    ).one()
    start_month = plan.organization.fiscal_year_start_month
    return PlanScope(
        plan_id=plan.id,
        organization_id=plan.organization_id,
        parent_organization_id=plan.organization.parent_id,
        first_year=plan.first_fiscal_year,
        last_year=plan.last_fiscal_year,
        period_start=fiscal_year_bounds(plan.first_fiscal_year, start_month)[0],
        period_end=fiscal_year_bounds(plan.last_fiscal_year, start_month)[1],
        chosen_objectives=bool(chosen_objectives),
        chosen_initiatives=bool(chosen_initiatives),
    )


def objective_choices(plan: Plan) -> list[PolicyObjective]:
    """Objectives a plan may cover: its organization's and its parent's, not deleted, in code order."""
    organizations = [plan.organization_id] + ([plan.organization.parent_id] if plan.organization.parent_id else [])
    query = db.select(PolicyObjective).where(
        PolicyObjective.organization_id.in_(organizations), PolicyObjective.deleted_at.is_(None)
    )
    found = db.session.scalars(query)
    return sorted(found, key=lambda o: (o.organization_id != plan.organization_id, natural_key(o.code)))


def initiative_choices(plan: Plan) -> list[Initiative]:
    """Initiatives a plan may cover: its organization's, not deleted, in code order."""
    query = db.select(Initiative).where(
        Initiative.organization_id == plan.organization_id, Initiative.deleted_at.is_(None)
    )
    return sorted(db.session.scalars(query), key=lambda i: natural_key(i.code))


def chosen_ids(plan: Plan) -> tuple[set[int], set[int]]:
    """The objective ids and initiative ids the plan has chosen (empty sets mean "the default")."""
    objectives = db.session.scalars(db.select(PlanObjective.objective_id).where(PlanObjective.plan_id == plan.id))
    initiatives = db.session.scalars(db.select(PlanInitiative.initiative_id).where(PlanInitiative.plan_id == plan.id))
    return set(objectives), set(initiatives)


@dataclass(frozen=True)
class _Change:
    added: frozenset[int]
    removed: frozenset[int]

    @classmethod
    def between(cls, before: set[int], after: set[int]) -> _Change:
        return cls(frozenset(after - before), frozenset(before - after))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def codes(self, codes: dict[int, str]) -> dict[str, list[str]]:
        # an objective deleted since it was chosen is no longer among the choices
        return {
            "added": sorted(codes[i] for i in self.added),
            "removed": sorted(codes.get(i, f"#{i}") for i in self.removed),
        }


def set_scope(plan: Plan, *, user: User, objective_ids: Collection[int], initiative_ids: Collection[int]) -> bool:
    """Replace the plan's chosen objectives and initiatives and record the change; return whether anything changed.

    Empty lists return the plan to its default scope. Every id must be among ``objective_choices`` and
    ``initiative_choices``; anything else is refused.
    """
    _ensure_scope_editable(plan, user)
    objective_codes = {o.id: o.code for o in objective_choices(plan)}
    initiative_codes = {i.id: i.code for i in initiative_choices(plan)}
    if not (set(objective_ids) <= objective_codes.keys() and set(initiative_ids) <= initiative_codes.keys()):
        raise DomainError(
            "Some of the chosen objectives or initiatives no longer exist. Reload the page and choose again."
        )
    before_objectives, before_initiatives = chosen_ids(plan)
    objectives = _Change.between(before_objectives, set(objective_ids))
    initiatives = _Change.between(before_initiatives, set(initiative_ids))
    if not (objectives or initiatives):
        return False
    start_new_draft(plan, user=user)
    _replace_objectives(plan.id, objectives)
    _replace_initiatives(plan.id, initiatives)
    db.session.flush()
    record(
        "plan.scope",
        actor_id=user.id,
        organization_id=plan.organization_id,
        object_type="plan",
        object_id=plan.id,
        summary=f"Changed what “{plan.title}” covers",
        changes={
            "objectives": {**objectives.codes(objective_codes), "all_active": not objective_ids},
            "initiatives": {**initiatives.codes(initiative_codes), "all_active": not initiative_ids},
        },
    )
    return True


def _ensure_scope_editable(plan: Plan, user: User) -> None:
    if not plan.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change this plan's scope.")
    if not plan.is_editable:
        raise DomainError(f"This plan is {plan.status_enum.label.lower()}; only a draft plan's scope can be changed.")


def _replace_objectives(plan_id: int, change: _Change) -> None:
    if change.removed:
        db.session.execute(
            db.delete(PlanObjective).where(
                PlanObjective.plan_id == plan_id, PlanObjective.objective_id.in_(change.removed)
            )
        )
    db.session.add_all(PlanObjective(plan_id=plan_id, objective_id=item) for item in sorted(change.added))


def _replace_initiatives(plan_id: int, change: _Change) -> None:
    if change.removed:
        db.session.execute(
            db.delete(PlanInitiative).where(
                PlanInitiative.plan_id == plan_id, PlanInitiative.initiative_id.in_(change.removed)
            )
        )
    db.session.add_all(PlanInitiative(plan_id=plan_id, initiative_id=item) for item in sorted(change.added))
