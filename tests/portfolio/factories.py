"""Keyword-only factories for the portfolio tests; they go through the services, so audit events are real."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from app.auth.models import Organization, User
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import services
from app.portfolio.models import Initiative, InitiativeCost, InitiativeStatus
from app.portfolio.queries import next_free_code

_objective_numbers = itertools.count(1)


def create_initiative(
    *, org: Organization, user: User, code: str | None = None, title: str = "Online permits", **fields: Any
) -> Initiative:
    initiative = services.create_initiative(
        organization=org,
        user=user,
        fields=services.InitiativeFields(code=code or next_free_code(org.id), title=title, **fields),
    )
    db.session.commit()
    return initiative


def put_in_status(initiative: Initiative, status: InitiativeStatus) -> Initiative:
    """Statuses that arrive through governance (submitted, approved, …) are set directly."""
    initiative.status = status.value
    db.session.commit()
    return initiative


def add_cost(
    initiative: Initiative, *, user: User, fiscal_year: int, capital: str = "0", operating: str = "0"
) -> InitiativeCost:
    cost = services.add_cost(
        initiative, user=user, fiscal_year=fiscal_year, capital=Decimal(capital), operating=Decimal(operating)
    )
    db.session.commit()
    return cost


def depend(initiative: Initiative, *, on: Initiative, user: User) -> None:
    services.add_dependency(initiative, user=user, depends_on=on)
    db.session.commit()


def create_objective(
    *, org: Organization, code: str | None = None, title: str = "Services online by default"
) -> PolicyObjective:
    """Objectives belong to another domain; the portfolio only needs rows to link to."""
    objective = PolicyObjective(organization_id=org.id, code=code or f"G{next(_objective_numbers)}", title=title)
    db.session.add(objective)
    db.session.commit()
    return objective


def link(initiative: Initiative, objective: PolicyObjective, *, user: User, role: str = "primary") -> None:
    services.link_objective(initiative, user=user, objective=objective, role=role, rationale="Moves permits online")
    db.session.commit()
