"""The objectives list and a KPI page run a fixed number of SQL statements, however much data there is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient

from app.auth.models import Role, User
from app.objectives.models import Kpi, PolicyObjective
from tests.factories import create_org, create_user
from tests.objectives.helpers import make_kpi, make_objective, measure
from tests.sql import statements_for


def office(
    signed_in: Callable[[User], FlaskClient], *, objectives: int, kpis: int, measurements: int
) -> tuple[FlaskClient, Kpi, PolicyObjective]:
    """An agency with a tree of objectives three levels deep, KPIs measured by two editors, and a parent
    office publishing objectives of its own. Returns an editor's browser, the agency's last KPI and
    objective G1 (with 3 children and 4 KPIs in the large office, none and 1 in the small one)."""
    parent = create_org()
    parent_editor = create_user(org=parent)
    for n in range(max(objectives // 3, 1)):
        make_kpi(objective=make_objective(org=parent, user=parent_editor, code=f"S{n}"), user=parent_editor)
    org = create_org(parent=parent)
    editors = [create_user(org=org, role=Role.EDITOR) for _ in range(2)]
    tree: list[PolicyObjective] = []
    for n in range(objectives):
        above = tree[n // 3] if n >= 3 and n // 3 < len(tree) else None
        tree.append(make_objective(org=org, user=editors[0], code=f"G{n}", parent=above if n >= 3 else None))
    made = [make_kpi(objective=tree[n % min(len(tree), 5)], user=editors[0], name=f"KPI {n}") for n in range(kpis)]
    for kpi in made:
        for month in range(measurements):
            measure(kpi, user=editors[month % 2], on=date(2025, month + 1, 15), value=str(40 + month), note=f"m{month}")
    return signed_in(editors[0]), made[-1], tree[1]


def test_statement_counter_sees_the_page_queries(signed_in):
    client, kpi, _ = office(signed_in, objectives=3, kpis=2, measurements=1)
    assert any("FROM kpi_measurement" in s for s in statements_for(client, f"/kpis/{kpi.id}"))


def test_objectives_list_runs_the_same_statements_for_3_or_30_objectives(signed_in):
    small_client, _, _ = office(signed_in, objectives=3, kpis=2, measurements=1)
    large_client, _, _ = office(signed_in, objectives=30, kpis=20, measurements=12)
    small = statements_for(small_client, "/objectives")
    large = statements_for(large_client, "/objectives")
    assert len(large) == len(small), "\n\n".join(large)


def test_kpi_page_runs_the_same_statements_for_1_or_12_measurements(signed_in):
    small_client, small_kpi, _ = office(signed_in, objectives=3, kpis=2, measurements=1)
    large_client, large_kpi, _ = office(signed_in, objectives=30, kpis=20, measurements=12)
    small = statements_for(small_client, f"/kpis/{small_kpi.id}")
    large = statements_for(large_client, f"/kpis/{large_kpi.id}")
    assert len(large) == len(small), "\n\n".join(large)


def test_objective_page_runs_the_same_statements_for_few_or_many_kpis_and_children(signed_in):
    small_client, _, small_goal = office(signed_in, objectives=3, kpis=2, measurements=1)
    large_client, _, large_goal = office(signed_in, objectives=30, kpis=20, measurements=12)
    small = statements_for(small_client, f"/objectives/{small_goal.id}")
    large = statements_for(large_client, f"/objectives/{large_goal.id}")
    assert len(large) == len(small), "\n\n".join(large)
