"""Choosing what a plan covers: editors and admins only, draft plans only, audited, default = everything active."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.portfolio.models import PlanInitiative, PlanObjective
from tests.factories import create_org, create_plan, create_user
from tests.plans.html import main_content, squash
from tests.traceability import builders as b
from tests.traceability.world import build_portfolio


def scope_url(plan) -> str:  # type: ignore[no-untyped-def]
    return f"/plans/{plan.id}/scope"


def chosen(plan) -> tuple[set[int], set[int]]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    objectives = set(db.session.scalars(select(PlanObjective.objective_id).where(PlanObjective.plan_id == plan.id)))
    initiatives = set(db.session.scalars(select(PlanInitiative.initiative_id).where(PlanInitiative.plan_id == plan.id)))
    return objectives, initiatives


def ticked(page: str, name: str) -> set[int]:
    boxes = main_content(page).find_all("input", type="checkbox", name=name)
    return {int(box.attrs["value"] or 0) for box in boxes if "checked" in box.attrs}


def test_a_plan_without_scope_says_it_covers_everything_active(editor_client, org, plan):
    world = build_portfolio(org)
    page = editor_client.get(scope_url(plan)).get_data(as_text=True)
    assert "has not chosen its scope yet, so it covers every active objective and initiative" in squash(page)
    assert ticked(page, "objectives") == set() and ticked(page, "initiatives") == set()
    labels = squash(main_content(page).by_id("initiatives").text)
    assert all(code in labels for code in world.initiatives)


def test_saving_ticked_boxes_sets_the_scope_and_writes_an_audit_event(editor_client, editor, org, plan):
    world = build_portfolio(org)
    g11, ini1 = world.objectives["G1.1"], world.initiatives["INI-1"]
    response = editor_client.post(scope_url(plan), data={"objectives": [str(g11.id)], "initiatives": [str(ini1.id)]})
    assert response.status_code == 302
    assert chosen(plan) == ({g11.id}, {ini1.id})
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.scope")).one()
    assert (event.actor_id, event.object_type, event.object_id) == (editor.id, "plan", plan.id)
    assert json.loads(event.changes)["objectives"]["added"] == ["G1.1"]
    page = editor_client.get(scope_url(plan)).get_data(as_text=True)
    assert "Saved what the plan covers." in page
    assert ticked(page, "objectives") == {g11.id} and ticked(page, "initiatives") == {ini1.id}


def test_unticking_everything_returns_to_the_default_and_is_audited(editor_client, org, plan):
    world = build_portfolio(org)
    editor_client.post(scope_url(plan), data={"objectives": [str(world.objectives["G1.1"].id)]})
    editor_client.post(scope_url(plan), data={"save": "1"})
    assert chosen(plan) == (set(), set())
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "plan.scope")).all()
    assert len(actions) == 2


def test_saving_without_changes_records_nothing(editor_client, org, plan):
    build_portfolio(org)
    editor_client.post(scope_url(plan), data={"save": "1"})
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.scope")).all() == []
    assert "Nothing changed." in editor_client.get(scope_url(plan)).get_data(as_text=True)


def test_include_everything_ticks_every_objective_and_initiative(editor_client, org, plan):
    world = build_portfolio(org)
    assert editor_client.post(scope_url(plan), data={"include_all": "1"}).status_code == 302
    objectives = {o.id for o in [*world.goals.values(), *world.objectives.values()]}
    assert chosen(plan) == (objectives, {i.id for i in world.initiatives.values()})


def test_the_parent_organizations_objectives_can_be_chosen(signed_in):
    state = create_org(name="Statewide Office of the CIO")
    agency = create_org(name="Department of Revenue", parent=state)
    statewide = b.objective(state, "S1", title="Statewide cloud first")
    b.objective(create_org(name="Unrelated County"), "C1", title="County priority")
    agency_editor = create_user(org=agency, role=Role.EDITOR)
    plan = create_plan(org=agency, owner=agency_editor)
    client = signed_in(agency_editor)
    page = client.get(scope_url(plan)).get_data(as_text=True)
    assert "Published by Statewide Office of the CIO" in page
    assert "County priority" not in page
    assert client.post(scope_url(plan), data={"objectives": [str(statewide.id)]}).status_code == 302
    assert chosen(plan) == ({statewide.id}, set())
    assert "Statewide cloud first" in client.get(f"/plans/{plan.id}/traceability").get_data(as_text=True)


def test_another_organizations_objective_is_refused(editor_client, org, plan):
    build_portfolio(org)
    foreign = b.objective(create_org(), "X1")
    response = editor_client.post(scope_url(plan), data={"objectives": [str(foreign.id)]})
    assert response.status_code == 422
    assert "One of the ticked objectives is no longer available" in response.get_data(as_text=True)
    assert chosen(plan) == (set(), set())


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_viewers_and_reviewers_are_refused(signed_in, org, plan, role):
    client = signed_in(create_user(org=org, role=role))
    assert client.get(scope_url(plan)).status_code == 403
    assert client.post(scope_url(plan), data={"include_all": "1"}).status_code == 403
    assert chosen(plan) == (set(), set())


def test_an_admin_may_change_the_scope(signed_in, org, plan):
    world = build_portfolio(org)
    admin = signed_in(create_user(org=org, role=Role.ADMIN))
    assert admin.post(scope_url(plan), data={"initiatives": [str(world.initiatives["INI-3"].id)]}).status_code == 302
    assert chosen(plan) == (set(), {world.initiatives["INI-3"].id})


def test_only_a_draft_plans_scope_can_change(editor_client, org, editor):
    build_portfolio(org)
    approved = create_plan(org=org, owner=editor, status="approved")
    page = editor_client.get(scope_url(approved)).get_data(as_text=True)
    assert "only a draft plan’s scope can be changed" in page
    assert main_content(page).find_all("button", type="submit") == []
    response = editor_client.post(scope_url(approved), data={"include_all": "1"}, follow_redirects=True)
    assert "only a draft plan’s scope can be changed" in response.get_data(as_text=True)
    assert chosen(approved) == (set(), set())


def test_the_default_scope_leaves_out_inactive_objectives_and_initiatives(editor_client, org, plan):
    b.objective(org, "G8", title="Expired before the plan", active_to=date(2025, 6, 30))
    b.objective(org, "G9", title="Current goal")
    b.initiative(org, "INI-8", title="Cancelled project", status="cancelled")
    b.initiative(org, "INI-9", title="Live project", status="in_progress", owner="")
    gaps = editor_client.get(f"/plans/{plan.id}/gaps").get_data(as_text=True)
    assert "Current goal" in gaps and "Live project" in gaps
    assert "Expired before the plan" not in gaps and "Cancelled project" not in gaps
