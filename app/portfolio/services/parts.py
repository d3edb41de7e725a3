"""Milestones, risks and costs: the parts of an initiative edited from its page, each change audited on it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.auth.models import User
from app.core.errors import DomainError
from app.extensions import db
from app.portfolio.models import Initiative, InitiativeCost, Milestone, Risk, RiskStatus
from app.portfolio.money import MAX_AMOUNT
from app.portfolio.services.common import FieldError, apply, ensure_can_edit, record_on_initiative, values_of

HIGH_RISK_SCORE = 15


@dataclass(frozen=True)
class RiskFields:
    title: str
    likelihood: int
    impact: int
    mitigation: str = ""
    owner: str = ""
    status: str = RiskStatus.OPEN.value


PART_FIELDS = {
    "milestone": ("title", "due_date", "done_date"),
    "risk": tuple(RiskFields.__dataclass_fields__),
    "cost": ("fiscal_year", "capital", "operating"),
}


def _add_part(
    initiative: Initiative, part: Milestone | Risk | InitiativeCost, *, user: User, noun: str, label: str
) -> None:
    db.session.add(part)
    db.session.flush()
    changes = {f"{noun}_id": part.id, **values_of(part, PART_FIELDS[noun])}
    record_on_initiative(initiative, user, f"initiative.{noun}.create", f"Added {label} to {initiative.code}", changes)


def _update_part(
    part: Milestone | Risk | InitiativeCost, values: dict[str, Any], *, user: User, noun: str, label: str
) -> bool:
    initiative = part.initiative
    ensure_can_edit(initiative, user)
    score = part.score if isinstance(part, Risk) else None
    changes = apply(part, values)
    if not changes:
        return False
    if isinstance(part, Risk) and part.score != score:
        changes["score"] = {"before": score, "after": part.score}
    db.session.flush()
    summary = f"Changed {label} of {initiative.code}"
    record_on_initiative(initiative, user, f"initiative.{noun}.update", summary, {f"{noun}_id": part.id, **changes})
    return True


def _remove_part(part: Milestone | Risk | InitiativeCost, *, user: User, noun: str, label: str) -> None:
    initiative = part.initiative
    ensure_can_edit(initiative, user)
    changes = {f"{noun}_id": part.id, **values_of(part, PART_FIELDS[noun])}
    db.session.delete(part)
    db.session.flush()
    summary = f"Removed {label} from {initiative.code}"
    record_on_initiative(initiative, user, f"initiative.{noun}.delete", summary, changes)


def add_milestone(
    initiative: Initiative, *, user: User, title: str, due_date: date, done_date: date | None = None
) -> Milestone:
    """A dated step of the initiative."""
    ensure_can_edit(initiative, user)
    milestone = Milestone(initiative=initiative, title=title, due_date=due_date, done_date=done_date)
    _add_part(initiative, milestone, user=user, noun="milestone", label=f"milestone “{title}”")
    return milestone


def update_milestone(
    milestone: Milestone, *, user: User, title: str, due_date: date, done_date: date | None = None
) -> bool:
    """Change a milestone; False when nothing changed."""
    values = {"title": title, "due_date": due_date, "done_date": done_date}
    return _update_part(milestone, values, user=user, noun="milestone", label=f"milestone “{title}”")


def remove_milestone(milestone: Milestone, *, user: User) -> None:
    _remove_part(milestone, user=user, noun="milestone", label=f"milestone “{milestone.title}”")


def _check_risk(fields: RiskFields) -> None:
    if not (1 <= fields.likelihood <= 5 and 1 <= fields.impact <= 5):
        raise DomainError("Rate likelihood and impact from 1 to 5.")
    if fields.status not in {s.value for s in RiskStatus}:
        raise FieldError("status", "Choose open, mitigating or closed.")


def add_risk(initiative: Initiative, *, user: User, fields: RiskFields) -> Risk:
    """A risk rated by likelihood and impact (1–5 each); its score is their product."""
    ensure_can_edit(initiative, user)
    _check_risk(fields)
    risk = Risk(initiative=initiative, **asdict(fields))
    _add_part(initiative, risk, user=user, noun="risk", label=f"risk “{risk.title}” (score {risk.score})")
    return risk


def update_risk(risk: Risk, *, user: User, fields: RiskFields) -> bool:
    """Change a risk; False when nothing changed. A changed score is recorded too."""
    _check_risk(fields)
    return _update_part(risk, asdict(fields), user=user, noun="risk", label=f"risk “{fields.title}”")


def remove_risk(risk: Risk, *, user: User) -> None:
    _remove_part(risk, user=user, noun="risk", label=f"risk “{risk.title}”")


def _check_cost(initiative: Initiative, fiscal_year: int, amounts: tuple[Decimal, ...], current_id: int | None) -> None:
    for amount in amounts:
        if amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            raise DomainError("Costs must be whole cents from $0.00 to under one trillion dollars.")
    clash = db.session.scalar(
        db.select(InitiativeCost.id).where(
            InitiativeCost.initiative_id == initiative.id,
            InitiativeCost.fiscal_year == fiscal_year,
            InitiativeCost.id != current_id,
        )
    )
    if clash is not None:
        raise FieldError(
            "fiscal_year", f"FY{fiscal_year} already has costs for {initiative.code}. Change that year’s row instead."
        )


def add_cost(
    initiative: Initiative, *, user: User, fiscal_year: int, capital: Decimal, operating: Decimal
) -> InitiativeCost:
    """Planned capital and operating cost for one fiscal year (one row per year)."""
    ensure_can_edit(initiative, user)
    _check_cost(initiative, fiscal_year, (capital, operating), None)
    cost = InitiativeCost(initiative=initiative, fiscal_year=fiscal_year, capital=capital, operating=operating)
    _add_part(initiative, cost, user=user, noun="cost", label=f"FY{fiscal_year} costs")
    return cost


def update_cost(cost: InitiativeCost, *, user: User, fiscal_year: int, capital: Decimal, operating: Decimal) -> bool:
    """Change a year's costs; False when nothing changed."""
    _check_cost(cost.initiative, fiscal_year, (capital, operating), cost.id)
    values = {"fiscal_year": fiscal_year, "capital": capital, "operating": operating}
    return _update_part(cost, values, user=user, noun="cost", label=f"FY{fiscal_year} costs")


def remove_cost(cost: InitiativeCost, *, user: User) -> None:
    _remove_part(cost, user=user, noun="cost", label=f"FY{cost.fiscal_year} costs")
