"""Reads of the workforce plan, each in a fixed number of statements whatever the data size.

The capacity view: for one fiscal year, each role's available capacity (filled FTE − expected attrition)
against its demand (baseline required FTE + the FTE in-scope initiatives need). Initiatives count towards
demand when they are in scope (a plan's scope, or all the organization's initiatives) and still need people:
not completed, cancelled, rejected or deleted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.portfolio.models import Initiative, InitiativeStatus
from app.workforce.models import ZERO, InitiativeFteNeed, JobRole, RoleCapacity, Skill, SkillGap, WorkforceAction

# Initiatives in these states need nobody any more, whatever scope they are in.
NOT_DEMANDING = (InitiativeStatus.COMPLETED.value, InitiativeStatus.CANCELLED.value, InitiativeStatus.REJECTED.value)


def demanding(scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """Initiatives within ``scope`` that still need people."""
    return and_(scope, Initiative.deleted_at.is_(None), Initiative.status.not_in(NOT_DEMANDING))


def organization_scope(organization_id: int) -> ColumnElement[bool]:
    """Every initiative of the organization (the capacity view without a plan)."""
    return Initiative.organization_id == organization_id


def roles_of(organization_id: int) -> Select[JobRole]:
    return (
        db.select(JobRole)
        .where(JobRole.organization_id == organization_id)
        .order_by(JobRole.family, JobRole.name)
        .options(selectinload(JobRole.capacities))
    )


def skills_of(organization_id: int) -> Select[Skill]:
    return db.select(Skill).where(Skill.organization_id == organization_id).order_by(Skill.category, Skill.name)


def gaps_of(organization_id: int, *, priorities: list[str] | None = None) -> Select[SkillGap]:
    """The organization's skill gaps, high priority first, with their role, skill and actions loaded."""
    order = db.case({"high": 0, "medium": 1, "low": 2}, value=SkillGap.priority)
    query = (
        db.select(SkillGap)
        .join(JobRole, JobRole.id == SkillGap.role_id)
        .join(Skill, Skill.id == SkillGap.skill_id)
        .where(JobRole.organization_id == organization_id)
        .order_by(order, JobRole.name, Skill.name)
        .options(selectinload(SkillGap.role), selectinload(SkillGap.skill))
    )
    if priorities:
        query = query.where(SkillGap.priority.in_(priorities))
    return query


def actions_of(organization_id: int) -> Select[WorkforceAction]:
    return (
        db.select(WorkforceAction)
        .where(WorkforceAction.organization_id == organization_id)
        .order_by(WorkforceAction.fiscal_year, WorkforceAction.title)
        .options(
            selectinload(WorkforceAction.role),
            selectinload(WorkforceAction.gaps).selectinload(SkillGap.role),
            selectinload(WorkforceAction.gaps).selectinload(SkillGap.skill),
        )
    )


def actions_by_gap(gap_ids: list[int]) -> dict[int, list[WorkforceAction]]:
    """The actions aimed at each gap (one statement)."""
    found: dict[int, list[WorkforceAction]] = defaultdict(list)
    if not gap_ids:
        return found
    query = (
        db.select(SkillGap.id, WorkforceAction)
        .join(WorkforceAction.gaps)
        .where(SkillGap.id.in_(gap_ids))
        .order_by(WorkforceAction.title)
    )
    for gap_id, action in db.session.execute(query):
        found[gap_id].append(action)
    return found


def fiscal_years(organization_id: int) -> list[int]:
    """Fiscal years with capacity figures or initiative needs in the organization (two statements)."""
    capacity = db.session.scalars(
        db.select(RoleCapacity.fiscal_year)
        .join(JobRole, JobRole.id == RoleCapacity.role_id)
        .where(JobRole.organization_id == organization_id)
        .distinct()
    )
    needs = db.session.scalars(
        db.select(InitiativeFteNeed.fiscal_year)
        .join(JobRole, JobRole.id == InitiativeFteNeed.role_id)
        .where(JobRole.organization_id == organization_id)
        .distinct()
    )
    return sorted(set(capacity) | set(needs))


@dataclass(frozen=True)
class NeedLine:
    initiative_id: int
    code: str
    title: str
    fte: Decimal


@dataclass
class RoleLine:
    """One role's capacity and demand in the fiscal year."""

    role_id: int
    name: str
    family: str
    has_figures: bool = False
    current: Decimal = ZERO
    vacancies: Decimal = ZERO
    attrition: Decimal = ZERO
    required: Decimal = ZERO
    initiative_fte: Decimal = ZERO
    initiatives: list[NeedLine] = field(default_factory=list)

    @property
    def available(self) -> Decimal:
        return self.current - self.attrition

    @property
    def demand(self) -> Decimal:
        return self.required + self.initiative_fte

    @property
    def balance(self) -> Decimal:
        """Available − demand: negative is a shortfall."""
        return self.available - self.demand

    @property
    def shortfall(self) -> Decimal:
        return max(-self.balance, ZERO)


def capacity_lines(organization_id: int, fiscal_year: int, scope: ColumnElement[bool]) -> list[RoleLine]:
    """Every role of the organization with its capacity and demand in ``fiscal_year`` (two statements).

    The initiatives listed under a role are those in ``scope`` that still need people, largest need first.
    """
    rows = db.session.execute(
        db.select(JobRole.id, JobRole.name, JobRole.family, RoleCapacity)
        .outerjoin(RoleCapacity, and_(RoleCapacity.role_id == JobRole.id, RoleCapacity.fiscal_year == fiscal_year))
        .where(JobRole.organization_id == organization_id)
        .order_by(JobRole.family, JobRole.name)
    ).all()
    lines = {}
    for role_id, name, family, capacity in rows:
        line = RoleLine(role_id, name, family)
        if capacity is not None:
            line.has_figures = True
            line.current, line.vacancies = capacity.current_fte, capacity.vacancies
            line.attrition, line.required = capacity.attrition, capacity.required_fte
        lines[role_id] = line
    needs = db.session.execute(
        db.select(InitiativeFteNeed.role_id, Initiative.id, Initiative.code, Initiative.title, InitiativeFteNeed.fte)
        .join(Initiative, Initiative.id == InitiativeFteNeed.initiative_id)
        .where(InitiativeFteNeed.fiscal_year == fiscal_year, demanding(scope))
        .order_by(InitiativeFteNeed.fte.desc(), Initiative.code)
    )
    for role_id, initiative_id, code, title, fte in needs:
        if role_id in lines:
            lines[role_id].initiatives.append(NeedLine(initiative_id, code, title, fte))
            lines[role_id].initiative_fte += fte
    return list(lines.values())


def needs_of(initiative_id: int) -> Select[InitiativeFteNeed]:
    return (
        db.select(InitiativeFteNeed)
        .join(JobRole, JobRole.id == InitiativeFteNeed.role_id)
        .where(InitiativeFteNeed.initiative_id == initiative_id)
        .order_by(InitiativeFteNeed.fiscal_year, JobRole.name)
        .options(selectinload(InitiativeFteNeed.role))
    )


def role_names(organization_id: int) -> list[tuple[int, str]]:
    return [
        (first, second)
        for first, second in db.session.execute(
            db.select(JobRole.id, JobRole.name).where(JobRole.organization_id == organization_id).order_by(JobRole.name)
        )
    ]
