"""List pages must not run one query per plan or per section (no N+1)."""

from app.auth.models import Role
from tests.factories import create_org, create_plan, create_user
from tests.plans.helpers import save, section_url, sections_of
from tests.sql import statements_for


def office(signed_in, *, plans: int, template: str):  # type: ignore[no-untyped-def]
    """An office with several plans whose sections were saved by different editors; returns a client and a plan."""
    org = create_org()
    editors = [create_user(org=org, role=Role.EDITOR) for _ in range(2)]
    clients = [signed_in(editor) for editor in editors]
    created = [create_plan(org=org, owner=editors[n % 2], template_key=template) for n in range(plans)]
    busiest = created[-1]
    for n, section in enumerate(sections_of(busiest)):
        save(clients[n % 2], section, body=f"Section {n} text.", ready=n % 3 == 0)
    clients[0].post(section_url(sections_of(busiest)[1], "/delete"))
    return clients[0], busiest


def test_statement_counter_sees_request_queries(signed_in):
    client, plan = office(signed_in, plans=1, template="compact-five-section")
    assert any("FROM plan" in s for s in statements_for(client, f"/plans/{plan.id}"))


def test_plan_list_runs_the_same_queries_for_2_or_8_plans(signed_in):
    small_client, _ = office(signed_in, plans=2, template="compact-five-section")
    large_client, _ = office(signed_in, plans=8, template="us-state-customer-centric")
    small = statements_for(small_client, "/plans")
    large = statements_for(large_client, "/plans")
    assert len(large) == len(small), "\n\n".join(large)


def test_plan_overview_runs_the_same_queries_for_5_or_14_sections(signed_in):
    small_client, small_plan = office(signed_in, plans=2, template="compact-five-section")
    large_client, large_plan = office(signed_in, plans=8, template="us-state-customer-centric")
    small = statements_for(small_client, f"/plans/{small_plan.id}")
    large = statements_for(large_client, f"/plans/{large_plan.id}")
    assert len(large) == len(small), "\n\n".join(large)
