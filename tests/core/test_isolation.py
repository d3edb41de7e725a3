"""Tenant isolation (SECURITY.md R13): another organization's objects answer 404 and never leak."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Membership, Role, User
from app.extensions import db
from app.plans import services as plan_services
from app.plans.models import Plan, PlanSection, SectionRevision
from tests.core.world import (
    build_tenant,
    build_url,
    form_data,
    methods_of,
    object_rules,
    signed_in,
    unclassified_params,
)


@pytest.fixture
def tenants():
    return build_tenant("ORGA"), build_tenant("ORGB", plans=3)


def foreign_targets(rule, a, b) -> list[dict[str, int]]:
    """Ids of OrgB objects; for section routes also OrgB's section under OrgA's own plan."""
    users = list(b.users.values())
    targets = []
    for n, plan in enumerate(b.plans):
        ids = {"plan_id": plan.id, "section_id": plan.sections[n].id, "number": 1, "user_id": users[n].id}
        targets.append(ids)
        if "section_id" in rule.arguments:
            targets.append({**ids, "plan_id": a.plan.id})
    targets.append({**targets[0], "user_id": users[-1].id})
    return targets


def snapshot_of(b) -> list[tuple]:
    sections = db.session.execute(
        select(
            PlanSection.id,
            PlanSection.title,
            PlanSection.body,
            PlanSection.version,
            PlanSection.deleted_at,
            PlanSection.position,
        )
        .join(Plan)
        .where(Plan.organization_id == b.org.id)
        .order_by(PlanSection.id)
    ).all()
    roles = db.session.execute(
        select(Membership.user_id, Membership.role, User.active)
        .join(User)
        .where(Membership.organization_id == b.org.id)
        .order_by(Membership.user_id)
    ).all()
    events = db.session.scalar(select(func.count()).where(AuditEvent.organization_id == b.org.id))
    revisions = db.session.scalar(select(func.count()).select_from(SectionRevision))
    plans = db.session.scalar(select(func.count()).where(Plan.organization_id == b.org.id))
    return [*sections, *roles, events, revisions, plans]


def test_every_route_parameter_is_covered_by_the_isolation_matrix(app):
    assert unclassified_params(app) == set(), "add ids for these parameters to tests/core/world.OBJECT_PARAMS"
    assert {r.endpoint for r in object_rules(app)} >= {
        "plans.show_plan",
        "plans.edit_section",
        "auth.edit_user",
        "plans.restore_revision",
    }


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_other_organizations_objects_are_not_found_for_every_role_route_and_method(app, tenants, role):
    a, b = tenants
    client = signed_in(app, a.users[role])
    sections = {s.id: s for s in b.sections}
    before = snapshot_of(b)
    problems = []
    for rule in object_rules(app):
        for method in methods_of(rule):
            missing = {"plan_id": 10**6, "section_id": 10**6, "number": 999, "user_id": 10**6}
            refused = client.open(build_url(app, rule, missing), method=method).status_code
            for ids in foreign_targets(rule, a, b):
                url = build_url(app, rule, ids)
                data = form_data(rule.endpoint, section=sections.get(ids["section_id"]))
                response = client.open(url, method=method, data=data if method == "POST" else None)
                expected = 403 if refused == 403 and role is not Role.ADMIN else 404
                if response.status_code != expected:
                    problems.append(f"{method} {url}: {response.status_code}, expected {expected}")
                if b.canary in response.get_data(as_text=True):
                    problems.append(f"{method} {url}: OrgB canary in the response")
    assert not problems, "\n".join(problems)
    db.session.expire_all()
    assert snapshot_of(b) == before, "a refused request still changed OrgB's data"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_own_pages_never_show_the_other_organizations_canary(app, tenants, role):
    a, b = tenants
    client = signed_in(app, a.users[role])
    own = {"plan_id": a.plan.id, "section_id": a.plan.sections[0].id, "number": 1, "user_id": a.users[Role.VIEWER].id}
    urls = ["/", "/plans", "/plans/new", "/audit", "/admin/users", "/admin/users/new", "/accessibility"]
    urls += [build_url(app, r, own) for r in object_rules(app) if "GET" in methods_of(r)]
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
    guessed = {
        "plan_id": db.session.scalar(select(func.max(Plan.id))) + 1,
        "section_id": db.session.scalar(select(func.max(PlanSection.id))) + 1,
        "user_id": db.session.scalar(select(func.max(User.id))) + 1,
        "number": len(section.revisions) + 1,
    }
    for rule in object_rules(app):
        for method in methods_of(rule):
            # each guessed id alone, the rest pointing at OrgA's own plan, section and user
            for name in sorted(set(rule.arguments)):
                ids = {
                    "plan_id": a.plan.id,
                    "section_id": section.id,
                    "number": 1,
                    "user_id": a.users[Role.VIEWER].id,
                    name: guessed[name],
                }
                url = build_url(app, rule, ids)
                data = form_data(rule.endpoint, section=section) if method == "POST" else None
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
