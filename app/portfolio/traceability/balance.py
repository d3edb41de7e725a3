"""Portfolio balance: count and budget of a plan's initiatives by category, primary objective and fiscal year.

Only costs in the plan's fiscal years count. Money is summed in whole cents in SQL, so totals are
exact to the cent on SQLite (which stores floats) and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import BigInteger, ColumnElement, SQLColumnExpression, cast, func

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
    """Count and budget of the plan's initiatives by category, primary objective and fiscal year (three statements)."""
    by_category = _with_shares(_by_category(scope))
    total = BudgetLine(
        "total",
        "All initiatives",
        sum(line.count for line in by_category),
        sum((line.capital for line in by_category), ZERO),
        sum((line.operating for line in by_category), ZERO),
        Decimal(100) if any(line.total for line in by_category) else Decimal(0),
    )
    return Balance(by_category, _with_shares(_by_objective(scope)), budget_by_year(scope), total)


def budget_by_year(scope: PlanScope) -> list[YearBudget]:
    """Budget of the plan's initiatives for every fiscal year of its period, by category (one statement)."""
    rows = db.session.execute(
        db.select(
            InitiativeCost.fiscal_year,
            Initiative.category,
            func.count(Initiative.id.distinct()),
            _cents(InitiativeCost.capital),
            _cents(InitiativeCost.operating),
        )
        .join(Initiative, InitiativeCost.initiative_id == Initiative.id)
        .where(scope.initiative_filter(), InitiativeCost.fiscal_year.between(scope.first_year, scope.last_year))
        .group_by(InitiativeCost.fiscal_year, Initiative.category)
    ).all()
    cells = {
        (year, category): (int(n), _money(capital), _money(operating)) for year, category, n, capital, operating in rows
    }
    return [_year(year, cells) for year in range(scope.first_year, scope.last_year + 1)]


def _year(year: int, cells: dict[tuple[int, str], tuple[int, Decimal, Decimal]]) -> YearBudget:
    split = [cells.get((year, c.value), (0, ZERO, ZERO)) for c in Category]
    return YearBudget(
        year=year,
        count=sum(n for n, _, _ in split),  # an initiative has one category, so counts add up
        by_category={c.value: capital + operating for c, (_, capital, operating) in zip(Category, split, strict=True)},
        capital=sum((capital for _, capital, _ in split), ZERO),
        operating=sum((operating for _, _, operating in split), ZERO),
    )


def _cents(column: SQLColumnExpression[Decimal]) -> ColumnElement[int]:
    """The sum of a money column in whole cents."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def _money(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def _costs_in_period(scope: PlanScope) -> ColumnElement[bool]:
    return (InitiativeCost.initiative_id == Initiative.id) & InitiativeCost.fiscal_year.between(
        scope.first_year, scope.last_year
    )


def _by_category(scope: PlanScope) -> list[BudgetLine]:
    rows = db.session.execute(
        db.select(
            Initiative.category,
            func.count(Initiative.id.distinct()),
            _cents(InitiativeCost.capital),
            _cents(InitiativeCost.operating),
        )
        .outerjoin(InitiativeCost, _costs_in_period(scope))
        .where(scope.initiative_filter())
        .group_by(Initiative.category)
    ).all()
    found = {category: (int(n), _money(capital), _money(operating)) for category, n, capital, operating in rows}
    return [BudgetLine(c.value, c.label, *found.get(c.value, (0, ZERO, ZERO))) for c in Category]


def _by_objective(scope: PlanScope) -> list[BudgetLine]:
    # Each initiative counts once: under its primary objective in the plan (the lowest id if it names several).
    primary = (
        db.select(ObjectiveLink.initiative_id, func.min(ObjectiveLink.objective_id).label("objective_id"))
        .join(PolicyObjective, ObjectiveLink.objective_id == PolicyObjective.id)
        .where(ObjectiveLink.role == LinkRole.PRIMARY.value, scope.objective_filter())
        .group_by(ObjectiveLink.initiative_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(
            primary.c.objective_id,
            PolicyObjective.code,
            PolicyObjective.title,
            func.count(Initiative.id.distinct()),
            _cents(InitiativeCost.capital),
            _cents(InitiativeCost.operating),
        )
        .select_from(Initiative)
        .outerjoin(primary, primary.c.initiative_id == Initiative.id)
        .outerjoin(PolicyObjective, PolicyObjective.id == primary.c.objective_id)
        .outerjoin(InitiativeCost, _costs_in_period(scope))
        .where(scope.initiative_filter())
        .group_by(primary.c.objective_id, PolicyObjective.code, PolicyObjective.title)
    ).all()
    lines = [
        BudgetLine(
            code or "",
            f"{code} {title}" if code else "No primary objective in this plan",
            int(n),
            _money(capital),
            _money(operating),
            objective_id=objective_id,
        )
        for objective_id, code, title, n, capital, operating in rows
    ]
    return sorted(lines, key=lambda line: (line.objective_id is None, natural_key(line.key)))


def _with_shares(lines: list[BudgetLine]) -> list[BudgetLine]:
    whole = sum((line.total for line in lines), Decimal(0))
    if not whole:
        return lines
    return [replace(line, share=(line.total * 100 / whole).quantize(Decimal("0.1"))) for line in lines]
