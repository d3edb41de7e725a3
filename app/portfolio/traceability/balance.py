"""Portfolio balance: count and budget of a plan's initiatives by category, primary objective and fiscal year.

Only costs in the plan's fiscal years count. Money is summed in whole cents in SQL, so totals are
exact to the cent on SQLite (which stores floats) and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, SQLColumnExpression, case, cast, func

from app.extensions import db
from app.objectives.models import PolicyObjective
from app.plans.scope import PlanScope, natural_key
from app.portfolio.models import Category, Initiative, InitiativeCost, LinkRole, ObjectiveLink

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BudgetLine:
    """A number of initiatives and their capital and operating budget over the plan's period."""

    key: str
    label: str
    count: int
    capital: Decimal
    operating: Decimal
    share: Decimal = Decimal(0)  # percentage of the whole budget, one decimal place
    objective_id: int | None = None

    @property
    def total(self) -> Decimal:
        return self.capital + self.operating


@dataclass(frozen=True)
class YearBudget:
    """One fiscal year: initiatives with a cost in it, and its budget by category and by kind."""

    year: int
    count: int
    by_category: dict[str, Decimal]
    capital: Decimal
    operating: Decimal

    @property
    def total(self) -> Decimal:
        return self.capital + self.operating


@dataclass(frozen=True)
class Balance:
    by_category: list[BudgetLine]
    by_objective: list[BudgetLine]
    by_year: list[YearBudget]
    total: BudgetLine


def balance(scope: PlanScope) -> Balance:
    """Count and budget of the plan's initiatives by category, primary objective and fiscal year (one statement)."""
    cells = _cells(scope)
    by_category = _with_shares(_by_category(cells))
    total = BudgetLine(
        "total",
        "All initiatives",
        sum(line.count for line in by_category),
        sum((line.capital for line in by_category), ZERO),
        sum((line.operating for line in by_category), ZERO),
        Decimal(100) if any(line.total for line in by_category) else Decimal(0),
    )
    return Balance(by_category, _with_shares(_by_objective(cells)), _by_year(scope, cells), total)


def budget_by_year(scope: PlanScope) -> list[YearBudget]:
    """Budget of the plan's initiatives for every fiscal year of its period, by category (one statement)."""
    rows = db.session.execute(
        db.select(
            Initiative.category,
            InitiativeCost.fiscal_year,
            func.count(),  # an initiative has one cost row a year, so this counts initiatives
            func.sum(_in_cents(InitiativeCost.capital)),
            func.sum(_in_cents(InitiativeCost.operating)),
        )
        .join(Initiative, InitiativeCost.initiative_id == Initiative.id)
        .where(scope.initiative_filter(), InitiativeCost.fiscal_year.between(scope.first_year, scope.last_year))
        .group_by(Initiative.category, InitiativeCost.fiscal_year)
    ).all()
    found = {
        (category, year): (int(n), _money(capital), _money(operating)) for category, year, n, capital, operating in rows
    }
    years = range(scope.first_year, scope.last_year + 1)
    cells = [
        _Cell(c.value, None, None, None, 0, {year: found.get((c.value, year), (0, ZERO, ZERO)) for year in years})
        for c in Category
    ]
    return _by_year(scope, cells)


@dataclass(frozen=True)
class _Cell:
    """The initiatives of one category (and primary objective) and their costs in each year of the plan."""

    category: str
    objective_id: int | None
    objective_code: str | None
    objective_title: str | None
    count: int
    years: dict[int, tuple[int, Decimal, Decimal]]  # year → initiatives with a cost that year, capital, operating

    @property
    def capital(self) -> Decimal:
        return sum((capital for _, capital, _ in self.years.values()), ZERO)

    @property
    def operating(self) -> Decimal:
        return sum((operating for _, _, operating in self.years.values()), ZERO)


