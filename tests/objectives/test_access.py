"""Who may see and change objectives and KPIs: another organization's answer 404 on every route and
method; viewers and reviewers are refused changes (403); an agency reads its parent's objectives but
never changes them (403)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from app.auth.models import Organization, Role, User
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from tests.factories import create_org, create_user
from tests.objectives.helpers import make_kpi, make_objective, measure

WRITE_DATA = {
    "objectives.new_objective": {"code": "X1", "title": "Injected"},
    "objectives.edit_objective": {"code": "G1", "title": "Overwritten", "version": "1"},
    "objectives.new_kpi": {
        "name": "Injected",
        "unit": "%",
        "baseline_value": "1",
        "baseline_date": "2025-01-01",
        "target_value": "2",
        "target_date": "2026-01-01",
        "direction": "higher",
        "frequency": "monthly",
    },
    "objectives.add_measurement": {"measured_on": "2025-06-01", "value": "99"},
}
WRITE_DATA["objectives.edit_kpi"] = {**WRITE_DATA["objectives.new_kpi"], "name": "Overwritten", "version": "1"}
READ_ONLY = {
    "objectives.list_objectives",
    "objectives.show_objective",
    "objectives.show_kpi",
    "objectives.export_objectives",
    "objectives.export_kpis",
    "objectives.measurements_template",
}
OBJECT_PARAMS = {"objective_id", "kpi_id"}
ROUTE_VALUES = {"fmt": "csv"}  # route parameters that name no object: the spreadsheet format of a download


@dataclass
class Office:
    org: Organization
    editor: User
    goal: PolicyObjective
    kpi: Kpi

    @property
    def ids(self) -> dict[str, int]:
        return {"objective_id": self.goal.id, "kpi_id": self.kpi.id}


def build_office(name: str, *, parent: Organization | None = None) -> Office:
    org = create_org(name=name, parent=parent)
    editor = create_user(org=org, role=Role.EDITOR)
    goal = make_objective(org=org, user=editor, code="G1", title=f"Goal of {name}")
    kpi = make_kpi(objective=goal, user=editor, name=f"KPI of {name}")
    measure(kpi, user=editor, on=date(2025, 3, 31), value="45")
    return Office(org, editor, goal, kpi)


def routes(app: Flask) -> list[tuple[Rule, str]]:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("objectives.")]
    return [(rule, method) for rule in rules for method in sorted((rule.methods or set()) & {"GET", "POST"})]


def url(app: Flask, rule: Rule, ids: dict[str, int]) -> str:
    values = {**ROUTE_VALUES, **ids}
    return app.url_map.bind("localhost").build(rule.endpoint, {name: values[name] for name in rule.arguments})


def fingerprint(org: Organization) -> str:
    """Every objective, KPI and measurement of the organization, hashed."""
    rows = [
        *db.session.execute(select(PolicyObjective.__table__).where(PolicyObjective.organization_id == org.id)),
        *db.session.execute(select(Kpi.__table__).where(Kpi.organization_id == org.id)),
        *db.session.execute(
            select(KpiMeasurement.__table__).join(Kpi).where(Kpi.organization_id == org.id).order_by(KpiMeasurement.id)
        ),
    ]
    db.session.expire_all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def offices() -> tuple[Office, Office]:
    return build_office("Office A"), build_office("Office B")


def test_every_objective_route_is_covered(app):
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    assert endpoints == {
        "objectives.list_objectives",
        "objectives.new_objective",
        "objectives.show_objective",
        "objectives.edit_objective",
        "objectives.delete_objective",
        "objectives.new_kpi",
        "objectives.show_kpi",
        "objectives.edit_kpi",
        "objectives.delete_kpi",
        "objectives.add_measurement",
        "objectives.export_objectives",
        "objectives.export_kpis",
        "objectives.import_measurements",
        "objectives.measurements_template",
    }
    assert {arg for rule, _ in routes(app) for arg in rule.arguments} == OBJECT_PARAMS | ROUTE_VALUES.keys()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_another_organizations_objectives_and_kpis_are_not_found_on_every_route_and_method(
    app, signed_in, offices, role
):
    a, b = offices
    client = signed_in(create_user(org=a.org, role=role))
    before = fingerprint(b.org)
    problems = []
    for rule, method in routes(app):
        if not set(rule.arguments) & OBJECT_PARAMS:
            continue
        for ids in (b.ids, {"objective_id": 10**6, "kpi_id": 10**6}):
            response = client.open(url(app, rule, ids), method=method, data=WRITE_DATA.get(rule.endpoint, {}))
            if response.status_code != 404:
                problems.append(f"{method} {rule.rule} with {ids}: {response.status_code}")
            if "Office B" in response.get_data(as_text=True):
                problems.append(f"{method} {rule.rule}: shows Office B's data")
    assert not problems, "\n".join(problems)
    assert fingerprint(b.org) == before


def test_a_parent_id_of_another_organization_is_not_found(signed_in, offices):
    a, b = offices
    client = signed_in(a.editor)
    assert client.get(f"/objectives/new?parent_id={b.goal.id}").status_code == 404
    before = fingerprint(b.org)
    assert (
        client.post(f"/objectives/new?parent_id={b.goal.id}", data=WRITE_DATA["objectives.new_objective"]).status_code
        == 404
    )
    assert fingerprint(b.org) == before


def test_another_organizations_objectives_never_appear_in_the_list(signed_in, offices):
    a, _ = offices
    html = signed_in(a.editor).get("/objectives").get_data(as_text=True)
    assert "Goal of Office A" in html and "Office B" not in html


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER], ids=lambda r: r.value)
def test_viewers_and_reviewers_read_everything_and_change_nothing(app, signed_in, offices, role):
    a, _ = offices
    client = signed_in(create_user(org=a.org, role=role))
    before = fingerprint(a.org)
    for rule, method in routes(app):
        response = client.open(url(app, rule, a.ids), method=method, data=WRITE_DATA.get(rule.endpoint, {}))
        expected = 200 if rule.endpoint in READ_ONLY else 403
        assert response.status_code == expected, f"{method} {rule.rule}"
    assert fingerprint(a.org) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER], ids=lambda r: r.value)
def test_viewers_see_no_buttons_for_changes(signed_in, offices, role):
    a, _ = offices
    client = signed_in(create_user(org=a.org, role=role))
    pages = [
        client.get(path).get_data(as_text=True)
        for path in ("/objectives", f"/objectives/{a.goal.id}", f"/kpis/{a.kpi.id}")
    ]
    for html in pages:
        assert "/edit" not in html and "/new" not in html and "/delete" not in html and "/measurements" not in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR], ids=lambda r: r.value)
def test_admins_and_editors_may_change_objectives(signed_in, offices, role):
    a, _ = offices
    client = signed_in(create_user(org=a.org, role=role))
    assert client.get(f"/objectives/{a.goal.id}/edit").status_code == 200
    assert client.post("/objectives/new", data={"code": "G2", "title": "Second goal"}).status_code == 302


def test_an_agency_reads_its_parents_objectives_and_kpis_but_cannot_change_them(app, signed_in):
    state = build_office("State CIO")
    agency = create_org(name="Department of Revenue", parent=state.org)
    for role in Role:
        client = signed_in(create_user(org=agency, role=role))
        before = fingerprint(state.org)
        for rule, method in routes(app):
            if not set(rule.arguments) & OBJECT_PARAMS:  # lists, downloads and "add a goal" concern the agency's own
                continue
            response = client.open(url(app, rule, state.ids), method=method, data=WRITE_DATA.get(rule.endpoint, {}))
            expected = 200 if rule.endpoint in READ_ONLY else 403
            assert response.status_code == expected, f"{role.value}: {method} {rule.rule}"
        parent_child = client.post(f"/objectives/new?parent_id={state.goal.id}", data={"code": "R1", "title": "Mine"})
        assert parent_child.status_code == 403, "an agency cannot file objectives under its parent's goal"
        assert fingerprint(state.org) == before


def test_a_parent_office_does_not_see_its_agencies_objectives(signed_in):
    state = create_org(name="State CIO")
    agency = build_office("Department of Revenue", parent=state)
    client = signed_in(create_user(org=state, role=Role.ADMIN))
    assert client.get(f"/objectives/{agency.goal.id}").status_code == 404
    assert client.get(f"/kpis/{agency.kpi.id}").status_code == 404
    assert "Department of Revenue" not in client.get("/objectives").get_data(as_text=True)
