"""A StratML plan as plain data, between the database and the XML (both directions go through it).

Planwright's extras that StratML has no element for travel in ``OtherInformation`` as trailing
"Label: value" lines (see ``LABELS``), so a file Planwright wrote reads back into the same records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Labels of the "Label: value" lines Planwright writes at the end of an OtherInformation text.
POLICY_SOURCE_TYPE = "Policy source type"
POLICY_SOURCE = "Policy source"
ACTIVE_FROM = "Active from"
ACTIVE_TO = "Active to"
PART_OF = "Part of"  # a sub-objective's parent (StratML has two levels; Planwright has up to four)
GOAL_MEASURES = "Measures of goal"  # an objective that carries its goal's own KPIs (Part 2 goals have none)
DIRECTION = "Direction"
FREQUENCY = "Frequency"
OWNER = "Owner"
LABELS = (
    POLICY_SOURCE_TYPE,
    POLICY_SOURCE,
    ACTIVE_FROM,
    ACTIVE_TO,
    PART_OF,
    GOAL_MEASURES,
    DIRECTION,
    FREQUENCY,
    OWNER,
)

BASELINE = "Baseline"  # DescriptorName of the actual result that is a KPI's baseline
OWNER_ROLE = "Owner"  # Stakeholder description (Part 1) and role name (Part 2) of an objective's owner


@dataclass
class Reading:
    """One target or actual result of a measurement instance."""

    day: date | None
    value: Decimal | None
    note: str = ""
    is_baseline: bool = False


@dataclass
class Indicator:
    """A performance indicator (a KPI): Part 2 only."""

    name: str
    unit: str
    identifier: str | None = None
    sequence: str = ""
    description: str = ""
    info: dict[str, str] = field(default_factory=dict)
    targets: list[Reading] = field(default_factory=list)
    actuals: list[Reading] = field(default_factory=list)
    path: str = ""


@dataclass
class Stakeholder:
    name: str
    description: str = ""
    kind: str | None = None  # Person, Organization, Generic_Group
    roles: list[tuple[str, str]] = field(default_factory=list)  # (name, RoleType), Part 2


@dataclass
class Node:
    """A goal (with objectives) or an objective (with indicators)."""

    name: str
    description: str = ""
    identifier: str | None = None
    sequence: str = ""
    owner: str = ""
    info: dict[str, str] = field(default_factory=dict)
    free_info: str = ""  # OtherInformation text that is not Planwright's labelled lines
    stakeholders: list[Stakeholder] = field(default_factory=list)
    objectives: list[Node] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    path: str = ""


@dataclass
class Value:
    name: str = ""
    description: str = ""


@dataclass
class Submitter:
    given_name: str = ""
    surname: str = ""
    email: str = ""


@dataclass
class Document:
    name: str
    description: str = ""
    other_information: str = ""
    organization_name: str = ""
    organization_identifier: str | None = None
    organization_stakeholders: list[Stakeholder] = field(default_factory=list)
    vision: str = ""
    mission: str = ""
    values: list[Value] = field(default_factory=list)
    goals: list[Node] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    submitter: Submitter | None = None
    identifier: str | None = None


def join_info(text: str, info: dict[str, str]) -> str:
    """Free text followed by Planwright's labelled lines, in the fixed order of ``LABELS``."""
    lines = [f"{label}: {info[label]}" for label in LABELS if info.get(label)]
    parts = [part for part in (text.strip(), "\n".join(lines)) if part]
    return "\n\n".join(parts)


def split_info(text: str) -> tuple[str, dict[str, str]]:
    """The inverse of ``join_info``: (free text, {label: value}) from trailing "Label: value" lines."""
    lines = text.strip().splitlines()
    info: dict[str, str] = {}
    while lines:
        label, sep, value = lines[-1].partition(":")
        if not sep or label.strip() not in LABELS or not value.strip():
            break
        info.setdefault(label.strip(), value.strip())
        lines.pop()
    return "\n".join(lines).strip(), info
