"""Plans to export, schema checks and table row counts for the StratML tests."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from lxml import etree
from sqlalchemy import func

from app.auth.models import Organization, User
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.models import Direction, Frequency, PolicySourceType
from app.plans import services as plan_services
from app.plans.models import Plan
from app.stratml.schemas import PART1_ISO, PART2_2016, schema_for
from tests.factories import create_plan

VISION = "Every resident gets what they need from the city, the first time."
MISSION = "We run the city's shared technology and design services with the people who use them."
STATEMENTS = f"""### Vision

{VISION}

### Mission

{MISSION}

### Guiding principles

1. **Residents first.** We test services with the people who will use them.
2. **Reuse before buy.** Shared services come first.
"""


def validate(content: bytes, part: int) -> list[str]:
    """The schema's complaints about an exported file (empty when it is valid)."""
    schema = schema_for(PART1_ISO if part == 1 else PART2_2016)
    assert schema is not None, "the StratML schemas are not installed"
    if schema.validate(etree.fromstring(content)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def write_section(plan: Plan, key: str, body: str, *, user: User) -> None:
    section = next(s for s in plan.sections if s.key == key)
    plan_services.save_section(
        section, user=user, title=section.title, body=body, base_version=section.version, ready=False
    )


def objective(org: Organization, user: User, code: str, title: str, *, parent=None, **extra):  # type: ignore[no-untyped-def]
    fields = objective_services.ObjectiveFields(code=code, title=title, **extra)
    return objective_services.create_objective(organization=org, user=user, fields=fields, parent=parent)


def kpi(org: Organization, user: User, subject, name: str, *, readings=(), **extra):  # type: ignore[no-untyped-def]
    values = {
        "name": name,
        "unit": "%",
        "baseline_value": Decimal("40"),
        "baseline_date": date(2025, 7, 1),
        "target_value": Decimal("80"),
        "target_date": date(2029, 6, 30),
        "direction": Direction.HIGHER,
        "frequency": Frequency.QUARTERLY,
        "owner": "Service manager",
        **extra,
    }
    made = objective_services.create_kpi(
        organization=org, user=user, fields=objective_services.KpiFields(**values), objective=subject
    )
    for day, value, note in readings:
        objective_services.add_measurement(
            made, user=user, measured_on=day, value=Decimal(value), note=note, today=date(2026, 6, 30)
        )
    return made


def full_plan(org: Organization, user: User) -> Plan:
    """A plan with every part StratML carries: summary, vision, mission, values, a four-level objective tree
    with owners, policy sources and active periods, KPIs on a goal and on objectives, and measurements."""
    plan = create_plan(org=org, owner=user, title="Digital City 2026–2029", template_key="us-state-customer-centric")
    write_section(
        plan, "executive-summary", "The city's plan for **digital** services.\n\nSecond paragraph.", user=user
    )
    write_section(plan, "vision-mission", STATEMENTS, user=user)
    g1 = objective(
        org,
        user,
        "G1",
        "Services that work first time",
        description="One front door.",
        policy_source_type=PolicySourceType.EXECUTIVE_ORDER,
        policy_source="Executive Order 2025-07",
        owner="Chief Digital Officer",
        active_from=date(2025, 7, 1),
        active_to=date(2029, 6, 30),
    )
    g11 = objective(org, user, "G1.1", "One resident account", parent=g1, owner="Identity lead")
    g111 = objective(org, user, "G1.1.1", "Every agency accepts the account", parent=g11)
    objective(org, user, "G1.1.1.1", "Health agency accepts the account", parent=g111)
    objective(org, user, "G2", "A secure city", policy_source_type=PolicySourceType.STATUTE, policy_source="IT Act")
    kpi(org, user, g1, "Residents satisfied", unit="score", target_value=Decimal("8.5"), baseline_value=Decimal("6.25"))
    kpi(
        org,
        user,
        g11,
        "Agencies on the account",
        unit="count",
        baseline_value=Decimal("11"),
        target_value=Decimal("26"),
        readings=[(date(2025, 9, 30), "12", "Parks joined."), (date(2025, 12, 31), "14", "")],
        description="Agencies whose services accept the account.",
    )
    kpi(
        org,
        user,
        g111,
        "Time to a decision",
        unit="days",
        direction=Direction.LOWER,
        frequency=Frequency.MONTHLY,
        baseline_value=Decimal("24"),
        target_value=Decimal("10"),
        readings=[(date(2025, 8, 31), "22.5", "")],
    )
    db.session.commit()
    return plan


def row_counts() -> dict[str, int]:
    """Rows in every table, to show that a refused import wrote nothing at all."""
    return {
        table.name: db.session.scalar(db.select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def canonical(content: bytes, *, ignore: tuple[str, ...] = ()) -> bytes:
    """The document in canonical XML (C14N 2.0) without the elements ``ignore`` names, each as a local name
    ("Identifier") or a parent and child ("Organization/Stakeholder")."""
    root = copy.deepcopy(etree.fromstring(content))
    for element in list(root.iter()):
        parent = element.getparent()
        if parent is None or not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in ignore or f"{etree.QName(parent).localname}/{name}" in ignore:
            parent.remove(element)
    return etree.tostring(root, method="c14n2", strip_text=True)
