"""Keyword-only factories for objectives, KPIs and measurements; they go through the services."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from app.auth.models import Organization, User
from app.extensions import db
from app.objectives import services
from app.objectives.models import Direction, Frequency, Kpi, KpiMeasurement, PolicyObjective, PolicySourceType

_codes = itertools.count(1)
BASELINE_DAY = date(2025, 1, 1)
TARGET_DAY = date(2027, 1, 1)


def make_objective(
    *,
    org: Organization,
    user: User,
    code: str | None = None,
    title: str | None = None,
    parent: PolicyObjective | None = None,
    owner: str = "Chief Digital Officer",
    description: str = "",
) -> PolicyObjective:
    code = code or f"G{next(_codes)}"
    objective = services.create_objective(
        organization=org,
        user=user,
        parent=parent,
        fields=services.ObjectiveFields(
            code=code,
            title=title or f"Objective {code}",
            description=description,
            policy_source_type=PolicySourceType.GOVERNOR_PRIORITY,
            policy_source="Governor's Digital Priorities 2025",
            owner=owner,
        ),
    )
    db.session.commit()
    return objective


def kpi_fields(**overrides: object) -> services.KpiFields:
    values: dict[str, object] = {
        "name": "Share of permits applied for online",
        "unit": "%",
        "baseline_value": Decimal("40"),
        "baseline_date": BASELINE_DAY,
        "target_value": Decimal("80"),
        "target_date": TARGET_DAY,
        "direction": Direction.HIGHER,
        "frequency": Frequency.QUARTERLY,
        "owner": "Permits service manager",
    }
    return services.KpiFields(**{**values, **overrides})  # type: ignore[arg-type]


def make_kpi(*, objective: PolicyObjective, user: User, **overrides: object) -> Kpi:
    kpi = services.create_kpi(
        organization=objective.organization, user=user, objective=objective, fields=kpi_fields(**overrides)
    )
    db.session.commit()
    return kpi


def measure(kpi: Kpi, *, user: User, on: date, value: str, note: str = "") -> KpiMeasurement:
    measurement = services.add_measurement(
        kpi, user=user, measured_on=on, value=Decimal(value), note=note, today=date(2100, 1, 1)
    )
    db.session.commit()
    return measurement


def fresh(model: type, object_id: int):  # type: ignore[no-untyped-def]
    """The row as the database holds it now (each request commits in its own session)."""
    db.session.expire_all()
    return db.session.get(model, object_id)


# What a browser sends from the forms, filled in; override any field.


def objective_form(**overrides: str) -> dict[str, str]:
    return {
        "code": "G4",
        "title": "Services residents can rely on",
        "description": "Measured by **uptime** and complaints.",
        "policy_source_type": "governor_priority",
        "policy_source": "Governor's Digital Priorities 2025, priority 2",
        "owner": "Chief Digital Officer",
        "active_from": "2025-07-01",
        "active_to": "2029-06-30",
        **overrides,
    }


def kpi_form(**overrides: str) -> dict[str, str]:
    return {
        "name": "Permit decisions within 10 days",
        "description": "",
        "unit": "%",
        "baseline_value": "40",
        "baseline_date": "2025-01-01",
        "target_value": "80",
        "target_date": "2027-01-01",
        "direction": "higher",
        "frequency": "quarterly",
        "owner": "Permits manager",
        **overrides,
    }
