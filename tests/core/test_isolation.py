"""Tenant isolation (SECURITY.md R13): another organization's objects answer 404 and never leak."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.plans import services as plan_services
from tests.core.world import (
    ID_MODELS,
    MISSING_IDS,
    OBJECT_PARAMS,
    Tenant,
    build_tenant,
    build_url,
    changed_tables,
    content_digest,
    form_data,
    methods_of,
    object_rules,
    session_rules,
    signed_in,
    unclassified_params,
    urls_of,
)

# Admin-only pages check the role before loading the object, so the other roles get 403 for any id (their own,
# another organization's or a missing one alike); that answer says nothing about the object, and is allowed.
ADMIN_ONLY = frozenset({"auth.edit_user", "auth.remove_user"})
SESSION_CLOCK = frozenset({("user_session", "last_seen_at")})
# Route parameters naming a part of an initiative, loaded through the initiative named in the same URL.
INITIATIVE_PARTS = frozenset({"milestone_id", "risk_id", "cost_id", "dependency_id", "link_id"})


@pytest.fixture
def tenants():
    return build_tenant("ORGA"), build_tenant("ORGB", plans=3)


def foreign_targets(rule, a: Tenant, b: Tenant) -> list[dict[str, int]]:
    """Ids of OrgB objects, and OrgB's objects nested under OrgA's own (and OrgA's under OrgB's).

    Every OrgB plan, section and user; both of OrgB's KPIs (on an objective and on an initiative); for section
    routes OrgB's section under OrgA's plan; for routes of an initiative's part OrgB's part under OrgA's
    initiative and OrgA's part under OrgB's initiative.
    """
    users = list(b.users.values())
    targets = []
    for n, plan in enumerate(b.plans):
        ids = b.ids(plan_id=plan.id, section_id=plan.sections[n].id, user_id=users[n].id)
        targets.append(ids)
        if "section_id" in rule.arguments:
            targets.append({**ids, "plan_id": a.plan.id})
    targets.append(b.ids(user_id=users[-1].id))
    targets += b.id_variants()
    if set(rule.arguments) & INITIATIVE_PARTS:
        targets.append({**b.ids(), "initiative_id": a.initiative.id})
        targets.append({**a.ids(), "initiative_id": b.initiative.id})
    return targets


def expected_refusal(rule, role: Role) -> int:
    return 403 if rule.endpoint in ADMIN_ONLY and role is not Role.ADMIN else 404


def test_every_route_parameter_is_covered_by_the_isolation_matrix(app):
    unknown = unclassified_params(app)
    assert unknown == [], (
        "route parameters the isolation, CSRF and header tests cannot fill; add each to ID_MODELS "
        "(tests/core/world/routes.py) and Tenant.ids (tests/core/world/tenant.py), with an object made by "
        "build_tenant:\n" + "\n".join(unknown)
    )
    assert set(MISSING_IDS) == OBJECT_PARAMS
    assert {r.endpoint for r in object_rules(app)} >= {
        "plans.show_plan",
        "plans.edit_section",
        "auth.edit_user",
        "plans.restore_revision",
        "plans.edit_scope",
        "objectives.show_objective",
        "objectives.show_kpi",
        "portfolio.show_initiative",
        "portfolio.unlink_objective",
    }


def test_every_tenant_has_an_object_for_every_route_parameter():
    tenant = build_tenant("ORGA")
    for ids in tenant.id_variants():
        assert set(ids) == OBJECT_PARAMS, "Tenant.ids must name an object for every parameter in OBJECT_PARAMS"
        for name, model in ID_MODELS.items():
            assert db.session.get(model, ids[name]) is not None, name


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_other_organizations_objects_are_not_found_for_every_role_route_and_method(app, tenants, role):
    a, b = tenants
    client = signed_in(app, a.users[role])
    before = content_digest(ignore=SESSION_CLOCK)
    problems = []
    for rule in object_rules(app):
        expected = expected_refusal(rule, role)
        for method in methods_of(rule):
            missing_url = build_url(app, rule, MISSING_IDS)
            missing = client.open(missing_url, method=method).status_code
            if missing != expected:
                problems.append(f"{method} {missing_url} (no such objects): {missing}, expected {expected}")
            for url, ids in dict((build_url(app, rule, ids), ids) for ids in foreign_targets(rule, a, b)).items():
                data = form_data(rule.endpoint, b, ids) if method == "POST" else None
                response = client.open(url, method=method, data=data)
                if response.status_code != expected:
                    problems.append(f"{method} {url}: {response.status_code}, expected {expected}")
                if b.canary in response.get_data(as_text=True):
                    problems.append(f"{method} {url}: OrgB canary in the response")
    assert not problems, "\n".join(problems)
    db.session.expire_all()
    changed = changed_tables(before, content_digest(ignore=SESSION_CLOCK))
    assert changed == [], f"a refused request still changed data in {changed}"


def test_ids_of_other_organizations_in_query_strings_and_form_bodies_are_not_found(app, tenants):
    """Objects named outside the URL path: a parent objective, an objective to link, a scope, a list filter."""
    a, b = tenants
    client = signed_in(app, a.users[Role.EDITOR])
    before = content_digest(ignore=SESSION_CLOCK)
    parent = f"/objectives/new?parent_id={b.goal.id}"
    assert client.get(parent).status_code == 404
    assert client.post(parent, data=form_data("objectives.new_objective", a)).status_code == 404
    link = {**form_data("portfolio.link_objective", a), "link-objective": str(b.spare_objective.id)}
    assert client.post(f"/initiatives/{a.initiative.id}/objectives", data=link).status_code == 404
    scope = {"objectives": [str(b.objective.id)], "initiatives": [str(b.initiative.id)]}
    response = client.post(f"/plans/{a.plan.id}/scope", data=scope)
    assert response.status_code == 422 and b.canary not in response.get_data(as_text=True)
    filtered = client.get(f"/initiatives?objective={b.objective.id}")
    assert filtered.status_code == 200 and b.canary not in filtered.get_data(as_text=True)
    db.session.expire_all()
    assert changed_tables(before, content_digest(ignore=SESSION_CLOCK)) == []


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_own_pages_never_show_the_other_organizations_canary(app, tenants, role):
    a, b = tenants
    client = signed_in(app, a.users[role])
    rules = [r for r in session_rules(app) if r.endpoint != "static" and "GET" in methods_of(r)]
    urls = [url for rule in rules for url in urls_of(app, rule, a.id_variants())]
    assert {"/", "/plans", "/objectives", "/initiatives", "/audit", "/admin/users"} <= set(urls)
    seen_own_canary = False
    for url in urls:
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert b.canary not in body, f"OrgB canary on {url}"
        seen_own_canary |= a.canary in body
    assert seen_own_canary, "the crawl never rendered OrgA's own content"


def test_guessed_next_ids_are_not_found(app, tenants):
    a, _ = tenants
    client = signed_in(app, a.users[Role.ADMIN])
    section = a.plan.sections[0]
    guessed = {name: (db.session.scalar(select(func.max(model.id))) or 0) + 1 for name, model in ID_MODELS.items()}
    guessed["number"] = len(section.revisions) + 1
    for rule in object_rules(app):
        for method in methods_of(rule):
            # each guessed id alone, the rest pointing at OrgA's own objects
            for name in sorted(set(rule.arguments)):
                ids = a.ids(**{name: guessed[name]})
                url = build_url(app, rule, ids)
                data = form_data(rule.endpoint, a, ids) if method == "POST" else None
                assert client.open(url, method=method, data=data).status_code == 404, f"{method} {url}"


def _text_of(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER], ids=lambda r: r.value)
def test_removed_section_is_listed_only_under_removed_sections(app, tenants, role):
    a, _ = tenants
    removed = a.plan.sections[1]
    plan_services.save_section(
        removed,
        user=a.users[Role.EDITOR],
        title="Legacy mainframe exit",
        body="Gone text",
        base_version=removed.version,
        ready=False,
    )
    plan_services.remove_section(removed, user=a.users[Role.EDITOR])
    db.session.commit()
    client = signed_in(app, a.users[role])
    html = client.get(f"/plans/{a.plan.id}").get_data(as_text=True)
    table = _text_of(html, r'<table class="[^"]*pw-sections.*?</table>')
    removed_list = _text_of(html, r'<section aria-labelledby="removed-heading".*?</section>')
    assert a.plan.sections[0].title in table
    assert "Legacy mainframe exit" not in table
    assert "Legacy mainframe exit" in removed_list
    assert html.count("Legacy mainframe exit") == removed_list.count("Legacy mainframe exit")
    assert client.get(f"/plans/{a.plan.id}/sections/{removed.id}").status_code == 404
