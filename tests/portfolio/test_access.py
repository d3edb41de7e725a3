"""Another organization's initiatives answer 404 on every portfolio route; readers get 403 on every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Organization, Role, User
from app.extensions import db
from app.portfolio import services
from app.portfolio.models import (
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    Milestone,
    ObjectiveLink,
    Risk,
)
from tests.factories import create_org, create_user
from tests.plans.html import main_content
from tests.portfolio.factories import add_cost, create_initiative, create_objective, depend, link
from tests.portfolio.helpers import initiative_form

ID_PARAMS = {"initiative_id", "milestone_id", "risk_id", "cost_id", "dependency_id", "link_id"}
ROUTE_VALUES = {"fmt": "csv"}  # route parameters that name no object: the spreadsheet format of a download


@dataclass
class Office:
    org: Organization
    users: dict[Role, User]
    ids: dict[str, int]
    canary: str


def build_office(label: str) -> Office:
    """An office with one user per role and an initiative that has one of every part."""
    canary = f"CANARY-{label}"
    org = create_org(name=f"{label} Office")
    users = {role: create_user(org=org, role=role) for role in Role}
    editor = users[Role.EDITOR]
    initiative = create_initiative(org=org, user=editor, code="INI-0001", title=f"Permits {canary}", owner=canary)
    platform = create_initiative(org=org, user=editor, code="INI-0002", title=f"Platform {canary}")
    milestone = services.add_milestone(initiative, user=editor, title=f"Beta {canary}", due_date=date(2027, 1, 1))
    risk = services.add_risk(initiative, user=editor, fields=services.RiskFields(f"Vendor {canary}", 3, 3))
    db.session.commit()
    cost = add_cost(initiative, user=editor, fiscal_year=2027, capital="100")
    depend(initiative, on=platform, user=editor)
    link(initiative, create_objective(org=org, title=f"Objective {canary}"), user=editor)
    ids = {
        "initiative_id": initiative.id,
        "milestone_id": milestone.id,
        "risk_id": risk.id,
        "cost_id": cost.id,
        "dependency_id": fresh_initiative(initiative.id).dependencies[0].id,
        "link_id": fresh_initiative(initiative.id).objective_links[0].id,
    }
    return Office(org=org, users=users, ids=ids, canary=canary)


def fresh_initiative(initiative_id: int) -> Initiative:
    db.session.expire_all()
    initiative = db.session.get(Initiative, initiative_id)
    assert initiative is not None
    return initiative


def portfolio_rules(app):  # type: ignore[no-untyped-def]
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("portfolio.")]


def methods(rule) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def url_for_rule(app, rule, ids: dict[str, int]) -> str:  # type: ignore[no-untyped-def]
    values = {**ROUTE_VALUES, **ids}
    return app.url_map.bind("localhost").build(rule.endpoint, {name: values[name] for name in rule.arguments})


def plausible_data(endpoint: str) -> dict[str, str]:
    """Valid input for each form, so a refusal can only come from the access check."""
    return {
        "portfolio.new_initiative": initiative_form(code="INI-0900"),
        "portfolio.edit_initiative": initiative_form(code="INI-0001", title="Overwritten", version="1"),
        "portfolio.change_status": {"status": "cancelled"},
        "portfolio.add_milestone": {"milestone-title": "Injected", "milestone-due_date": "2027-01-01"},
        "portfolio.edit_milestone": {"milestone-title": "Injected", "milestone-due_date": "2027-01-01"},
        "portfolio.add_risk": {
            "risk-title": "Injected",
            "risk-likelihood": "5",
            "risk-impact": "5",
            "risk-status": "open",
        },
        "portfolio.edit_risk": {
            "risk-title": "Injected",
            "risk-likelihood": "5",
            "risk-impact": "5",
            "risk-status": "open",
        },
        "portfolio.add_cost": {"cost-fiscal_year": "2031", "cost-capital": "1"},
        "portfolio.edit_cost": {"cost-fiscal_year": "2027", "cost-capital": "999"},
        "portfolio.add_dependency": {"dependency-depends_on": "INI-0002"},
    }.get(endpoint, {})


def snapshot(org: Organization) -> list[object]:
    db.session.expire_all()
    initiatives = db.session.execute(
        select(Initiative.id, Initiative.title, Initiative.status, Initiative.deleted_at, Initiative.version)
        .where(Initiative.organization_id == org.id)
        .order_by(Initiative.id)
    ).all()
    counts = [
        db.session.scalar(
            select(func.count()).select_from(model).join(Initiative).where(Initiative.organization_id == org.id)
        )
        for model in (Milestone, Risk, InitiativeCost, ObjectiveLink)
    ]
    milestones = db.session.execute(select(Milestone.title, Milestone.due_date).order_by(Milestone.id)).all()
    costs = db.session.execute(
        select(InitiativeCost.fiscal_year, InitiativeCost.capital).order_by(InitiativeCost.id)
    ).all()
    dependencies = db.session.scalar(select(func.count()).select_from(InitiativeDependency))
    events = db.session.scalar(select(func.count()).where(AuditEvent.organization_id == org.id))
    return [*initiatives, *counts, *milestones, *costs, dependencies, events]


@pytest.fixture
def offices():  # type: ignore[no-untyped-def]
    return build_office("ORGA"), build_office("ORGB")


def test_every_portfolio_route_parameter_is_covered(app):
    params = {name for rule in portfolio_rules(app) for name in rule.arguments}
    assert params == ID_PARAMS | ROUTE_VALUES.keys(), "add the new parameter to build_office and ID_PARAMS"
    assert {rule.endpoint for rule in portfolio_rules(app)} >= {
        "portfolio.list_initiatives",
        "portfolio.new_initiative",
        "portfolio.show_initiative",
        "portfolio.edit_initiative",
        "portfolio.change_status",
        "portfolio.delete_initiative",
    }


def foreign_targets(rule, a: Office, b: Office) -> list[dict[str, int]]:  # type: ignore[no-untyped-def]
    """Office B's ids; for a part of an initiative also B's part under A's initiative, and A's part under B's."""
    if set(rule.arguments) == {"initiative_id"}:
        return [b.ids]
    return [
        b.ids,
        {**b.ids, "initiative_id": a.ids["initiative_id"]},
        {**a.ids, "initiative_id": b.ids["initiative_id"]},
    ]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_another_organizations_initiative_is_not_found_on_every_route_and_method(app, signed_in, offices, role):
    a, b = offices
    client = signed_in(a.users[role])
    before = snapshot(b.org)
    problems = []
    for rule in portfolio_rules(app):
        if not set(rule.arguments) & ID_PARAMS:
            continue
        for method in methods(rule):
            for ids in foreign_targets(rule, a, b):
                url = url_for_rule(app, rule, ids)
                response = client.open(url, method=method, data=plausible_data(rule.endpoint) or None)
                if response.status_code != 404:
                    problems.append(f"{method} {url}: {response.status_code}")
                if b.canary in response.get_data(as_text=True):
                    problems.append(f"{method} {url}: office B's text in the response")
    assert not problems, "\n".join(problems)
    assert snapshot(b.org) == before, "a refused request still changed office B's data"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_own_portfolio_pages_never_show_another_organization(app, signed_in, offices, role):
    a, b = offices
    client = signed_in(a.users[role])
    pages = [client.get("/initiatives"), client.get(f"/initiatives/{a.ids['initiative_id']}")]
    pages += [client.get("/initiatives?q=CANARY"), client.get("/initiatives?sort=cost&order=desc")]
    for response in pages:
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert b.canary not in body
        assert a.canary in body


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER], ids=lambda r: r.value)
def test_readers_get_403_on_every_change_and_nothing_changes(app, signed_in, offices, role):
    a, _ = offices
    client = signed_in(a.users[role])
    before = snapshot(a.org)
    problems = []
    for rule in portfolio_rules(app):
        form_pages = ("portfolio.new_initiative", "portfolio.import_initiatives")
        is_form_page = rule.endpoint in form_pages or rule.endpoint.startswith("portfolio.edit_")
        for method in methods(rule):
            if method == "GET" and not is_form_page:
                continue
            url = url_for_rule(app, rule, a.ids)
            response = client.open(url, method=method, data=plausible_data(rule.endpoint) or None)
            if response.status_code != 403:
                problems.append(f"{method} {url}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot(a.org) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER], ids=lambda r: r.value)
def test_readers_see_the_initiative_without_change_buttons(signed_in, offices, role):
    a, _ = offices
    client = signed_in(a.users[role])
    page = main_content(client.get(f"/initiatives/{a.ids['initiative_id']}").get_data(as_text=True))
    assert page.find_all("form") == []
    assert not [anchor for anchor in page.find_all("a") if anchor.attrs.get("href", "").endswith("/edit")]
    listing = main_content(client.get("/initiatives").get_data(as_text=True))
    assert "/initiatives/new" not in [anchor.attrs.get("href") for anchor in listing.find_all("a")]


def test_a_deleted_initiative_is_not_found_anywhere(app, signed_in, offices):
    a, _ = offices
    editor = signed_in(a.users[Role.EDITOR])
    services.delete_initiative(fresh_initiative(a.ids["initiative_id"]), user=a.users[Role.EDITOR])
    db.session.commit()
    for rule in portfolio_rules(app):
        if set(rule.arguments) & ID_PARAMS:
            for method in methods(rule):
                url = url_for_rule(app, rule, a.ids)
                assert editor.open(url, method=method, data=plausible_data(rule.endpoint) or None).status_code == 404, (
                    url
                )
