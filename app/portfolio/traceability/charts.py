"""Bar charts of a plan's budget (``app.core.charts``); the tables beside them give the exact amounts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

from app.core.charts import bar_chart
from app.portfolio.models import Category
from app.portfolio.traceability.balance import BudgetLine, YearBudget

MILLION, THOUSAND = Decimal(1_000_000), Decimal(1_000)


def _scale(amounts: Sequence[Decimal]) -> tuple[Decimal, str, str]:
    """Divisor, axis unit and words, so axis labels stay short: 2.5 M rather than 2,500,000."""
    largest = max(amounts, default=Decimal(0))
    if largest >= MILLION:
        return MILLION, "M", "millions of dollars"
    if largest >= THOUSAND:
        return THOUSAND, "k", "thousands of dollars"
    return Decimal(1), "", "dollars"


def _scaled(amount: Decimal, divisor: Decimal) -> Decimal:
    return (amount / divisor).quantize(Decimal("0.01"))


def category_chart(lines: Sequence[BudgetLine], *, chart_id: str) -> Markup | None:
    """Capital and operating budget of each category as stacked bars; None when there is no budget."""
    if not any(line.total for line in lines):
        return None
    divisor, unit, words = _scale([line.total for line in lines])
    return bar_chart(
        [line.label for line in lines],
        [
            ("Capital", [_scaled(line.capital, divisor) for line in lines]),
            ("Operating", [_scaled(line.operating, divisor) for line in lines]),
        ],
        title=f"Budget by category, in {words}",
        description="Stacked bars of capital and operating budget for Run, Change and Transform initiatives. "
        "The table above gives the exact amounts.",
        unit=unit,
        stacked=True,
        chart_id=chart_id,
    )


def year_chart(years: Sequence[YearBudget], *, chart_id: str) -> Markup | None:
    """Budget of each fiscal year as bars stacked by category; None when there is no budget."""
    if not any(year.total for year in years):
        return None
    divisor, unit, words = _scale([year.total for year in years])
    return bar_chart(
        [f"FY{year.year}" for year in years],
        [(c.label, [_scaled(year.by_category[c.value], divisor) for year in years]) for c in Category],
        title=f"Budget by fiscal year, in {words}",
        description="Stacked bars of each fiscal year's budget split into Run, Change and Transform. "
        "The table above gives the exact amounts.",
        unit=unit,
        stacked=True,
        chart_id=chart_id,
    )
