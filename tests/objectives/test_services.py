"""Objective, KPI and measurement services: business rules, refusals and the audit trail."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.objectives import services
from app.objectives.models import Direction, Kpi, KpiMeasurement, PolicyObjective
from app.portfolio.models import Initiative, ObjectiveLink, PlanObjective
from tests.factories import create_org, create_plan, create_user
from tests.objectives.helpers import BASELINE_DAY, fresh, kpi_fields, make_kpi, make_objective, measure

FAR_FUTURE = date(2100, 1, 1)


def events(object_id: int, object_type: str = "policy_objective") -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.seq)
        )
    )


def objective_count(org) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).where(PolicyObjective.organization_id == org.id)) or 0


def make_initiative(*, org, code: str = "INI-0001") -> Initiative:  # type: ignore[no-untyped-def]
    initiative = Initiative(organization_id=org.id, code=code, title=f"Initiative {code}")
    db.session.add(initiative)
    db.session.commit()
    return initiative


# --- hierarchy ---------------------------------------------------------------------------------------


def test_children_are_one_level_deeper_than_their_parent_down_to_level_four(org, editor):
    goal = make_objective(org=org, user=editor, code="G1")
    level2 = make_objective(org=org, user=editor, code="G1.1", parent=goal)
    level3 = make_objective(org=org, user=editor, code="G1.1.1", parent=level2)
    level4 = make_objective(org=org, user=editor, code="G1.1.1.1", parent=level3)
    assert [o.depth for o in (goal, level2, level3, level4)] == [1, 2, 3, 4]
    assert level4.parent_id == level3.id and goal.parent_id is None


def test_a_fifth_level_is_refused_with_a_message_and_nothing_is_saved(org, editor):
    parent = None
    for code in ("G1", "G1.1", "G1.1.1", "G1.1.1.1"):
        parent = make_objective(org=org, user=editor, code=code, parent=parent)
    before = objective_count(org)
    with pytest.raises(DomainError, match=re.escape("G1.1.1.1 is already at level 4, the deepest level")):
        services.create_objective(
            organization=org,
            user=editor,
            parent=parent,
            fields=services.ObjectiveFields(code="G1.1.1.1.1", title="Too deep"),
        )
    db.session.rollback()
    assert objective_count(org) == before


def test_a_parent_of_another_organization_is_refused(org, editor):
    other = create_org()
    foreign_goal = make_objective(org=other, user=create_user(org=other), code="G1")
    with pytest.raises(DomainError, match="same organization"):
        services.create_objective(
            organization=org, user=editor, parent=foreign_goal, fields=services.ObjectiveFields(code="G7", title="x")
        )


def test_a_duplicate_code_is_refused_naming_the_objective_that_has_it(org, editor):
    make_objective(org=org, user=editor, code="G2.1", title="Modernise legacy systems")
    with pytest.raises(services.InvalidField) as refused:
        services.create_objective(
            organization=org, user=editor, fields=services.ObjectiveFields(code="g2.1", title="Something else")
        )
    assert refused.value.field == "code"
    assert str(refused.value) == "Code G2.1 is already used by “Modernise legacy systems”. Choose another code."


def test_the_same_code_may_be_used_by_another_organization(org, editor):
    make_objective(org=org, user=editor, code="G1")
    other = create_org()
    assert make_objective(org=other, user=create_user(org=other), code="G1").code == "G1"


def test_the_code_of_a_deleted_objective_stays_reserved_with_a_reason(org, editor):
    old = make_objective(org=org, user=editor, code="G9", title="Retired goal")
    services.delete_objective(old, user=editor)
    db.session.commit()
    with pytest.raises(services.InvalidField, match="was used by the deleted objective “Retired goal”"):
        services.create_objective(
            organization=org, user=editor, fields=services.ObjectiveFields(code="G9", title="New")
        )


def test_an_active_period_must_not_end_before_it_starts(org, editor):
    fields = services.ObjectiveFields(code="G3", title="t", active_from=date(2027, 7, 1), active_to=date(2027, 6, 30))
    with pytest.raises(services.InvalidField, match="end of the active period must be on or after its start"):
        services.create_objective(organization=org, user=editor, fields=fields)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_viewers_and_reviewers_cannot_add_objectives(org, role):
    with pytest.raises(PermissionDenied):
        services.create_objective(
            organization=org,
            user=create_user(org=org, role=role),
            fields=services.ObjectiveFields(code="G1", title="t"),
        )


def test_an_agency_editor_cannot_change_its_parents_objectives():
    state = create_org(name="State CIO")
    agency = create_org(name="Department of Revenue", parent=state)
    published = make_objective(org=state, user=create_user(org=state), code="S1")
    agency_editor = create_user(org=agency, role=Role.EDITOR)
    assert published.can_view(agency_editor)
    with pytest.raises(PermissionDenied):
        services.update_objective(
            published, user=agency_editor, fields=services.ObjectiveFields(code="S1", title="Hijacked"), base_version=1
        )
    with pytest.raises(PermissionDenied):
        services.delete_objective(published, user=agency_editor)


# --- updates and optimistic locking ------------------------------------------------------------------


def test_update_saves_and_records_only_what_changed(org, editor):
    goal = make_objective(org=org, user=editor, code="G1", title="Old title", owner="CIO")
    fields = services.ObjectiveFields(
        code="G1",
        title="New title",
        owner="CIO",
        policy_source_type=goal.policy_source_type,
        policy_source=goal.policy_source,
    )
    services.update_objective(goal, user=editor, fields=fields, base_version=goal.version)
    db.session.commit()
    update = events(goal.id)[-1]
    assert update.action == "objective.update" and update.actor_id == editor.id
    assert json.loads(update.changes) == {"title": {"before": "Old title", "after": "New title"}}
    assert fresh(PolicyObjective, goal.id).version == 2


def test_saving_unchanged_values_writes_no_event(org, editor):
    goal = make_objective(org=org, user=editor, code="G1", title="Same")
    fields = services.ObjectiveFields(
        code="G1",
        title="Same",
        owner=goal.owner,
        policy_source_type=goal.policy_source_type,
        policy_source=goal.policy_source,
    )
    services.update_objective(goal, user=editor, fields=fields, base_version=goal.version)
    db.session.commit()
    assert [e.action for e in events(goal.id)] == ["objective.create"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(org, editor):
    goal = make_objective(org=org, user=editor, code="G1", title="Theirs")
    with pytest.raises(services.EditConflict, match="Someone else saved this objective"):
        services.update_objective(
            goal, user=editor, fields=services.ObjectiveFields(code="G1", title="Mine"), base_version=goal.version - 1
        )
    assert fresh(PolicyObjective, goal.id).title == "Theirs"


def test_renaming_to_another_objectives_code_is_refused(org, editor):
    make_objective(org=org, user=editor, code="G1", title="First")
    second = make_objective(org=org, user=editor, code="G2", title="Second")
    with pytest.raises(services.InvalidField, match="already used by “First”"):
        services.update_objective(
            second, user=editor, fields=services.ObjectiveFields(code="G1", title="Second"), base_version=second.version
        )


# --- deletion ----------------------------------------------------------------------------------------


def test_delete_is_soft_and_audited(org, editor):
    goal = make_objective(org=org, user=editor, code="G1")
    services.delete_objective(goal, user=editor)
    db.session.commit()
    gone = fresh(PolicyObjective, goal.id)
    assert gone.deleted_at is not None and gone.deleted_by_id == editor.id
    assert not gone.can_view(editor)
    assert [e.action for e in events(goal.id)] == ["objective.create", "objective.delete"]


def test_delete_is_refused_while_objectives_sit_under_it(org, editor):
    goal = make_objective(org=org, user=editor, code="G1")
    make_objective(org=org, user=editor, code="G1.2", parent=goal)
    make_objective(org=org, user=editor, code="G1.1", parent=goal)
    with pytest.raises(DomainError, match=r"G1 cannot be deleted because it has 2 objectives under it \(G1.1, G1.2\)"):
        services.delete_objective(goal, user=editor)


def test_delete_is_refused_while_it_has_kpis_and_allowed_once_they_are_deleted(org, editor):
    goal = make_objective(org=org, user=editor, code="G1")
    kpi = make_kpi(objective=goal, user=editor)
    with pytest.raises(DomainError, match="it has 1 KPI"):
        services.delete_objective(goal, user=editor)
    services.delete_kpi(kpi, user=editor)
    services.delete_objective(goal, user=editor)
    db.session.commit()
    assert fresh(PolicyObjective, goal.id).deleted_at is not None


def test_delete_is_refused_while_initiatives_and_plans_cite_it_without_naming_other_offices(org, editor):
    agency = create_org(parent=org)
    goal = make_objective(org=org, user=editor, code="G1")
    for initiative in (make_initiative(org=org, code="INI-7"), make_initiative(org=agency, code="AG-SECRET")):
        db.session.add(ObjectiveLink(initiative_id=initiative.id, objective_id=goal.id))
    plan = create_plan(org=org, owner=editor, title="Digital State 2027")
    db.session.add(PlanObjective(plan_id=plan.id, objective_id=goal.id))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.delete_objective(goal, user=editor)
    message = str(refused.value)
    assert "it is cited by 2 initiatives (INI-7, 1 of other organizations)" in message
    assert "it is cited by 1 plan (Digital State 2027)" in message
    assert "AG-SECRET" not in message


# --- KPIs --------------------------------------------------------------------------------------------


def test_create_kpi_on_an_objective_keeps_decimal_values_and_is_audited(org, editor):
    goal = make_objective(org=org, user=editor, code="G1")
    kpi = make_kpi(objective=goal, user=editor, baseline_value=Decimal("1250.5"), target_value=Decimal("2000.25"))
    saved = fresh(Kpi, kpi.id)
    assert (saved.objective_id, saved.initiative_id) == (goal.id, None)
    assert saved.baseline_value == Decimal("1250.5") and isinstance(saved.target_value, Decimal)
    created = events(kpi.id, "kpi")[0]
    assert created.action == "kpi.create" and "objective G1" in created.summary
    assert json.loads(created.changes)["baseline_value"] == "1250.5"


def test_create_kpi_accepts_an_initiative_as_its_subject(org, editor):
    initiative = make_initiative(org=org, code="INI-0042")
    kpi = services.create_kpi(organization=org, user=editor, initiative=initiative, fields=kpi_fields())
    db.session.commit()
    assert (kpi.initiative_id, kpi.objective_id) == (initiative.id, None)
    assert "initiative INI-0042" in events(kpi.id, "kpi")[0].summary


def test_a_kpi_needs_exactly_one_subject(org, editor):
    goal = make_objective(org=org, user=editor, code="G1")
    initiative = make_initiative(org=org)
    with pytest.raises(ValueError, match="exactly one"):
        services.create_kpi(organization=org, user=editor, fields=kpi_fields())
    with pytest.raises(ValueError, match="exactly one"):
        services.create_kpi(organization=org, user=editor, objective=goal, initiative=initiative, fields=kpi_fields())


def test_a_kpi_cannot_measure_another_organizations_objective(org, editor):
    other = create_org()
    foreign = make_objective(org=other, user=create_user(org=other), code="G1")
    with pytest.raises(DomainError, match="same organization"):
        services.create_kpi(organization=org, user=editor, objective=foreign, fields=kpi_fields())


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_date": BASELINE_DAY}, "target_date", "The target date must be after the baseline date."),
        ({"target_value": Decimal("30")}, "target_value", "Higher is better for this KPI, so the target must be at"),
        (
            {"direction": Direction.LOWER, "target_value": Decimal("90")},
            "target_value",
            "Lower is better for this KPI, so the target must be at or below the baseline.",
        ),
    ],
    ids=["target before baseline", "higher but target lower", "lower but target higher"],
)
def test_kpi_definitions_that_contradict_themselves_are_refused(org, editor, overrides, field, message):
    goal = make_objective(org=org, user=editor, code="G1")
    with pytest.raises(services.InvalidField, match=message) as refused:
        services.create_kpi(organization=org, user=editor, objective=goal, fields=kpi_fields(**overrides))
    assert refused.value.field == field


def test_update_kpi_records_differences_and_detects_stale_versions(org, editor):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    services.update_kpi(kpi, user=editor, fields=kpi_fields(target_value=Decimal("85")), base_version=kpi.version)
    db.session.commit()
    assert json.loads(events(kpi.id, "kpi")[-1].changes) == {"target_value": {"before": "80", "after": "85"}}
    with pytest.raises(services.EditConflict, match="Someone else saved this KPI"):
        services.update_kpi(kpi, user=editor, fields=kpi_fields(target_value=Decimal("90")), base_version=1)


def test_the_baseline_cannot_move_after_the_first_measurement(org, editor):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    measure(kpi, user=editor, on=date(2025, 3, 31), value="45")
    with pytest.raises(services.InvalidField, match="first measurement is dated 2025-03-31"):
        services.update_kpi(
            kpi, user=editor, fields=kpi_fields(baseline_date=date(2025, 4, 1)), base_version=kpi.version
        )


def test_delete_kpi_is_soft_and_audited(org, editor):
    goal = make_objective(org=org, user=editor)
    kpi = make_kpi(objective=goal, user=editor)
    services.delete_kpi(kpi, user=editor)
    db.session.commit()
    assert fresh(Kpi, kpi.id).deleted_at is not None
    assert fresh(PolicyObjective, goal.id).kpis == []
    assert [e.action for e in events(kpi.id, "kpi")] == ["kpi.create", "kpi.delete"]


# --- measurements ------------------------------------------------------------------------------------


def test_a_measurement_records_who_entered_it_and_is_audited(org, editor):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    measurement = measure(kpi, user=editor, on=date(2025, 3, 31), value="47.25", note="From the permits system")
    saved = fresh(KpiMeasurement, measurement.id)
    assert (saved.entered_by_id, saved.value, saved.note) == (editor.id, Decimal("47.25"), "From the permits system")
    event = events(kpi.id, "kpi")[-1]
    assert event.action == "kpi.measurement" and event.summary.startswith("Recorded 47.25% on 2025-03-31")
    assert json.loads(event.changes) == {
        "measured_on": "2025-03-31",
        "value": "47.25",
        "note": "From the permits system",
    }


def test_a_second_measurement_for_the_same_date_is_refused(org, editor):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    measure(kpi, user=editor, on=date(2025, 3, 31), value="47")
    with pytest.raises(services.InvalidField, match=r"already a measurement for 2025-03-31 \(value 47%\)"):
        services.add_measurement(kpi, user=editor, measured_on=date(2025, 3, 31), value=Decimal("50"), today=FAR_FUTURE)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2024, 12, 31), "The baseline date is 2025-01-01; enter a date on or after it."),
        (date(2026, 6, 2), "A measurement cannot be dated in the future."),
    ],
    ids=["before the baseline", "in the future"],
)
def test_measurement_dates_outside_the_kpis_life_are_refused(org, editor, day, message):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    with pytest.raises(services.InvalidField, match=message):
        services.add_measurement(kpi, user=editor, measured_on=day, value=Decimal("50"), today=date(2026, 6, 1))
    db.session.rollback()
    assert fresh(Kpi, kpi.id).measurements == []


def test_a_viewer_cannot_add_measurements(org, editor):
    kpi = make_kpi(objective=make_objective(org=org, user=editor), user=editor)
    with pytest.raises(PermissionDenied):
        services.add_measurement(
            kpi, user=create_user(org=org, role=Role.VIEWER), measured_on=date(2025, 3, 1), value=Decimal(1)
        )
