"""Another organization's plan answers 404 on every new route, for every role, and its data never shows."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from app.extensions import db
from app.portfolio.models import PlanInitiative, PlanObjective
from tests.factories import create_org, create_plan, create_user
from tests.plans.helpers import save, section_url, sections_of
from tests.traceability import builders as b
from tests.traceability.world import build_portfolio

ROUTES = [
    ("GET", "/scope"),
    ("POST", "/scope"),
    ("GET", "/traceability"),
    ("GET", "/gaps"),
    ("GET", "/balance"),
]


@pytest.fixture
def other_office():  # type: ignore[no-untyped-def]
    org = create_org(name="Other Agency")
    owner = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=owner)
    secret = b.initiative(org, "SECRET-1", title="Confidential merger system")
    objective = b.objective(org, "S1", title="Confidential objective")
    b.link(secret, objective)
    return plan, secret, objective


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_new_route_answers_404_for_another_organizations_plan(signed_in, org, other_office, role):
    plan, _, objective = other_office
    client = signed_in(create_user(org=org, role=role))
    for method, suffix in ROUTES:
        data = {"objectives": [str(objective.id)], "include_all": "1"} if method == "POST" else None
        response = client.open(f"/plans/{plan.id}{suffix}", method=method, data=data)
        assert response.status_code == 404, f"{method} {suffix}"
        assert "Confidential" not in response.get_data(as_text=True)
    assert db.session.query(PlanObjective).count() == 0


def test_a_missing_plan_answers_404(editor_client):
    for method, suffix in ROUTES:
        assert editor_client.open(f"/plans/999999{suffix}", method=method).status_code == 404


def test_the_preview_endpoint_of_another_organizations_section_answers_404(editor_client, other_office):
    plan, _, _ = other_office
    section = sections_of(plan)[0]
    response = editor_client.post(section_url(section, "/preview"), data={"body": "```planwright initiatives\n```"})
    assert response.status_code == 404


def test_a_scope_row_pointing_at_another_organization_shows_nothing_of_it(editor_client, org, plan, other_office):
    _, secret, objective = other_office
    build_portfolio(org)
    db.session.add_all(
        [
            PlanInitiative(plan_id=plan.id, initiative_id=secret.id),
            PlanObjective(plan_id=plan.id, objective_id=objective.id),
        ]
    )
    db.session.commit()
    section = sections_of(plan)[0]
    blocks = "\n\n".join(
        f"```planwright {n}\n```" for n in ("objectives", "initiatives", "roadmap", "budget", "matrix", "gaps")
    )
    assert save(editor_client, section, body=blocks).status_code == 302
    pages = [f"/plans/{plan.id}{suffix}" for method, suffix in ROUTES if method == "GET"]
    for url in [section_url(section), *pages]:
        page = editor_client.get(url).get_data(as_text=True)
        assert "Confidential" not in page and "SECRET-1" not in page, url
