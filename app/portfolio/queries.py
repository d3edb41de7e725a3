"""Read queries for the portfolio pages. Each page runs a fixed number of statements, whatever the data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, SQLColumnExpression, and_, case, cast, func, or_
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload

from app.auth.models import Organization
from app.core.fiscal import fiscal_year_bounds
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio.models import (
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    InitiativeStatus,
    ObjectiveLink,
)
from app.portfolio.money import CENTS

CODE_PREFIX = "INI-"
SORTS = ("code", "title", "status", "start", "cost")
_STATUS_ORDER = case({s.value: n for n, s in enumerate(InitiativeStatus)}, value=Initiative.status, else_=99)


@dataclass(frozen=True)
class PortfolioFilters:
    """What the portfolio list is narrowed to and ordered by; empty values mean "any"."""

    status: str = ""
    category: str = ""
    objective_id: int | None = None
    owner: str = ""
    fiscal_year: int | None = None
    text: str = ""
    sort: str = "code"
    descending: bool = False


def _contains(column: SQLColumnExpression[str], text: str) -> ColumnElement[bool]:
    """Case-insensitive "contains", with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def _in_fiscal_year(organization: Organization, year: int) -> ColumnElement[bool]:
    """Costed in that fiscal year, or running during it (an open end counts as still running)."""
    first, last = fiscal_year_bounds(year, organization.fiscal_year_start_month)
    costed = (
        db.select(InitiativeCost.id)
        .where(InitiativeCost.initiative_id == Initiative.id, InitiativeCost.fiscal_year == year)
        .exists()
    )
    dated = or_(Initiative.start_date.is_not(None), Initiative.end_date.is_not(None))
    overlaps = and_(
        dated,
        or_(Initiative.start_date.is_(None), Initiative.start_date <= last),
        or_(Initiative.end_date.is_(None), Initiative.end_date >= first),
    )
    return or_(costed, overlaps)


# What a list row shows; the long texts stay in the database.
_LIST_COLUMNS = load_only(
    Initiative.code,
    Initiative.title,
    Initiative.category,
    Initiative.status,
    Initiative.owner,
    Initiative.start_date,
    Initiative.end_date,
    Initiative.organization_id,
    Initiative.deleted_at,
)


def _filtered(organization: Organization, filters: PortfolioFilters) -> Select[Initiative]:
    query = (
        db.select(Initiative)
        .where(Initiative.organization_id == organization.id, Initiative.deleted_at.is_(None))
        .options(_LIST_COLUMNS)
    )
    if filters.status:
        query = query.where(Initiative.status == filters.status)
    if filters.category:
        query = query.where(Initiative.category == filters.category)
    if filters.objective_id is not None:
        linked = db.select(ObjectiveLink.id).where(
            ObjectiveLink.initiative_id == Initiative.id, ObjectiveLink.objective_id == filters.objective_id
        )
        query = query.where(linked.exists())
    if filters.owner:
        query = query.where(_contains(Initiative.owner, filters.owner))
    if filters.text:
        text = filters.text
        query = query.where(
            or_(
                _contains(Initiative.code, text), _contains(Initiative.title, text), _contains(Initiative.summary, text)
            )
        )
    if filters.fiscal_year is not None:
        query = query.where(_in_fiscal_year(organization, filters.fiscal_year))
    return query


def _total_cost_by_initiative(organization_id: int):  # type: ignore[no-untyped-def]
    """Grouped subquery: each initiative's total planned cost, to sort the list by."""
    return (
        db.select(
            InitiativeCost.initiative_id,
            func.sum(InitiativeCost.capital + InitiativeCost.operating).label("total"),
        )
        .join(Initiative, Initiative.id == InitiativeCost.initiative_id)
        .where(Initiative.organization_id == organization_id)
        .group_by(InitiativeCost.initiative_id)
        .subquery()
    )


def initiatives_in(organization: Organization, filters: PortfolioFilters) -> Select[Initiative]:
    """The organization's initiatives, filtered and sorted, ready for ``db.paginate``."""
    query = _filtered(organization, filters)
    if filters.sort == "cost":
        totals = _total_cost_by_initiative(organization.id)
        query = query.outerjoin(totals, totals.c.initiative_id == Initiative.id)
        key: SQLColumnExpression[Any] = func.coalesce(totals.c.total, 0)
    else:
        key = {
            "title": func.lower(Initiative.title),
            "status": _STATUS_ORDER,
            "start": Initiative.start_date,
        }.get(filters.sort, Initiative.code)
    ordered = key.desc() if filters.descending else key.asc()
    if filters.sort == "start":
        ordered = ordered.nulls_last()
    tie = Initiative.id.desc() if filters.descending else Initiative.id.asc()
    return query.order_by(ordered, tie)


