"""Workforce services: their rules, the audit event each change writes, and refusals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.audit.models import AuditEvent
from app.core.errors import PermissionDenied
from app.extensions import db
from app.workforce import needs, queries, services
from app.workforce.common import EditConflict, FieldError
from app.workforce.models import InitiativeFteNeed, JobRole, RoleCapacity, SkillGap, WorkforceAction
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative
from tests.workforce.conftest import Office, make_office


def last_event() -> AuditEvent:
    return db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()


def capacity(year: int, current: str, attrition: str = "0", required: str = "0") -> services.CapacityFields:
    return services.CapacityFields(year, Decimal(current), Decimal("0"), Decimal(attrition), Decimal(required))


def test_creating_a_role_is_audited_with_its_values(office: Office):
    role = services.create_role(
        organization=office.org, user=office.editor, fields=services.RoleFields("Data engineer", "Data", "Pipelines")
    )
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == ("job_role.create", "job_role", role.id)
    assert json.loads(event.changes) == {"name": "Data engineer", "family": "Data", "description": "Pipelines"}


def test_a_role_name_is_unique_in_the_organization_whatever_its_capitals(office: Office):
    with pytest.raises(FieldError, match="already a role called") as refused:
        services.create_role(
            organization=office.org, user=office.editor, fields=services.RoleFields("CYBERSECURITY analyst")
        )
    assert refused.value.field == "name"
    other = create_org()
    editor = create_user(org=other)
    assert services.create_role(organization=other, user=editor, fields=services.RoleFields("Cybersecurity analyst"))


def test_viewers_cannot_change_the_workforce_plan(office: Office):
    with pytest.raises(PermissionDenied):
        services.create_role(organization=office.org, user=office.viewer, fields=services.RoleFields("Spy"))
    with pytest.raises(PermissionDenied):
        services.add_capacity(office.role, user=office.viewer, fields=capacity(2029, "1"))


def test_a_stale_role_form_is_refused_and_changes_nothing(office: Office):
    stale = office.role.version
    services.update_role(
        office.role, user=office.editor, fields=services.RoleFields("Security analyst"), base_version=stale
    )
    db.session.commit()
    with pytest.raises(EditConflict):
        services.update_role(office.role, user=office.editor, fields=services.RoleFields("Other"), base_version=stale)
    assert office.role.name == "Security analyst"


def test_capacity_rules_one_row_a_year_and_attrition_within_the_filled_fte(office: Office):
    with pytest.raises(FieldError, match="already has figures for FY2028"):
        services.add_capacity(office.role, user=office.editor, fields=capacity(2028, "5"))
    with pytest.raises(FieldError, match="cannot be more than the filled FTE") as refused:
        services.add_capacity(office.role, user=office.editor, fields=capacity(2029, "5", attrition="6"))
    assert refused.value.field == "attrition"
    with pytest.raises(FieldError, match="two decimal places"):
        services.add_capacity(office.role, user=office.editor, fields=capacity(2029, "5.125"))
    row = services.add_capacity(office.role, user=office.editor, fields=capacity(2029, "24.5", attrition="1.5"))
    assert row.available == Decimal("23.0")
    assert last_event().action == "job_role.capacity.create"


def test_a_gap_needs_a_target_above_the_current_level_and_a_skill_of_the_organization(office: Office):
    other = create_org()
    outsider = services.create_skill(
        organization=other, user=create_user(org=other), fields=services.SkillFields("Cobol")
    )
    with pytest.raises(FieldError, match="your organization"):
        services.add_gap(office.role, user=office.editor, skill=outsider, fields=services.GapFields(0, 2))
    spare = services.create_skill(organization=office.org, user=office.editor, fields=services.SkillFields("Cobol"))
    with pytest.raises(FieldError, match="must be above the current level"):
        services.add_gap(office.role, user=office.editor, skill=spare, fields=services.GapFields(3, 3))
    with pytest.raises(FieldError, match="already has a gap"):
        services.add_gap(office.role, user=office.editor, skill=office.skill, fields=services.GapFields(0, 2))


def test_an_action_is_for_a_role_or_gaps_of_the_organization(office: Office):
    base = {"action_type": "training", "title": "Academy", "cost": Decimal("1000.00")}
    with pytest.raises(FieldError, match="choose a role, one or more skill gaps"):
        services.create_action(organization=office.org, user=office.editor, fields=services.ActionFields(**base))
    stranger = make_office(name="County IT")
    with pytest.raises(FieldError, match="no longer exist"):
        services.create_action(
            organization=office.org,
            user=office.editor,
            fields=services.ActionFields(**base, gap_ids=(stranger.gap.id,)),
        )
    action = services.create_action(
        organization=office.org, user=office.editor, fields=services.ActionFields(**base, gap_ids=(office.gap.id,))
    )
    assert json.loads(last_event().changes)["gaps"] == ["Cybersecurity analyst: Zero trust"]
    changed = services.update_action(
        action,
        user=office.editor,
        fields=services.ActionFields(**base, role_id=office.role.id),
        base_version=action.version,
    )
    assert changed and action.gaps == [] and action.role_id == office.role.id
    assert json.loads(last_event().changes)["gaps"] == {"before": ["Cybersecurity analyst: Zero trust"], "after": []}


def test_deleting_a_role_removes_its_figures_gaps_and_needs_and_keeps_its_actions(office: Office):
    action = services.create_action(
        organization=office.org,
        user=office.editor,
        fields=services.ActionFields("hiring", "Hire six analysts", role_id=office.role.id),
    )
    role_id = office.role.id
    services.delete_role(office.role, user=office.editor)
    db.session.commit()
    changes = json.loads(last_event().changes)
    assert changes["capacity_years"] == [2028] and changes["skill_gaps"] == 1 and changes["initiative_fte_needs"] == 1
    for model, column in ((RoleCapacity, "role_id"), (SkillGap, "role_id"), (InitiativeFteNeed, "role_id")):
        assert db.session.scalar(db.select(db.func.count()).where(getattr(model, column) == role_id)) == 0
    assert db.session.get(JobRole, role_id) is None
    assert db.session.get(WorkforceAction, action.id).role_id is None  # type: ignore[union-attr]


def test_an_initiative_need_is_positive_once_per_role_and_year_and_audited_on_the_initiative(office: Office):
    for fte, message in (("0", "more than 0"), ("-1", "more than 0"), ("1.234", "two decimal places")):
        with pytest.raises(FieldError, match=message):
            needs.add_need(office.initiative, user=office.editor, role=office.role, fiscal_year=2029, fte=Decimal(fte))
    with pytest.raises(FieldError, match="already needs Cybersecurity analyst in FY2028"):
        needs.add_need(office.initiative, user=office.editor, role=office.role, fiscal_year=2028, fte=Decimal("1"))
    stranger = make_office(name="County IT")
    with pytest.raises(FieldError, match="your organization"):
        needs.add_need(office.initiative, user=office.editor, role=stranger.role, fiscal_year=2029, fte=Decimal("1"))
    needs.add_need(office.initiative, user=office.editor, role=office.role, fiscal_year=2029, fte=Decimal("0.5"))
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == (
        "initiative.fte_need.create",
        "initiative",
        office.initiative.id,
    )
    assert event.summary == "INI-0001 needs 0.5 FTE of Cybersecurity analyst in FY2029"


def test_capacity_lines_count_only_initiatives_that_still_need_people(office: Office):
    done = create_initiative(org=office.org, user=office.editor, code="INI-0100", title="Finished work")
    needs.add_need(done, user=office.editor, role=office.role, fiscal_year=2028, fte=Decimal("50"))
    done.status = "completed"
    db.session.commit()
    (line,) = queries.capacity_lines(office.org.id, 2028, queries.organization_scope(office.org.id))
    assert (line.available, line.demand, line.shortfall) == (Decimal("18.00"), Decimal("19.00"), Decimal("1.00"))
    assert [need.code for need in line.initiatives] == ["INI-0001"]
    (empty,) = queries.capacity_lines(office.org.id, 2035, queries.organization_scope(office.org.id))
    assert not empty.has_figures and empty.shortfall == 0
