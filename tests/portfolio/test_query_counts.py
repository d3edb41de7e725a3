"""Portfolio pages run a fixed number of SQL statements, however many initiatives or parts there are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio import services
from app.portfolio.models import Initiative
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative, create_objective
from tests.sql import statements_for


def furnish(initiative: Initiative, *, user: User, parts: int, others: list[Initiative], org: Organization) -> None:
    """Give the initiative ``parts`` milestones, risks, yearly costs, dependencies and objective links."""
    for n in range(parts):
        services.add_milestone(initiative, user=user, title=f"Step {n}", due_date=date(2027, 1, 1 + n))
        services.add_risk(initiative, user=user, fields=services.RiskFields(f"Risk {n}", 1 + n % 5, 5))
        services.add_cost(initiative, user=user, fiscal_year=2027 + n, capital=Decimal("10.50"), operating=Decimal(n))
        services.add_dependency(initiative, user=user, depends_on=others[n])
        services.link_objective(initiative, user=user, objective=create_objective(org=org), role="supporting")
    db.session.commit()


def office(signed_in, *, initiatives: int, parts: int):  # type: ignore[no-untyped-def]
    """An office whose initiatives each have costs and an objective; the first has ``parts`` of everything."""
    org = create_org()
    editor = create_user(org=org)
    objective = create_objective(org=org)
    created = [
        create_initiative(org=org, user=editor, title=f"Initiative {n}", owner="Dana") for n in range(initiatives)
    ]
    for n, initiative in enumerate(created[1:], start=1):
        services.add_cost(initiative, user=editor, fiscal_year=2027, capital=Decimal(n), operating=Decimal("0.25"))
        services.link_objective(initiative, user=editor, objective=objective, role="primary")
    db.session.commit()
    furnish(created[0], user=editor, parts=parts, others=created[1 : parts + 1], org=org)
    return signed_in(editor), created[0], objective


def test_the_counter_sees_the_list_query(signed_in):
    client, _, _ = office(signed_in, initiatives=3, parts=1)
    assert any("FROM initiative" in s for s in statements_for(client, "/initiatives"))


LIST_URLS = [
    "/initiatives",
    "/initiatives?sort=cost&order=desc",
    "/initiatives?fy=2027&owner=dana&q=Initiative&category=change&status=proposed&sort=start",
]


def test_the_list_runs_the_same_statements_for_10_or_500_initiatives(signed_in):
    small_client, _, small_objective = office(signed_in, initiatives=10, parts=1)
    large_client, _, large_objective = office(signed_in, initiatives=500, parts=1)
    for url in LIST_URLS:
        small = statements_for(small_client, url)
        large = statements_for(large_client, url)
        assert len(large) == len(small), url + "\n\n" + "\n\n".join(large)
    small = statements_for(small_client, f"/initiatives?objective={small_objective.id}&page=1")
    large = statements_for(large_client, f"/initiatives?objective={large_objective.id}&page=8")
    assert len(large) == len(small)


def test_the_initiative_page_runs_the_same_statements_for_1_or_8_of_each_part(signed_in):
    small_client, small, _ = office(signed_in, initiatives=3, parts=1)
    large_client, large, _ = office(signed_in, initiatives=10, parts=8)
    assert len(db.session.get(Initiative, large.id).costs) == 8
    small_statements = statements_for(small_client, f"/initiatives/{small.id}")
    large_statements = statements_for(large_client, f"/initiatives/{large.id}")
    assert len(large_statements) == len(small_statements), "\n\n".join(large_statements)
