"""StratML export: every file validates against the schema, carries the plan's content, and is stable."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from app.audit.models import AuditEvent
from app.auth.models import Organization, User
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.models import PolicyObjective
from app.plans.models import Plan
from app.stratml.export import export_plan
from app.stratml.schemas import PART1_ISO, PART2_2016
from tests.factories import create_plan
from tests.stratml.world import MISSION, VISION, full_plan, kpi, objective, validate, write_section


def _export(plan: Plan, part: int, user: User | None = None) -> etree._Element:
    content = export_plan(plan, part=part, user=user).content
    assert validate(content, part) == []
    return etree.fromstring(content)


def _texts(root: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path, namespaces={"s": etree.QName(root).namespace})]


@pytest.mark.parametrize("part", [1, 2])
def test_a_full_plan_validates_and_carries_its_statements_goals_and_objectives(org, editor, part):
    plan = full_plan(org, editor)
    root = _export(plan, part)
    assert etree.QName(root).namespace == (PART1_ISO if part == 1 else PART2_2016)
    assert _texts(root, "s:Name") == ["Digital City 2026–2029"]
    assert "**digital**" in _texts(root, "s:Description")[0]
    assert _texts(root, "s:StrategicPlanCore/s:Organization/s:Name") == ["Office of the State CIO"]
    assert _texts(root, "s:StrategicPlanCore/s:Vision/s:Description") == [VISION]
    assert _texts(root, "s:StrategicPlanCore/s:Mission/s:Description") == [MISSION]
    assert _texts(root, "s:StrategicPlanCore/s:Value/s:Name") == ["Residents first", "Reuse before buy"]
    assert _texts(root, "s:StrategicPlanCore/s:Goal/s:SequenceIndicator") == ["G1", "G2"]
    objectives = _texts(root, "s:StrategicPlanCore/s:Goal/s:Objective/s:SequenceIndicator")
    expected = ["G1.1", "G1.1.1", "G1.1.1.1"]
    assert objectives == (["G1", *expected] if part == 2 else expected)  # Part 2: the goal's own KPIs first
    info = _texts(root, "s:StrategicPlanCore/s:Goal/s:OtherInformation")[0]
    assert "Policy source type: Executive order\nPolicy source: Executive Order 2025-07" in info
    assert "Part of: G1.1.1" in "".join(_texts(root, ".//s:Objective/s:OtherInformation"))
    assert _texts(root, "s:StrategicPlanCore/s:Goal/s:Stakeholder/s:Name") == ["Chief Digital Officer"]
    assert _texts(root, "s:AdministrativeInformation/s:StartDate") == ["2026-07-01"]  # FY2027 starts in July 2026
    assert _texts(root, "s:AdministrativeInformation/s:EndDate") == ["2030-06-30"]


def test_part_2_has_the_kpis_with_baseline_target_and_measurements(org, editor):
    root = _export(full_plan(org, editor), 2)
    ns = {"s": PART2_2016}
    indicators = {
        i.findtext("s:MeasurementDimension", namespaces=ns): i for i in root.iterfind(".//s:PerformanceIndicator", ns)
    }
    assert set(indicators) == {"Residents satisfied", "Agencies on the account", "Time to a decision"}
    agencies = indicators["Agencies on the account"]
    assert agencies.findtext("s:UnitOfMeasurement", namespaces=ns) == "count"
    actual = [
        (r.findtext("s:EndDate", namespaces=ns), r.findtext("s:NumberOfUnits", namespaces=ns))
        for r in agencies.iterfind(".//s:ActualResult", ns)
    ]
    assert actual == [("2025-07-01", "11"), ("2025-09-30", "12"), ("2025-12-31", "14")]
    assert agencies.find(".//s:ActualResult/s:Descriptor/s:DescriptorName", ns).text == "Baseline"
    target = agencies.find(".//s:TargetResult", ns)
    assert (target.findtext("s:EndDate", namespaces=ns), target.findtext("s:NumberOfUnits", namespaces=ns)) == (
        "2029-06-30",
        "26",
    )
    assert "Parks joined." in _texts(agencies, ".//s:ActualResult/s:Description")
    assert "Direction: Lower is better" in indicators["Time to a decision"].findtext(
        "s:OtherInformation", namespaces=ns
    )


def test_part_1_has_no_performance_indicators(org, editor):
    root = _export(full_plan(org, editor), 1)
    assert root.find(f".//{{{PART1_ISO}}}PerformanceIndicator") is None


@pytest.mark.parametrize("part", [1, 2])
def test_a_plan_with_everything_optional_empty_still_validates(org, editor, part):
    plan = create_plan(org=org, owner=editor, title="Empty", template_key="compact-five-section")
    for section in plan.sections:
        write_section(plan, section.key, "", user=editor)
    db.session.commit()
    root = _export(plan, part)
    assert root.find(f"{{{root.nsmap[None]}}}Description") is None
    goals = root.findall(f".//{{{root.nsmap[None]}}}Goal")
    assert len(goals) == 1 and goals[0].findtext(f"{{{root.nsmap[None]}}}Name") == ""  # the schemas need one


AWKWARD = "Ünïcödé – 中文 – עברית – 🎉 <b>bold</b> & \"quotes\" 'single' ]]> --> <!-- &amp; \x0b\x01"


@pytest.mark.parametrize("part", [1, 2])
def test_awkward_and_very_long_text_validates_and_survives(org, editor, part):
    plan = create_plan(org=org, owner=editor, title=AWKWARD[:190], template_key="us-state-customer-centric")
    long_text = ("Lorem ipsum <dolor> & sit amet. " * 4000).strip()
    write_section(plan, "executive-summary", long_text, user=editor)
    write_section(
        plan, "vision-mission", f"### Vision\n\n{AWKWARD}\n\n### Values\n\n- **{AWKWARD}** {long_text}", user=editor
    )
    goal = objective(org, editor, "G<1>&", AWKWARD[:200], description=long_text, owner=AWKWARD[:120])
    kpi(org, editor, goal, AWKWARD[:200], unit="<%>&", readings=[(date(2026, 1, 1), "1e3", AWKWARD)])
    db.session.commit()
    root = _export(plan, part)
    ns = {"s": root.nsmap[None]}
    assert root.findtext("s:Name", namespaces=ns) == AWKWARD[:190].replace("\x0b", "").replace("\x01", "")
    assert root.findtext("s:Description", namespaces=ns) == long_text
    assert root.findtext("s:StrategicPlanCore/s:Vision/s:Description", namespaces=ns).startswith("Ünïcödé – 中文")
    assert root.findtext("s:StrategicPlanCore/s:Goal/s:SequenceIndicator", namespaces=ns) == "G<1>&"
    if part == 2:
        assert root.findtext(".//s:NumberOfUnits", namespaces=ns) == "40"
        assert "1000" in [e.text for e in root.iterfind(".//s:NumberOfUnits", ns)]


def test_exporting_unchanged_data_twice_gives_the_same_bytes(org, editor):
    plan = full_plan(org, editor)
    first = export_plan(plan, part=2, user=editor).content
    db.session.expire_all()
    assert export_plan(db.session.get(Plan, plan.id), part=2, user=editor).content == first


def test_a_changed_objective_changes_the_export(org, editor):
    plan = full_plan(org, editor)
    before = export_plan(plan, part=1, user=editor).content
    goal = db.session.scalar(db.select(PolicyObjective).where(PolicyObjective.code == "G2"))
    fields = objective_services.ObjectiveFields(code="G2", title="A safer city")
    objective_services.update_objective(goal, user=editor, fields=fields, base_version=goal.version)
    db.session.commit()
    after = export_plan(plan, part=1, user=editor).content
    assert b"A safer city" in after and b"A safer city" not in before


def test_the_export_covers_only_the_objectives_in_the_plans_scope(org: Organization, editor: User):
    from app.plans.scope import set_scope

    plan = full_plan(org, editor)
    g2 = db.session.scalar(db.select(PolicyObjective).where(PolicyObjective.code == "G2"))
    set_scope(plan, user=editor, objective_ids=[g2.id], initiative_ids=[])
    db.session.commit()
    root = _export(plan, 2)
    assert _texts(root, "s:StrategicPlanCore/s:Goal/s:SequenceIndicator") == ["G2"]
    assert root.find(f".//{{{PART2_2016}}}PerformanceIndicator") is None


def test_each_download_is_audited_as_data_access(org, editor):
    plan = full_plan(org, editor)
    exported = export_plan(plan, part=2, user=editor)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "export.stratml"))
    assert event.actor_id == editor.id and event.object_id == plan.id
    changes = json.loads(event.changes)
    assert changes["sha256"] == exported.sha256 and changes["part"] == 2
    assert "StratML Part 2" in event.summary


def test_numbers_are_written_without_trailing_zeros(org, editor):
    plan = create_plan(org=org, owner=editor)
    goal = objective(org, editor, "G1", "Goal")
    kpi(org, editor, goal, "Share", baseline_value=Decimal("12.5000"), target_value=Decimal("80.0100"))
    db.session.commit()
    numbers = _texts(_export(plan, 2), ".//s:NumberOfUnits")
    assert numbers == ["12.5", "80.01"]


def test_template_placeholders_are_not_exported_as_statements(org, editor):
    plan = create_plan(org=org, owner=editor, template_key="us-state-customer-centric")  # starter text only
    root = _export(plan, 1)
    assert _texts(root, "s:StrategicPlanCore/s:Vision/s:Description") == []
    names = _texts(root, "s:StrategicPlanCore/s:Value/s:Name")
    assert "Residents first" in names and "[Principle]" not in names
    assert not any("[" in text for text in _texts(root, "s:StrategicPlanCore/s:Value/s:Description"))
