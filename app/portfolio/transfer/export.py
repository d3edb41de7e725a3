"""The initiatives list as a spreadsheet, and the import template."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import undefer

from app.auth.models import Organization
from app.core.fiscal import fiscal_year, fiscal_year_bounds
from app.exports.imports import label
from app.exports.spreadsheets import Cell, Column, Kind, Sheet
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import queries
from app.portfolio.models import (
    Category,
    Initiative,
    InitiativeCost,
    InitiativeStatus,
    InitiativeType,
    LinkRole,
    ObjectiveLink,
)
from app.portfolio.money import ZERO
from app.portfolio.transfer.columns import CALCULATED, CODE, PRIMARY, STATUS, SUPPORTING

_EXPORTED_FIELDS = (Initiative.sponsor, Initiative.initiative_type, Initiative.funding_source)


def initiatives_sheet(organization: Organization, filters: queries.PortfolioFilters) -> Sheet:
    """The initiatives the list shows with these filters, in its order, with costs and objective codes."""
    listed = queries.initiatives_in(organization, filters)
    initiatives = db.session.scalars(listed.options(*(undefer(c) for c in _EXPORTED_FIELDS))).all()
    ids = listed.with_only_columns(Initiative.id).order_by(None).scalar_subquery()
    costs: dict[int, list[InitiativeCost]] = defaultdict(list)
    for cost in db.session.scalars(db.select(InitiativeCost).where(InitiativeCost.initiative_id.in_(ids))):
        costs[cost.initiative_id].append(cost)
    links: dict[tuple[int, str], list[str]] = defaultdict(list)
    link_rows = db.session.execute(
        db.select(ObjectiveLink.initiative_id, ObjectiveLink.role, PolicyObjective.code)
        .join(PolicyObjective, PolicyObjective.id == ObjectiveLink.objective_id)
        .where(ObjectiveLink.initiative_id.in_(ids), PolicyObjective.deleted_at.is_(None))
        .order_by(PolicyObjective.code)
    )
    for initiative_id, role, code in link_rows:
        links[(initiative_id, role)].append(code)
    years = sorted({cost.fiscal_year for found in costs.values() for cost in found})
    rows = [_export_row(i, costs[i.id], links, years) for i in initiatives]
    return Sheet("Initiatives", _export_columns(years), rows)


def _export_columns(years: list[int]) -> list[Column]:
    return [
        Column(CODE, width=12),
        Column("Title", width=40),
        Column("Category", width=11),
        Column("Type", width=18),
        Column(STATUS, width=14),
        Column("Owner", width=24),
        Column("Sponsor", width=24),
        Column("Start date", Kind.DATE, 12),
        Column("End date", Kind.DATE, 12),
        Column("Funding source", width=24),
        *(Column(header, Kind.MONEY, 16) for header in CALCULATED),
        *(Column(f"FY{year} total", Kind.MONEY, 16) for year in years),
        Column(PRIMARY, width=16),
        Column(SUPPORTING, width=24),
    ]


def _export_row(
    initiative: Initiative, costs: list[InitiativeCost], links: dict[tuple[int, str], list[str]], years: list[int]
) -> list[Cell]:
    by_year = {cost.fiscal_year: cost.total for cost in costs}
    return [
        initiative.code,
        initiative.title,
        label(Category, initiative.category),
        label(InitiativeType, initiative.initiative_type),
        label(InitiativeStatus, initiative.status),
        initiative.owner,
        initiative.sponsor,
        initiative.start_date,
        initiative.end_date,
        initiative.funding_source,
        sum((cost.capital for cost in costs), start=ZERO),
        sum((cost.operating for cost in costs), start=ZERO),
        *(by_year.get(year) for year in years),
        ", ".join(links[(initiative.id, LinkRole.PRIMARY.value)]),
        ", ".join(links[(initiative.id, LinkRole.SUPPORTING.value)]),
    ]


TEMPLATE_FIELDS = [CODE, "Title", "Category", "Type", "Owner", "Sponsor", "Start date", "End date", "Funding source"]


def template_sheet(organization: Organization, *, today: date) -> Sheet:
    """The import headings, with costs for this fiscal year and the next, and one example row."""
    year = fiscal_year(today, organization.fiscal_year_start_month)
    columns = [Column(h, Kind.DATE if h.endswith("date") else Kind.TEXT, 20) for h in TEMPLATE_FIELDS]
    for fy in (year, year + 1):
        columns += [Column(f"FY{fy} capital", Kind.MONEY, 16), Column(f"FY{fy} operating", Kind.MONEY, 16)]
    columns += [Column(PRIMARY, width=20), Column(SUPPORTING, width=24)]
    return Sheet("Initiatives", columns, [_example(organization, year)])


def _example(organization: Organization, year: int) -> list[Cell]:
    """A new initiative running through this fiscal year and the next, serving one of the organization's objectives."""
    start_month = organization.fiscal_year_start_month
    objective = db.session.scalars(queries.objectives_for(organization).limit(1)).first()
    return [
        queries.next_free_code(organization.id),
        "Example: online permits for small businesses",
        Category.TRANSFORM.label,
        InitiativeType.PROJECT.label,
        "Permits programme lead",
        "Deputy CIO",
        fiscal_year_bounds(year, start_month)[0],
        fiscal_year_bounds(year + 1, start_month)[1],
        "Capital bond",
        *(Decimal(amount) for amount in ("250000.00", "40000.00", "150000.00", "60000.00")),
        objective.code if objective else None,
        None,
    ]
