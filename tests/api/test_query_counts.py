"""The API's lists run a fixed number of SQL statements, however many items a page holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.objectives import services as objective_services
from app.portfolio import services as portfolio_services
from app.portfolio.services import InitiativeFields
from tests.api.world import Api, make_objective_with_kpi, make_token
from tests.factories import create_plan
from tests.sql import counted_statements

LISTS = ["/api/v1/initiatives", "/api/v1/kpis", "/api/v1/objectives", "/api/v1/plans"]


def _grow(org, editor, start: int, count: int) -> None:
    for n in range(start, start + count):
        objective, kpi = make_objective_with_kpi(org, editor, code=f"G{n}")
        objective_services.add_measurement(kpi, user=editor, measured_on=date(2025, 3, 1), value=Decimal(n))
        initiative = portfolio_services.create_initiative(
            organization=org, user=editor, fields=InitiativeFields(code=f"INI-{n:04d}", title=f"Item {n}")
        )
        portfolio_services.link_objective(initiative, user=editor, objective=objective, role="primary")
        create_plan(org=org, owner=editor, title=f"Plan {n}")


def _statements(api: Api, url: str) -> int:
    with counted_statements() as statements:
        assert api.get(url + "?per_page=100").status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_runs_the_same_statements_for_2_and_12_items(app, org, editor, plan, url):
    api = Api(app, make_token(editor)[1])
    _grow(org, editor, 1, 2)
    api.get("/api/v1/organizations")  # the token's last use is written once, outside the counted requests
    few = _statements(api, url)
    _grow(org, editor, 3, 10)
    assert _statements(api, url) == few
