"""Portfolio balance: counts and budgets by category, primary objective and fiscal year, exact to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.plans.scope import scope_of
from app.portfolio import traceability
from tests.plans.html import main_content
from tests.traceability import builders as b
from tests.traceability.html import grid, seen
from tests.traceability.world import build_portfolio


@pytest.fixture
def budgeted(org):  # type: ignore[no-untyped-def]
    """INI-1 (transform) and INI-2 (change) with costs; INI-3 and 30 small run initiatives of ten cents each."""
    world = build_portfolio(org)
    ini1, ini2 = world.initiatives["INI-1"], world.initiatives["INI-2"]
    b.cost(ini1, 2027, "1234567.89", "0.11", commit=False)
    b.cost(ini1, 2028, "0.10", "0.20", commit=False)
    b.cost(ini1, 2031, "5000.00", "5000.00", commit=False)  # after the plan's period: not counted
    b.cost(ini2, 2027, "999999999.99", "0.01", commit=False)
    for n in range(30):  # 0.1 added 30 times is 3.0000000000000004 in floating point
        small = b.initiative(org, f"RUN-{n:02d}", category="run", commit=False)
        b.cost(small, 2029, "0.10", commit=False)
    db.session.commit()
    return world


def test_sums_by_category_are_exact_to_the_cent(plan, budgeted):
    result = traceability.balance(scope_of(plan))
    assert [(line.label, line.count, line.capital, line.operating) for line in result.by_category] == [
        ("Run", 31, Decimal("3.00"), Decimal("0.00")),
        ("Change", 1, Decimal("999999999.99"), Decimal("0.01")),
        ("Transform", 1, Decimal("1234567.99"), Decimal("0.31")),
    ]
    assert (result.total.count, result.total.total) == (33, Decimal("1001234571.30"))
    assert [line.share for line in result.by_category] == [Decimal("0.0"), Decimal("99.9"), Decimal("0.1")]


def test_sums_by_fiscal_year_cover_every_year_of_the_period(plan, budgeted):
    years = traceability.balance(scope_of(plan)).by_year
    assert [(y.year, y.count, y.capital, y.operating) for y in years] == [
        (2027, 2, Decimal("1001234567.88"), Decimal("0.12")),
        (2028, 1, Decimal("0.10"), Decimal("0.20")),
        (2029, 30, Decimal("3.00"), Decimal("0.00")),
        (2030, 0, Decimal("0.00"), Decimal("0.00")),
    ]
    assert years[0].by_category == {
        "run": Decimal("0.00"),
        "change": Decimal("1000000000.00"),
        "transform": Decimal("1234568.00"),
    }


def test_each_initiative_counts_once_under_its_primary_objective(plan, budgeted):
    lines = traceability.balance(scope_of(plan)).by_objective
    assert [(line.label, line.count, line.total) for line in lines] == [
        ("G1.1 One front door for permits", 1, Decimal("1234568.30")),
        ("G1.2.1 Translate the top 20 forms", 1, Decimal("1000000000.00")),
        ("No primary objective in this plan", 31, Decimal("3.00")),
    ]


def test_the_balance_page_shows_the_tables_with_totals_and_charts(editor_client, plan, budgeted):
    response = editor_client.get(f"/plans/{plan.id}/balance")
    assert response.status_code == 200
    page = main_content(response.get_data(as_text=True))
    by_category, by_year, by_objective = page.find_all("table")
    assert grid(by_category, seen)[-1] == [
        "All initiatives",
        "33",
        "$1,001,234,570.98",
        "$0.32",
        "$1,001,234,571.30",
        "100%",
    ]
    assert grid(by_category, seen)[2] == ["Change", "1", "$999,999,999.99", "$0.01", "$1,000,000,000.00", "99.9%"]
    assert grid(by_year, seen)[1][0] == "FY2027"
    assert grid(by_year, seen)[-1][-1] == "$1,001,234,571.30"
    assert [row[0] for row in grid(by_objective, seen)[1:-1]] == [
        "G1.1 One front door for permits",
        "G1.2.1 Translate the top 20 forms",
        "No primary objective in this plan",
    ]
    charts = page.find_all("svg")
    assert [chart.attrs["role"] for chart in charts] == ["img", "img"]
    assert [chart.find("title").text for chart in charts] == [
        "Budget by category, in millions of dollars",
        "Budget by fiscal year, in millions of dollars",
    ]


def test_a_plan_with_no_costs_shows_zeros_and_no_chart(editor_client, org, plan):
    build_portfolio(org)
    page = main_content(editor_client.get(f"/plans/{plan.id}/balance").get_data(as_text=True))
    assert page.find_all("svg") == []
    assert grid(page.find_all("table")[0], seen)[-1] == ["All initiatives", "3", "$0.00", "$0.00", "$0.00", "0%"]
