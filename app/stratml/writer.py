"""Write a ``Document`` as StratML Part 1 (ISO 17469-1) or Part 2 (2016 performance plan) XML.

Elements are written in the order the schemas require, optional ones only when they have content, in a
default namespace, with no schemaLocation (nothing in the file points anywhere).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from lxml import etree

from app.stratml import document as doc
from app.stratml.schemas import PART1_ISO, PART2_2016

# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline and carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def number(value: Decimal) -> str:
    """50.0000 → "50", 12.5000 → "12.5": the same value reads the same whichever way it was stored."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


class _Writer:
    def __init__(self, part: int) -> None:
        self.part = part
        self.ns = PART1_ISO if part == 1 else PART2_2016

    def el(self, parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, f"{{{self.ns}}}{name}")
        if text is not None:
            child.text = xml_text(text)
        return child

    def optional(self, parent: etree._Element, name: str, text: str | None) -> None:
        if text:
            self.el(parent, name, text)

    def build(self, plan: doc.Document) -> etree._Element:
        root_name = "StrategicPlan" if self.part == 1 else "PerformancePlanOrReport"
        root = etree.Element(f"{{{self.ns}}}{root_name}", nsmap={None: self.ns})
        if self.part == 2:
            root.set("Type", "Performance_Plan")
        self.el(root, "Name", plan.name)
        self.optional(root, "Description", plan.description)
        self.optional(root, "OtherInformation", plan.other_information)
        self.core(self.el(root, "StrategicPlanCore"), plan)
        self.administration(root, plan)
        if self.part == 2:
            self.submitter(root, plan.submitter)
        return root

    def core(self, core: etree._Element, plan: doc.Document) -> None:
        organization = self.el(core, "Organization")
        self.optional(organization, "Name", plan.organization_name)
        self.optional(organization, "Identifier", plan.organization_identifier)
        for stakeholder in plan.organization_stakeholders:
            self.stakeholder(organization, stakeholder)
        for name, text in (("Vision", plan.vision), ("Mission", plan.mission)):
            if text:
                statement = self.el(core, name)
                self.el(statement, "Description", text)
                self.optional(statement, "Identifier", f"{name.lower()}-{plan.identifier}" if plan.identifier else None)
        for value in plan.values:
            element = self.el(core, "Value")
            self.optional(element, "Name", value.name)
            self.optional(element, "Description", value.description)
        for goal in plan.goals or [doc.Node(name="")]:  # the schemas require at least one goal
            self.goal(core, goal)

    def node_head(self, element: etree._Element, node: doc.Node, *, required: bool) -> None:
        if required or node.name:
            self.el(element, "Name", node.name)
        if required or node.description:
            self.el(element, "Description", node.description)
        self.optional(element, "Identifier", node.identifier)
        self.optional(element, "SequenceIndicator", node.sequence)
        if node.owner:
            self.stakeholder(
                element, doc.Stakeholder(node.owner, doc.OWNER_ROLE, roles=[(doc.OWNER_ROLE, "Performer")])
            )
        for stakeholder in node.stakeholders:
            self.stakeholder(element, stakeholder)
        self.optional(element, "OtherInformation", doc.join_info(node.free_info, node.info))

    def goal(self, core: etree._Element, goal: doc.Node) -> None:
        element = self.el(core, "Goal")
        self.node_head(element, goal, required=True)
        for objective in goal.objectives:
            child = self.el(element, "Objective")
            self.node_head(child, objective, required=False)
            if self.part == 2:
                for indicator in objective.indicators:
                    self.indicator(child, indicator)

    def stakeholder(self, parent: etree._Element, stakeholder: doc.Stakeholder) -> None:
        element = self.el(parent, "Stakeholder")
        if stakeholder.kind:
            element.set("StakeholderTypeType", stakeholder.kind)
        self.el(element, "Name", stakeholder.name)
        self.optional(element, "Description", stakeholder.description)
        if self.part == 2:
            for name, role_type in stakeholder.roles:
                role = self.el(element, "Role")
                self.el(role, "Name", name)
                self.optional(role, "RoleType", role_type)

    def indicator(self, parent: etree._Element, indicator: doc.Indicator) -> None:
        element = self.el(parent, "PerformanceIndicator")
        element.set("PerformanceIndicatorType", "Quantitative")
        self.optional(element, "SequenceIndicator", indicator.sequence)
        self.el(element, "MeasurementDimension", indicator.name)
        self.el(element, "UnitOfMeasurement", indicator.unit)
        self.optional(element, "Identifier", indicator.identifier)
        days = sorted({r.day for r in indicator.targets + indicator.actuals if r.day is not None})
        for day in days:
            instance = self.el(element, "MeasurementInstance")
            for reading in indicator.targets:
                if reading.day == day:
                    self.result(instance, "TargetResult", reading)
            for reading in sorted(indicator.actuals, key=lambda r: not r.is_baseline):
                if reading.day == day:
                    self.result(instance, "ActualResult", reading)
        self.optional(element, "OtherInformation", doc.join_info(indicator.description, indicator.info))

    def result(self, parent: etree._Element, name: str, reading: doc.Reading) -> None:
        element = self.el(parent, name)
        if reading.day is not None:
            self.el(element, "EndDate", reading.day.isoformat())
        if reading.value is not None:
            self.el(element, "NumberOfUnits", number(reading.value))
        if reading.is_baseline:
            self.el(self.el(element, "Descriptor"), "DescriptorName", doc.BASELINE)
        self.optional(element, "Description", reading.note)

    def administration(self, root: etree._Element, plan: doc.Document) -> None:
        admin = self.el(root, "AdministrativeInformation")
        if self.part == 2:
            self.optional(admin, "Identifier", plan.identifier)
        for name, day in (("StartDate", plan.start), ("EndDate", plan.end)):
            if isinstance(day, date):
                self.el(admin, name, day.isoformat())
        if self.part == 1:
            self.submitter(admin, plan.submitter)
        if len(admin) == 0:
            root.remove(admin)

    def submitter(self, parent: etree._Element, submitter: doc.Submitter | None) -> None:
        if submitter is None:
            return
        element = self.el(parent, "Submitter")
        self.optional(element, "GivenName", submitter.given_name)
        self.optional(element, "Surname", submitter.surname)
        self.optional(element, "EmailAddress", submitter.email)


def write(plan: doc.Document, *, part: int) -> bytes:
    """The plan as a StratML file (UTF-8, with an XML declaration, indented)."""
    if part not in (1, 2):
        raise ValueError("StratML has Part 1 (strategic plan) and Part 2 (performance plan)")
    root = _Writer(part).build(plan)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