def cost_totals(initiative_ids: list[int]) -> dict[int, Decimal]:
    """Each initiative's total planned cost (capital + operating, all years) — one grouped statement.

    Summed in whole cents so the result is exact even where the database stores decimals as floats.
    """
    if not initiative_ids:
        return {}
    cents = cast(func.round((InitiativeCost.capital + InitiativeCost.operating) * 100), BigInteger)
    rows = db.session.execute(
        db.select(InitiativeCost.initiative_id, func.sum(cents))
        .where(InitiativeCost.initiative_id.in_(initiative_ids))
        .group_by(InitiativeCost.initiative_id)
    ).all()
    return {initiative_id: (Decimal(int(total or 0)) / 100).quantize(CENTS) for initiative_id, total in rows}


def category_balance(organization_id: int) -> dict[str, int]:
    """How many initiatives (not deleted, not cancelled or rejected) are Run, Change and Transform."""
    rows = db.session.execute(
        db.select(Initiative.category, func.count())
        .where(
            Initiative.organization_id == organization_id,
            Initiative.deleted_at.is_(None),
            Initiative.status.not_in([InitiativeStatus.CANCELLED.value, InitiativeStatus.REJECTED.value]),
        )
        .group_by(Initiative.category)
    ).all()
    return {category: count for category, count in rows}


def initiative_detail(initiative_id: int) -> Select[Initiative]:
    """One initiative with everything its page shows, in a fixed number of statements."""
    return (
        db.select(Initiative)
        .where(Initiative.id == initiative_id)
        .options(
            joinedload(Initiative.organization),
            selectinload(Initiative.milestones),
            selectinload(Initiative.risks),
            selectinload(Initiative.costs),
            selectinload(Initiative.kpis),
            selectinload(Initiative.objective_links)
            .joinedload(ObjectiveLink.objective)
            .joinedload(PolicyObjective.organization),
            selectinload(Initiative.dependencies).joinedload(InitiativeDependency.depends_on),
        )
    )


def dependents_of(initiative_id: int) -> Select[Initiative]:
    """Initiatives (not deleted) that cannot finish before this one delivers."""
    return (
        db.select(Initiative)
        .join(InitiativeDependency, InitiativeDependency.initiative_id == Initiative.id)
        .where(InitiativeDependency.depends_on_id == initiative_id, Initiative.deleted_at.is_(None))
        .order_by(Initiative.code)
    )


def objectives_for(organization: Organization) -> Select[PolicyObjective]:
    """Objectives an initiative of the organization may serve: its own and its parent's."""
    owners = [organization.id] if organization.parent_id is None else [organization.id, organization.parent_id]
    return (
        db.select(PolicyObjective)
        .where(PolicyObjective.organization_id.in_(owners), PolicyObjective.deleted_at.is_(None))
        .options(joinedload(PolicyObjective.organization))
        .order_by(PolicyObjective.organization_id != organization.id, PolicyObjective.code)
    )


def initiative_by_code(organization_id: int, code: str) -> Initiative | None:
    return db.session.scalar(
        db.select(Initiative).where(
            Initiative.organization_id == organization_id, Initiative.code == code, Initiative.deleted_at.is_(None)
        )
    )


def next_free_code(organization_id: int) -> str:
    """The next INI-nnnn code after the highest in use (deleted initiatives keep theirs)."""
    codes = db.session.scalars(
        db.select(Initiative.code).where(
            Initiative.organization_id == organization_id, Initiative.code.like(f"{CODE_PREFIX}%")
        )
    )
    numbers = [int(suffix) for code in codes if (suffix := code.removeprefix(CODE_PREFIX)).isdigit()]
    return f"{CODE_PREFIX}{max(numbers, default=0) + 1:04d}"


def dependency_graph(organization_id: int) -> dict[int, list[int]]:
    """Who depends on whom among the organization's initiatives that are not deleted — one statement."""
    source, target = aliased(Initiative), aliased(Initiative)
    rows = db.session.execute(
        db.select(InitiativeDependency.initiative_id, InitiativeDependency.depends_on_id)
        .join(source, source.id == InitiativeDependency.initiative_id)
        .join(target, target.id == InitiativeDependency.depends_on_id)
        .where(source.organization_id == organization_id, source.deleted_at.is_(None), target.deleted_at.is_(None))
    ).all()
    graph: dict[int, list[int]] = defaultdict(list)
    for initiative_id, depends_on_id in rows:
        graph[initiative_id].append(depends_on_id)
    return graph


def codes_of(initiative_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(db.select(Initiative.id, Initiative.code).where(Initiative.id.in_(initiative_ids)))
    return {initiative_id: code for initiative_id, code in rows}
