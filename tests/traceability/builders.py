"""Small keyword-only builders for objectives, KPIs and initiatives, written straight to the models."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import insert

from app.auth.models import Organization, User
from app.extensions import db
from app.objectives.models import Kpi, KpiMeasurement, PolicyObjective
from app.portfolio.models import Initiative, InitiativeCost, Milestone, ObjectiveLink, Risk

_numbers = itertools.count(1)


def objective(
    org: Organization, code: str, *, parent: PolicyObjective | None = None, title: str | None = None, **fields: object
) -> PolicyObjective:
    made = PolicyObjective(
        organization_id=org.id,
        parent=parent,
        depth=(parent.depth + 1) if parent else 1,
        code=code,
        title=title or f"Objective {code}",
        **fields,
    )
    db.session.add(made)
    db.session.commit()
    return made


def initiative(
    org: Organization,
    code: str | None = None,
    *,
    title: str | None = None,
    category: str = "change",
    status: str = "approved",
    owner: str = "Director of Digital Services",
    start: date | None = date(2026, 9, 1),
    end: date | None = date(2028, 3, 31),
    commit: bool = True,
    **fields: object,
) -> Initiative:
    code = code or f"INI-{next(_numbers):04d}"
    made = Initiative(
        organization_id=org.id,
        code=code,
        title=title or f"Initiative {code}",
        category=category,
        status=status,
        owner=owner,
        start_date=start,
        end_date=end,
        **fields,
    )
    db.session.add(made)
    if commit:
        db.session.commit()
    return made


def link(initiative: Initiative, objective: PolicyObjective, role: str = "primary", *, commit: bool = True) -> None:
    db.session.add(ObjectiveLink(initiative=initiative, objective_id=objective.id, role=role))
    if commit:
        db.session.commit()


def cost(initiative: Initiative, year: int, capital: str, operating: str = "0", *, commit: bool = True) -> None:
    db.session.add(
        InitiativeCost(initiative=initiative, fiscal_year=year, capital=Decimal(capital), operating=Decimal(operating))
    )
    if commit:
        db.session.commit()


def kpi(
    org: Organization,
    *,
    objective: PolicyObjective | None = None,
    initiative: Initiative | None = None,
    name: str = "Share of permits applied for online",
    frequency: str = "quarterly",
    baseline_date: date = date(2026, 7, 1),
    commit: bool = True,
) -> Kpi:
    made = Kpi(
        organization_id=org.id,
        objective_id=objective.id if objective else None,
        initiative_id=initiative.id if initiative else None,
        name=name,
        unit="%",
        baseline_value=Decimal(20),
        baseline_date=baseline_date,
        target_value=Decimal(60),
        target_date=date(2029, 6, 30),
        frequency=frequency,
    )
    db.session.add(made)
    if commit:
        db.session.commit()
    return made


def measurement(kpi: Kpi, day: date, value: str, *, by: User) -> None:
    db.session.add(KpiMeasurement(kpi_id=kpi.id, measured_on=day, value=Decimal(value), entered_by_id=by.id))
    db.session.commit()


def risk(
    initiative: Initiative,
    *,
    likelihood: int,
    impact: int,
    mitigation: str = "",
    status: str = "open",
    title: str = "Vendor fails",
) -> Risk:
    made = Risk(
        initiative=initiative, title=title, likelihood=likelihood, impact=impact, mitigation=mitigation, status=status
    )
    db.session.add(made)
    db.session.commit()
    return made


def milestone(initiative: Initiative, title: str, due: date, done: date | None = None) -> None:
    db.session.add(Milestone(initiative=initiative, title=title, due_date=due, done_date=done))
    db.session.commit()


def bulk_initiatives(
    org: Organization,
    count: int,
    *,
    prefix: str = "BULK",
    owner: str = "Programme Manager",
    category: str = "change",
    status: str = "approved",
    start: date | None = date(2026, 9, 1),
    end: date | None = date(2028, 3, 31),
) -> list[int]:
    """``count`` initiatives written with one bulk INSERT (codes PREFIX-0001…); their ids in code order."""
    rows = [
        {
            "organization_id": org.id,
            "code": f"{prefix}-{n:04d}",
            "title": f"Initiative {prefix}-{n:04d}",
            "category": category,
            "status": status,
            "owner": owner,
            "start_date": start,
            "end_date": end,
            "version": 1,
        }
        for n in range(1, count + 1)
    ]
    if rows:
        db.session.execute(insert(Initiative), rows)
    query = (
        db.select(Initiative.id)
        .where(Initiative.organization_id == org.id, Initiative.code.startswith(f"{prefix}-"))
        .order_by(Initiative.code)
    )
    return list(db.session.scalars(query))


def bulk(model: type, rows: list[dict[str, object]]) -> None:
    """Rows of any table in one bulk INSERT."""
    if rows:
        db.session.execute(insert(model), rows)
