"""Load the demo office's objectives, KPIs and initiatives (demo_portfolio.yaml) through the services.

KPI history in the file runs to June 2027. So that the demo always shows a year of recent
data, baselines and measurements are moved by whole months to end in the month before today.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from app.audit.services import record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.models import Direction, Frequency, PolicyObjective, PolicySourceType
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative, InitiativeStatus

DEMO_PORTFOLIO_FILE = Path(__file__).with_name("demo_portfolio.yaml")
_DATA_ENDS = (2027, 6)  # the last month of KPI history in the file


def shift_months(day: date, months: int) -> date:
    """Move a date by whole months; a month's last day stays the last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if was_last else min(day.day, last))


def load_demo_portfolio(organization: Organization, editor: User, *, today: date | None = None) -> None:
    data = yaml.safe_load(DEMO_PORTFOLIO_FILE.read_text(encoding="utf-8"))
    today = today or utcnow().date()
    months = (today.year * 12 + today.month) - (_DATA_ENDS[0] * 12 + _DATA_ENDS[1] + 1)
    objectives: dict[str, PolicyObjective] = {}
    for spec in data["objectives"]:
        _objective(organization, editor, spec, None, objectives)
    initiatives = {spec["code"]: _initiative(organization, editor, spec, objectives) for spec in data["initiatives"]}
    for spec in data["initiatives"]:
        for code in spec.get("depends_on", []):
            portfolio_services.add_dependency(initiatives[spec["code"]], user=editor, depends_on=initiatives[code])
    for spec in data["kpis"]:
        _kpi(organization, editor, spec, objectives, initiatives, months, today)


def _objective(
    organization: Organization,
    editor: User,
    spec: dict[str, Any],
    parent: PolicyObjective | None,
    found: dict[str, PolicyObjective],
) -> None:
    fields = objective_services.ObjectiveFields(
        code=spec["code"],
        title=spec["title"],
        description=spec.get("description", ""),
        policy_source_type=PolicySourceType(spec.get("policy_source_type", "other")),
        policy_source=spec.get("policy_source", ""),
        owner=spec.get("owner", ""),
        active_from=spec.get("active_from"),
        active_to=spec.get("active_to"),
    )
    objective = objective_services.create_objective(
        organization=organization, user=editor, fields=fields, parent=parent
    )
    found[spec["code"]] = objective
    for child in spec.get("children", []):
        _objective(organization, editor, child, objective, found)


def _initiative(
    organization: Organization, editor: User, spec: dict[str, Any], objectives: dict[str, PolicyObjective]
) -> Initiative:
    names = (
        "code",
        "title",
        "summary",
        "problem",
        "citizen_outcome",
        "category",
        "initiative_type",
        "owner",
        "sponsor",
        "start_date",
        "end_date",
        "funding_source",
    )
    fields = portfolio_services.InitiativeFields(**{k: spec[k] for k in names if k in spec})
    initiative = portfolio_services.create_initiative(organization=organization, user=editor, fields=fields)
    for link in spec.get("objectives", []):
        portfolio_services.link_objective(
            initiative,
            user=editor,
            objective=objectives[link["code"]],
            role=link["role"],
            rationale=link.get("rationale", ""),
        )
    for cost in spec.get("costs", []):
        portfolio_services.add_cost(
            initiative,
            user=editor,
            fiscal_year=cost["fiscal_year"],
            capital=Decimal(cost["capital"]),
            operating=Decimal(cost["operating"]),
        )
    for milestone in spec.get("milestones", []):
        portfolio_services.add_milestone(
            initiative,
            user=editor,
            title=milestone["title"],
            due_date=milestone["due_date"],
            done_date=milestone.get("done_date"),
        )
    for risk in spec.get("risks", []):
        portfolio_services.add_risk(initiative, user=editor, fields=portfolio_services.RiskFields(**risk))
    _set_status(initiative, editor, InitiativeStatus(spec.get("status", "proposed")))
    return initiative


def _set_status(initiative: Initiative, editor: User, status: InitiativeStatus) -> None:
    """Demo initiatives start where the story has them; boards' decisions arrive with governance."""
    if status is InitiativeStatus.PROPOSED:
        return
    initiative.status = status.value
    db.session.flush()
    record(
        "initiative.status",
        actor_id=editor.id,
        organization_id=initiative.organization_id,
        object_type="initiative",
        object_id=initiative.id,
        summary=f"Demo data: {initiative.code} set to {status.label.lower()}",
        changes={"status": {"before": "proposed", "after": status.value}},
    )


def _kpi(
    organization: Organization,
    editor: User,
    spec: dict[str, Any],
    objectives: dict[str, PolicyObjective],
    initiatives: dict[str, Initiative],
    months: int,
    today: date,
) -> None:
    fields = objective_services.KpiFields(
        name=spec["name"],
        unit=spec["unit"],
        description=spec.get("description", ""),
        owner=spec.get("owner", ""),
        baseline_value=Decimal(spec["baseline_value"]),
        baseline_date=shift_months(spec["baseline_date"], months),
        target_value=Decimal(spec["target_value"]),
        target_date=spec["target_date"],
        direction=Direction(spec["direction"]),
        frequency=Frequency(spec["frequency"]),
    )
    kpi = objective_services.create_kpi(
        organization=organization,
        user=editor,
        fields=fields,
        objective=objectives.get(spec.get("objective", "")),
        initiative=initiatives.get(spec.get("initiative", "")),
    )
    for reading in spec.get("measurements", []):
        objective_services.add_measurement(
            kpi,
            user=editor,
            measured_on=shift_months(reading["date"], months),
            value=Decimal(reading["value"]),
            note=reading.get("note", ""),
            today=today,
        )
