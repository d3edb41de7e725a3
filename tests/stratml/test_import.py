"""StratML import: each version and namespace, missing parts, files that do not validate, what is not mapped."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from app.audit.models import AuditEvent
from app.core.errors import PermissionDenied
from app.extensions import db
from app.objectives.models import Kpi, PolicyObjective
from app.plans.models import Plan, PlanStatus
from app.stratml.schemas import schema_for
from app.stratml.service import import_file
from tests.stratml import samples
from tests.stratml.world import objective, row_counts


def _import(text: str | bytes, org, user, filename: str = "plan.xml"):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    outcome = import_file(data, filename=filename, organization=org, user=user)
    db.session.commit()
    return outcome


def _objectives(plan: Plan) -> dict[str, PolicyObjective]:
    found = db.session.scalars(
        db.select(PolicyObjective).where(PolicyObjective.organization_id == plan.organization_id)
    )
    return {o.code: o for o in found}


@pytest.mark.parametrize("name", list(samples.VALID))
def test_the_valid_samples_really_are_valid(name):
    """The fixtures claim validity; check them against the published schemas so the claim cannot drift."""
    text, namespace = samples.VALID[name]
    schema = schema_for(namespace)
    assert schema is not None and schema.validate(etree.fromstring(text.encode())), schema.error_log


def test_a_part_1_file_makes_a_draft_plan_with_sections_and_objective_hierarchy(org, editor):
    outcome = _import(samples.ISO_PART1_PREFIXED, org, editor)
    plan = outcome.plan
    assert outcome.read.valid and outcome.read.version == "StratML Part 1 (ISO 17469-1)"
    assert plan.title == "Harbour City Digital Plan 2026–2029" and plan.status == PlanStatus.DRAFT
    assert plan.owner_id == editor.id and plan.organization_id == org.id
    assert plan.period_label == "FY2026–FY2029"
    bodies = {s.title: s.body for s in plan.sections}
    assert bodies["Summary"] == "How Harbour City will run its services online."
    assert "### Vision\n\nA city that answers the first time." in bodies["Vision, mission and values"]
    assert "1. **Openness.** We publish what we decide.\n2. **Thrift.**" in bodies["Vision, mission and values"]
    assert "```planwright objectives" in bodies["Goals and objectives"]
    objectives = _objectives(plan)
    assert set(objectives) == {"1", "1.1", "1.2", "G2"}  # the second goal had no sequence indicator
    assert objectives["1.1"].parent_id == objectives["1"].id and objectives["1.1"].depth == 2
    assert objectives["1.1"].description == "Building permits applied for online."
    assert objectives["G2"].title == "Safe systems" and objectives["G2"].parent_id is None
    assert outcome.counts == {"sections": 3, "goals": 2, "objectives": 2, "kpis": 0, "measurements": 0}


def test_what_could_not_be_mapped_is_listed_by_path(org, editor):
    outcome = _import(samples.ISO_PART1_PREFIXED, org, editor)
    assert outcome.unmapped == [
        "StrategicPlan/StrategicPlanCore/Organization/Acronym (“HCDI”)",
        "StrategicPlan/StrategicPlanCore/Organization/Stakeholder (“Residents of Harbour City”)",
        "StrategicPlan/StrategicPlanCore/Goal[1]/Stakeholder (“Service desk staff”)",
        "StrategicPlan/AdministrativeInformation/Submitter (“Pat Example”)",
    ]
    assert any("Harbour City Department of Innovation" in note for note in outcome.notes)


def test_a_part_2_file_makes_kpis_with_baseline_target_and_measurements(org, editor):
    outcome = _import(samples.PART2_DEFAULT_NAMESPACE, org, editor)
    assert outcome.read.valid and outcome.read.part == 2
    assert outcome.counts["kpis"] == 1 and outcome.counts["measurements"] == 1
    kpi = db.session.scalar(db.select(Kpi).where(Kpi.organization_id == org.id))
    assert (kpi.name, kpi.unit, kpi.direction) == ("Permits applied for online", "%", "higher")
    assert (kpi.baseline_value, kpi.baseline_date) == (Decimal("40"), date(2024, 6, 30))
    assert (kpi.target_value, kpi.target_date) == (Decimal("90"), date(2028, 6, 30))  # the last target
    assert [(m.measured_on, m.value, m.note) for m in kpi.measurements] == [
        (date(2024, 12, 31), Decimal("47.5"), "Half year")
    ]
    assert kpi.objective.code == "S1.1"
    unmapped = "\n".join(outcome.unmapped)
    assert "TargetResult 2026-06-30: 60.0000 (only the last target is kept)" in unmapped
    assert "Relationship (“Related to the payments measure”)" in unmapped
    assert (
        "Goal S1 › Objective S1.1 › PerformanceIndicator “Resident satisfaction”: not imported as a KPI, "
        "it has no target result with a date and a number"
    ) in outcome.unmapped


def test_the_legacy_namespaces_are_read_and_validated(org, editor):
    first = _import(samples.LEGACY_PART1, org, editor)
    assert first.read.valid and first.read.version == "StratML Part 1 (pre-ISO, 2009)"
    assert first.plan.period_label == "FY2012–FY2015"
    assert [s.title for s in first.plan.sections] == ["Vision, mission and values", "Goals and objectives"]
    assert "### Mission" in first.plan.sections[0].body
    second = _import(samples.LEGACY_PART2, org, editor)
    assert second.read.valid and second.read.version == "StratML Part 2 (pre-ISO, 2010)"
    kpi = db.session.scalar(db.select(Kpi).where(Kpi.organization_id == org.id))
    assert (kpi.name, kpi.baseline_value, kpi.target_value) == ("Deeds scanned", Decimal("0"), Decimal("5000"))
    assert [m.value for m in kpi.measurements] == [Decimal("1800")]
    assert any("no baseline was marked; the earliest actual result (2012-01-01) is used" in n for n in second.notes)


def test_a_file_with_only_the_required_parts_imports(org, editor):
    outcome = _import(samples.MINIMAL_PART1, org, editor)
    assert outcome.read.valid and outcome.plan.title == "Bare plan"
    assert outcome.counts == {"sections": 1, "goals": 1, "objectives": 0, "kpis": 0, "measurements": 0}
    assert any("no complete plan period" in note for note in outcome.notes)


def test_a_readable_file_that_does_not_validate_is_imported_and_says_why(org, editor):
    outcome = _import(samples.NOT_VALID_BUT_READABLE, org, editor)
    assert outcome.read.validated and not outcome.read.valid
    assert outcome.read.validation_errors and all(m.startswith("line ") for m in outcome.read.validation_errors)
    assert "{" not in " ".join(outcome.read.validation_errors)  # namespaces are left out of the messages
    assert outcome.plan.title == "Plan with mistakes"
    assert {o.title for o in _objectives(outcome.plan).values()} == {
        "Reliable systems",
        "Second data centre",
        "Skilled staff",
    }
    assert any(item.endswith("Goal[1]/Budget (“2000000”)") for item in outcome.unmapped)
    assert any(item.endswith("Objective/Colour (“blue”)") for item in outcome.unmapped)


def test_a_file_in_no_namespace_is_read_without_validation(org, editor):
    text = samples.MINIMAL_PART1.replace(' xmlns="urn:ISO:std:iso:17469:tech:xsd:stratml_core"', "")
    outcome = _import(text, org, editor)
    assert not outcome.read.validated and outcome.plan.title == "Bare plan"
    assert "not one of the StratML namespaces" in outcome.read.validation_errors[0]


def test_codes_already_used_in_the_organization_get_a_suffix_and_a_note(org, editor):
    objective(org, editor, "1", "An existing goal")
    db.session.commit()
    outcome = _import(samples.ISO_PART1_PREFIXED, org, editor)
    assert {"1-2", "1.1", "1.2"} <= set(_objectives(outcome.plan))
    assert "1 codes in the file are already used" in outcome.notes[0] and "1 → 1-2" in outcome.notes[0]
    again = _import(samples.ISO_PART1_PREFIXED, org, editor)
    assert {"1-3", "1.1-2", "1.2-2"} <= set(_objectives(again.plan))


def test_the_imported_plan_covers_exactly_the_imported_objectives(org, editor):
    objective(org, editor, "X1", "Something else entirely")
    db.session.commit()
    outcome = _import(samples.ISO_PART1_PREFIXED, org, editor)
    from app.stratml.export import export_plan

    content = export_plan(outcome.plan, part=1, user=editor).content
    assert b"Something else entirely" not in content and b"Online permits" in content


def test_import_is_audited_with_the_file_and_the_counts(org, editor):
    outcome = _import(samples.PART2_DEFAULT_NAMESPACE, org, editor, filename="report.xml")
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.stratml"))
    changes = json.loads(event.changes)
    assert event.object_id == outcome.plan.id and event.actor_id == editor.id
    assert changes["file"] == "report.xml" and changes["kpis"] == 1 and changes["valid"] is True
    actions = set(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.organization_id == org.id)))
    assert {"plan.create", "section.update", "objective.create", "kpi.create", "kpi.measurement"} <= actions


def test_a_viewer_cannot_import_and_nothing_is_written(org, viewer):
    before = row_counts()
    with pytest.raises(PermissionDenied):
        import_file(samples.ISO_PART1_PREFIXED.encode(), filename="p.xml", organization=org, user=viewer)
    db.session.rollback()
    assert row_counts() == before


def test_an_indicator_whose_numbers_break_a_kpi_rule_is_listed_not_imported(org, editor):
    text = samples.PART2_DEFAULT_NAMESPACE.replace("<EndDate>2026-06-30</EndDate>", "<EndDate>2023-01-01</EndDate>")
    text = text.replace("<EndDate>2028-06-30</EndDate>", "<EndDate>2024-01-01</EndDate>")  # targets before the baseline
    outcome = _import(text, org, editor)
    assert outcome.counts["kpis"] == 0
    assert any("not imported as a KPI: The target date must be after the baseline date." in i for i in outcome.unmapped)


def test_future_actual_results_are_listed_not_imported(org, editor):
    text = samples.PART2_DEFAULT_NAMESPACE.replace("2024-12-31", "2099-12-31")
    outcome = _import(text, org, editor)
    assert outcome.counts["measurements"] == 0
    assert any("ActualResult 2099-12-31: A measurement cannot be dated in the future" in i for i in outcome.unmapped)