def _cells(scope: PlanScope) -> list[_Cell]:
    """The plan's initiatives grouped by category and primary objective, with their costs year by year.

    Each initiative's costs in the period are first turned into one row with a capital and an operating
    column per year, so every initiative counts once in its group and all three views add up from here.
    """
    years = range(scope.first_year, scope.last_year + 1)
    per_initiative = (
        db.select(
            InitiativeCost.initiative_id,
            *(_cents(InitiativeCost.capital, year).label(f"capital_{year}") for year in years),
            *(_cents(InitiativeCost.operating, year).label(f"operating_{year}") for year in years),
        )
        .where(
            InitiativeCost.initiative_id.in_(db.select(Initiative.id).where(scope.initiative_filter())),
            InitiativeCost.fiscal_year.between(scope.first_year, scope.last_year),
        )
        .group_by(InitiativeCost.initiative_id)
        .subquery()
    )
    costs = [
        column
        for year in years
        for column in (
            func.count(per_initiative.c[f"capital_{year}"]),
            func.sum(per_initiative.c[f"capital_{year}"]),
            func.sum(per_initiative.c[f"operating_{year}"]),
        )
    ]
    primary = _primary_objectives(scope)
    query = (
        db.select(
            Initiative.category,
            func.count(),
            *costs,
            primary.c.objective_id,
            PolicyObjective.code,
            PolicyObjective.title,
        )
        .outerjoin(per_initiative, per_initiative.c.initiative_id == Initiative.id)
        .outerjoin(primary, primary.c.initiative_id == Initiative.id)
        .outerjoin(PolicyObjective, PolicyObjective.id == primary.c.objective_id)
        .where(scope.initiative_filter())
        .group_by(Initiative.category, primary.c.objective_id, PolicyObjective.code, PolicyObjective.title)
    )
    rows = db.session.execute(query).all()
    return [_cell(row[0], row[-3], row[-2], row[-1], row[1], row[2:-3], years) for row in rows]


def _cell(
    category: str,
    objective_id: int | None,
    code: str | None,
    title: str | None,
    count: int,
    sums: Sequence[Any],
    years: range,
) -> _Cell:
    by_year = {
        year: (int(sums[3 * n] or 0), _money(sums[3 * n + 1]), _money(sums[3 * n + 2])) for n, year in enumerate(years)
    }
    return _Cell(category, objective_id, code, title, int(count), by_year)


def _in_cents(column: SQLColumnExpression[Decimal]) -> ColumnElement[int]:
    return cast(func.round(column * 100), BigInteger)


def _cents(column: SQLColumnExpression[Decimal], year: int) -> ColumnElement[int]:
    """One initiative's amount in ``year``, in whole cents (NULL when it has no cost that year)."""
    return func.sum(case((InitiativeCost.fiscal_year == year, _in_cents(column))))


def _money(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def _primary_objectives(scope: PlanScope):  # type: ignore[no-untyped-def]
    """Each initiative's primary objective in the plan (the lowest id if it names several)."""
    return (
        db.select(ObjectiveLink.initiative_id, func.min(ObjectiveLink.objective_id).label("objective_id"))
        .join(PolicyObjective, ObjectiveLink.objective_id == PolicyObjective.id)
        .where(ObjectiveLink.role == LinkRole.PRIMARY.value, scope.objective_filter())
        .group_by(ObjectiveLink.initiative_id)
        .subquery()
    )


def _by_year(scope: PlanScope, cells: list[_Cell]) -> list[YearBudget]:
    years = []
    for year in range(scope.first_year, scope.last_year + 1):
        split = {c.value: [cell.years[year] for cell in cells if cell.category == c.value] for c in Category}
        years.append(
            YearBudget(
                year=year,
                count=sum(n for parts in split.values() for n, _, _ in parts),  # one category per initiative
                by_category={
                    category: sum((capital + operating for _, capital, operating in parts), ZERO)
                    for category, parts in split.items()
                },
                capital=sum((capital for parts in split.values() for _, capital, _ in parts), ZERO),
                operating=sum((operating for parts in split.values() for _, _, operating in parts), ZERO),
            )
        )
    return years


def _by_category(cells: list[_Cell]) -> list[BudgetLine]:
    lines = []
    for c in Category:
        mine = [cell for cell in cells if cell.category == c.value]
        lines.append(
            BudgetLine(
                c.value,
                c.label,
                sum(cell.count for cell in mine),
                sum((cell.capital for cell in mine), ZERO),
                sum((cell.operating for cell in mine), ZERO),
            )
        )
    return lines


def _by_objective(cells: list[_Cell]) -> list[BudgetLine]:
    # Each initiative counts once: under its primary objective in the plan.
    groups: dict[int | None, list[_Cell]] = {}
    for cell in cells:
        groups.setdefault(cell.objective_id, []).append(cell)
    lines = [
        BudgetLine(
            mine[0].objective_code or "",
            _objective_label(mine[0]),
            sum(cell.count for cell in mine),
            sum((cell.capital for cell in mine), ZERO),
            sum((cell.operating for cell in mine), ZERO),
            objective_id=objective_id,
        )
        for objective_id, mine in groups.items()
    ]
    return sorted(lines, key=lambda line: (line.objective_id is None, natural_key(line.key)))


def _objective_label(cell: _Cell) -> str:
    if cell.objective_id is None:
        return "No primary objective in this plan"
    return f"{cell.objective_code} {cell.objective_title}"


def _with_shares(lines: list[BudgetLine]) -> list[BudgetLine]:
    whole = sum((line.total for line in lines), Decimal(0))
    if not whole:
        return lines
    return [replace(line, share=(line.total * 100 / whole).quantize(Decimal("0.1"))) for line in lines]
