"""Tenant isolation of the API (SECURITY.md R13): every route under /api/v1 that names an object answers 404 for
another organization's object, whatever the method, and writes nothing; lists never show another organization's
data. Routes are read from app.url_map, so a new route is covered (or named as uncovered) automatically."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from app.auth.models import Role
from tests.api.world import Api, assert_problem, make_token
from tests.core.world import Tenant, build_tenant, changed_tables, content_digest

PREFIX = "/api/v1/"
# Only the token's own last-use time may change while foreign objects are requested.
TOKEN_CLOCK = frozenset({("api_token", "last_used_at")})
# A valid body for each writing endpoint, so that a refusal is the 404 and not a validation error.
BODIES: dict[str, dict[str, Any]] = {
    "api.patch_section": {"body": "Injected text"},
    "api.put_section": {"title": "Injected", "body": "Injected text", "ready": True},
    "api.patch_initiative": {"title": "Injected title"},
    "api.create_measurement": {"measured_on": date.today().isoformat(), "value": 99},
    "api.request_export": {},
}


def api_rules(app: Flask) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX) and r.endpoint.startswith("api.")]


def object_ids(tenant: Tenant) -> dict[str, int]:
    return {**tenant.ids(), "organization_id": tenant.org.id}


def foreign_id_sets(rule: Rule, a: Tenant, b: Tenant) -> list[dict[str, int]]:
    """B's objects; B's KPI on an initiative; and B's section under A's own plan."""
    sets = [object_ids(b), {**object_ids(b), "kpi_id": b.initiative_kpi.id}]
    if "section_id" in rule.arguments:
        sets.append({**object_ids(a), "section_id": b.plan.sections[0].id})
    return sets


def methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))


@pytest.fixture
def tenants() -> tuple[Tenant, Tenant]:
    return build_tenant("APIA"), build_tenant("APIB")


def test_every_api_route_parameter_names_a_known_object(app):
    known = {
        "plan_id",
        "section_id",
        "objective_id",
        "kpi_id",
        "initiative_id",
        "board_id",
        "decision_id",
        "export_id",
        "organization_id",
    }
    unknown = sorted(f"{arg} in {r.rule}" for r in api_rules(app) for arg in r.arguments if arg not in known)
    assert unknown == [], "add these parameters to foreign_id_sets in tests/api/test_isolation.py: " + ", ".join(
        unknown
    )
    writing = {r.endpoint for r in api_rules(app) if set(methods(r)) - {"GET"} and r.arguments}
    assert writing <= BODIES.keys(), f"give these writing routes a valid body in BODIES: {writing - BODIES.keys()}"


def test_other_organizations_objects_answer_404_on_every_api_route_and_nothing_changes(app, tenants):
    a, b = tenants
    api = Api(app, make_token(a.users[Role.ADMIN], a.org)[1])
    assert api.get("/api/v1/organizations").status_code == 200  # records the token's use before the snapshot
    before = content_digest(ignore=TOKEN_CLOCK)
    checked = []
    adapter = app.url_map.bind("localhost")
    for rule in api_rules(app):
        if not rule.arguments:
            continue
        for ids in foreign_id_sets(rule, a, b):
            url = adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments})
            for method in methods(rule):
                response = api.send(method, url, BODIES.get(rule.endpoint, {}), headers={"If-Match": "*"})
                assert_problem(response, 404)
                assert b.canary not in response.get_data(as_text=True)
                checked.append((method, rule.endpoint))
    assert changed_tables(before, content_digest(ignore=TOKEN_CLOCK)) == []
    assert {endpoint for _, endpoint in checked} >= {"api.get_plan", "api.patch_section", "api.get_decision"}


def test_lists_show_only_the_token_s_organization(app, tenants):
    a, b = tenants
    api = Api(app, make_token(a.users[Role.VIEWER], a.org, scope="read")[1])
    adapter = app.url_map.bind("localhost")
    lists = [r for r in api_rules(app) if not r.arguments and "GET" in methods(r)]
    assert len(lists) >= 6
    for rule in lists:
        response = api.get(adapter.build(rule.endpoint, {}) + "?per_page=100")
        assert response.status_code == 200, rule.rule
        text = response.get_data(as_text=True)
        assert b.canary not in text, rule.rule
    own = api.get("/api/v1/initiatives?per_page=100").get_json()
    assert own["total"] >= 3 and all(i["organization_id"] == a.org.id for i in own["items"])
    nested = api.get(f"/api/v1/boards/{a.governance.board.id}/decisions").get_data(as_text=True)
    assert b.canary not in nested and a.canary in nested
