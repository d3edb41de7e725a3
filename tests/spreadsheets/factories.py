"""Small keyword-only factories for the spreadsheet tests; they go through the services, so audit events are real."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.auth.models import Organization, User
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.models import Direction, Frequency, Kpi, PolicyObjective, PolicySourceType
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative

BASELINE_DAY = date(2025, 1, 1)


def make_objective(
    *,
    org: Organization,
    user: User,
    code: str,
    title: str = "Services online by default",
    owner: str = "Chief Digital Officer",
    parent: PolicyObjective | None = None,
) -> PolicyObjective:
    objective = objective_services.create_objective(
        organization=org,
        user=user,
        parent=parent,
        fields=objective_services.ObjectiveFields(
            code=code,
            title=title,
            policy_source_type=PolicySourceType.STATUTE,
            policy_source=f"Digital Services Act, s. {code}",
            owner=owner,
            active_from=date(2025, 7, 1),
        ),
    )
    db.session.commit()
    return objective


def make_initiative(
    *, org: Organization, user: User, code: str, title: str = "Online permits", **fields: Any
) -> Initiative:
    values: dict[str, Any] = {"category": "change", "owner": "Permits lead", **fields}
    initiative = portfolio_services.create_initiative(
        organization=org, user=user, fields=portfolio_services.InitiativeFields(code=code, title=title, **values)
    )
    db.session.commit()
    return initiative


def add_cost(initiative: Initiative, *, user: User, year: int, capital: str, operating: str = "0") -> None:
    portfolio_services.add_cost(
        initiative, user=user, fiscal_year=year, capital=Decimal(capital), operating=Decimal(operating)
    )
    db.session.commit()


def link(initiative: Initiative, objective: PolicyObjective, *, user: User, role: str = "primary") -> None:
    portfolio_services.link_objective(initiative, user=user, objective=objective, role=role, rationale="Because")
    db.session.commit()


def make_kpi(
    *,
    org: Organization,
    user: User,
    objective: PolicyObjective | None = None,
    initiative: Initiative | None = None,
    name: str = "Share of permits applied for online",
    baseline: str = "40",
    target: str = "80",
    direction: Direction = Direction.HIGHER,
    owner: str = "Permits service manager",
    unit: str = "%",
) -> Kpi:
    fields = objective_services.KpiFields(
        name=name,
        unit=unit,
        baseline_value=Decimal(baseline),
        baseline_date=BASELINE_DAY,
        target_value=Decimal(target),
        target_date=date(2027, 1, 1),
        direction=direction,
        frequency=Frequency.QUARTERLY,
        owner=owner,
    )
    kpi = objective_services.create_kpi(
        organization=org, user=user, objective=objective, initiative=initiative, fields=fields
    )
    db.session.commit()
    return kpi


def measure(kpi: Kpi, *, user: User, on: date, value: str) -> None:
    objective_services.add_measurement(kpi, user=user, measured_on=on, value=Decimal(value), today=date(2100, 1, 1))
    db.session.commit()
