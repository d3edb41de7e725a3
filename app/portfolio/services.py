"""Initiative portfolio operations. Each checks its rules, flushes, writes one audit event and never commits.

Every event is recorded on the initiative (object type ``initiative``), so one query gives an
initiative's whole history, its milestones, risks, costs, dependencies and objectives included.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import diff_fields, record
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.core.errors import DomainError, InvalidTransition, PermissionDenied
from app.extensions import db
from app.objectives.models import PolicyObjective
from app.portfolio import queries
from app.portfolio.models import (
    Category,
    Initiative,
    InitiativeCost,
    InitiativeDependency,
    InitiativeStatus,
    InitiativeType,
    LinkRole,
    Milestone,
    ObjectiveLink,
    Risk,
    RiskStatus,
)
from app.portfolio.money import MAX_AMOUNT, plain_money

DELETABLE = (InitiativeStatus.PROPOSED, InitiativeStatus.CANCELLED, InitiativeStatus.REJECTED)
HIGH_RISK_SCORE = 15


@dataclass
class FieldError(DomainError):
    """A rule about one form field; the view shows the message next to that field."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class EditConflict(DomainError):
    """Someone changed the initiative after the editor opened it; the caller shows both versions."""

    initiative: Initiative

    def __str__(self) -> str:
        return "Someone else changed this initiative after you opened it. Your changes have not been saved yet."


@dataclass(frozen=True)
class InitiativeFields:
    code: str
    title: str
    summary: str = ""
    problem: str = ""
    citizen_outcome: str = ""
    category: str = Category.CHANGE.value
    initiative_type: str = InitiativeType.PROJECT.value
    owner: str = ""
    sponsor: str = ""
    start_date: date | None = None
    end_date: date | None = None
    funding_source: str = ""


@dataclass(frozen=True)
class RiskFields:
    title: str
    likelihood: int
    impact: int
    mitigation: str = ""
    owner: str = ""
    status: str = RiskStatus.OPEN.value


def _audit_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain_money(value)
    return value


def _values(obj: object, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {name: _audit_value(getattr(obj, name)) for name in names}


def _apply(obj: object, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set the attributes and return what changed, ready for the audit record."""
    before = _values(obj, list(values))
    for name, value in values.items():
        setattr(obj, name, value)
    return diff_fields(before, _values(obj, list(values)))


def _record(initiative: Initiative, user: User, action: str, summary: str, changes: dict[str, Any]) -> None:
    record(
        action,
        actor_id=user.id,
        organization_id=initiative.organization_id,
        object_type="initiative",
        object_id=initiative.id,
        summary=summary,
        changes=changes,
    )


def _ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change initiatives.")


PART_FIELDS = {
    "milestone": ("title", "due_date", "done_date"),
    "risk": tuple(RiskFields.__dataclass_fields__),
    "cost": ("fiscal_year", "capital", "operating"),
}


# --- initiatives -------------------------------------------------------------------------------

FIELD_NAMES = tuple(InitiativeFields.__dataclass_fields__)


def _check_fields(fields: InitiativeFields, organization_id: int, *, current_id: int | None = None) -> None:
    if fields.category not in {c.value for c in Category}:
        raise FieldError("category", "Choose Run, Change or Transform.")
    if fields.initiative_type not in {t.value for t in InitiativeType}:
        raise FieldError("initiative_type", "Choose a type from the list.")
    if fields.start_date and fields.end_date and fields.end_date < fields.start_date:
        raise FieldError("end_date", "The end date must be the same as or after the start date.")
    taken = db.session.scalar(
        db.select(Initiative.id).where(
            Initiative.organization_id == organization_id, Initiative.code == fields.code, Initiative.id != current_id
        )
    )
    if taken is not None:
        raise FieldError("code", f"{fields.code} is already used by another initiative. Choose another code.")


def _flush_or_duplicate(fields: InitiativeFields) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:  # a colleague took the code between our check and our write
        db.session.rollback()
        raise FieldError("code", f"{fields.code} is already used by another initiative. Choose another code.") from exc


def create_initiative(*, organization: Organization, user: User, fields: InitiativeFields) -> Initiative:
    """A new initiative of the organization; every initiative starts as proposed."""
    if not user.can_edit_in(organization.id):
        raise PermissionDenied("You need the editor or administrator role to add initiatives.")
    _check_fields(fields, organization.id)
    initiative = Initiative(
        organization_id=organization.id,
        status=InitiativeStatus.PROPOSED.value,
        created_by_id=user.id,
        **asdict(fields),
    )
    db.session.add(initiative)
    _flush_or_duplicate(fields)
    _record(
        initiative,
        user,
        "initiative.create",
        f"Added initiative {initiative.code} “{initiative.title}”",
        {**_values(initiative, FIELD_NAMES), "status": initiative.status},
    )
    return initiative


def update_initiative(initiative: Initiative, *, user: User, fields: InitiativeFields, base_version: int) -> bool:
    """Save the edited fields; False when nothing changed. Raises EditConflict when the form is stale."""
    _ensure_can_edit(initiative, user)
    if base_version != initiative.version:
        raise EditConflict(initiative)
    _check_fields(fields, initiative.organization_id, current_id=initiative.id)
    changes = _apply(initiative, asdict(fields))
    if not changes:
        return False
    try:
        _flush_or_duplicate(fields)
    except StaleDataError as exc:  # a concurrent save won the race between our check and our write
        db.session.rollback()
        raise EditConflict(db.session.get(Initiative, initiative.id) or initiative) from exc
    _record(initiative, user, "initiative.update", f"Changed initiative {initiative.code}", changes)
    return True


def _refusal(initiative: Initiative, target: InitiativeStatus) -> str:
    current = initiative.status_enum.label.lower()
    allowed = initiative.allowed_transitions
    if not allowed:
        return f"{initiative.code} is {current}; its status cannot be changed here."
    options = " or ".join(s.label.lower() for s in allowed)
    return f"{initiative.code} is {current} and cannot become {target.label.lower()}. It can become {options}."


def change_status(initiative: Initiative, *, user: User, new_status: str) -> None:
    """Move the initiative along one of the hand-made transitions from its current status."""
    _ensure_can_edit(initiative, user)
    try:
        target = InitiativeStatus(new_status)
    except ValueError:
        raise InvalidTransition("Choose one of the status buttons shown on the initiative.") from None
    if target not in initiative.allowed_transitions:
        raise InvalidTransition(_refusal(initiative, target))
    before = initiative.status
    initiative.status = target.value
    db.session.flush()
    summary = f"{initiative.code} moved from {InitiativeStatus(before).label.lower()} to {target.label.lower()}"
    _record(initiative, user, "initiative.status", summary, {"status": {"before": before, "after": target.value}})
    if before == InitiativeStatus.SUBMITTED and target is InitiativeStatus.PROPOSED:
        from app.governance.services.reviews import withdraw_open_reviews  # governance builds on the portfolio

        withdraw_open_reviews(initiative, user=user)  # withdrawn here means withdrawn from the board too


def delete_initiative(initiative: Initiative, *, user: User) -> None:
    """Soft delete, allowed only for initiatives that never went ahead (proposed, cancelled, rejected)."""
    _ensure_can_edit(initiative, user)
    if initiative.status_enum not in DELETABLE:
        raise DomainError(
            f"{initiative.code} is {initiative.status_enum.label.lower()}: only proposed, cancelled or rejected "
            "initiatives can be deleted. Cancel it first if it will not go ahead."
        )
    initiative.deleted_at, initiative.deleted_by_id = utcnow(), user.id
    db.session.flush()
    _record(
        initiative,
        user,
        "initiative.delete",
        f"Deleted initiative {initiative.code} “{initiative.title}”",
        {"deleted": {"before": False, "after": True}},
    )


# --- milestones, risks and costs: parts edited from the initiative page ---------------------------


def _add_part(
    initiative: Initiative, part: Milestone | Risk | InitiativeCost, *, user: User, noun: str, label: str
) -> None:
    db.session.add(part)
    db.session.flush()
    changes = {f"{noun}_id": part.id, **_values(part, PART_FIELDS[noun])}
    _record(initiative, user, f"initiative.{noun}.create", f"Added {label} to {initiative.code}", changes)


def _update_part(
    part: Milestone | Risk | InitiativeCost, values: dict[str, Any], *, user: User, noun: str, label: str
) -> bool:
    initiative = part.initiative
    _ensure_can_edit(initiative, user)
    score = part.score if isinstance(part, Risk) else None
    changes = _apply(part, values)
    if not changes:
        return False
    if isinstance(part, Risk) and part.score != score:
        changes["score"] = {"before": score, "after": part.score}
    db.session.flush()
    summary = f"Changed {label} of {initiative.code}"
    _record(initiative, user, f"initiative.{noun}.update", summary, {f"{noun}_id": part.id, **changes})
    return True


def _remove_part(part: Milestone | Risk | InitiativeCost, *, user: User, noun: str, label: str) -> None:
    initiative = part.initiative
    _ensure_can_edit(initiative, user)
    changes = {f"{noun}_id": part.id, **_values(part, PART_FIELDS[noun])}
    db.session.delete(part)
    db.session.flush()
    _record(initiative, user, f"initiative.{noun}.delete", f"Removed {label} from {initiative.code}", changes)


def add_milestone(
    initiative: Initiative, *, user: User, title: str, due_date: date, done_date: date | None = None
) -> Milestone:
    """A dated step of the initiative."""
    _ensure_can_edit(initiative, user)
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
    _ensure_can_edit(initiative, user)
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
    _ensure_can_edit(initiative, user)
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


# --- dependencies ------------------------------------------------------------------------------


def dependency_path(graph: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """The shortest chain of dependencies from ``start`` to ``goal``, both included; None when there is none."""
    came_from: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path: list[int] = []
            step: int | None = node
            while step is not None:
                path.append(step)
                step = came_from[step]
            return path[::-1]
        for following in graph.get(node, []):
            if following not in came_from:
                came_from[following] = node
                queue.append(following)
    return None


def _cycle_message(cycle: list[int]) -> str:
    codes = queries.codes_of(cycle)
    chain = " → ".join(codes[i] for i in cycle)
    return f"That dependency would make a cycle, {chain}, so none of them could ever finish. Remove one link first."


def add_dependency(initiative: Initiative, *, user: User, depends_on: Initiative) -> InitiativeDependency:
    """Record that ``initiative`` cannot finish before ``depends_on`` delivers; refuses cycles."""
    _ensure_can_edit(initiative, user)
    if depends_on.id == initiative.id:
        raise FieldError("depends_on", f"{initiative.code} cannot depend on itself. Enter another initiative’s code.")
    if depends_on.organization_id != initiative.organization_id or depends_on.deleted_at is not None:
        raise FieldError("depends_on", "Enter the code of an initiative of your own organization.")
    graph = queries.dependency_graph(initiative.organization_id)
    if depends_on.id in graph.get(initiative.id, []):
        raise FieldError("depends_on", f"{initiative.code} already depends on {depends_on.code}.")
    path = dependency_path(graph, depends_on.id, initiative.id)
    if path is not None:
        raise FieldError("depends_on", _cycle_message([initiative.id, *path]))
    dependency = InitiativeDependency(initiative=initiative, depends_on=depends_on)
    db.session.add(dependency)
    db.session.flush()
    summary = f"{initiative.code} now depends on {depends_on.code}"
    changes = {"dependency_id": dependency.id, "depends_on": depends_on.code}
    _record(initiative, user, "initiative.dependency.create", summary, changes)
    return dependency


def remove_dependency(dependency: InitiativeDependency, *, user: User) -> None:
    initiative = dependency.initiative
    _ensure_can_edit(initiative, user)
    code = dependency.depends_on.code
    changes = {"dependency_id": dependency.id, "depends_on": code}
    db.session.delete(dependency)
    db.session.flush()
    _record(initiative, user, "initiative.dependency.delete", f"{initiative.code} no longer depends on {code}", changes)


# --- objectives --------------------------------------------------------------------------------


def can_serve(initiative: Initiative, objective: PolicyObjective) -> bool:
    """An initiative serves its own organization's objectives and those its parent organization publishes."""
    allowed = {initiative.organization_id, initiative.organization.parent_id}
    return objective.deleted_at is None and objective.organization_id in allowed


def link_objective(
    initiative: Initiative, *, user: User, objective: PolicyObjective, role: str, rationale: str = ""
) -> ObjectiveLink:
    """Say which objective the initiative serves, as its primary purpose or in support, and why."""
    _ensure_can_edit(initiative, user)
    if not can_serve(initiative, objective):
        raise FieldError("objective", "Choose an objective of your organization or of its parent organization.")
    if role not in {r.value for r in LinkRole}:
        raise FieldError("role", "Choose primary or supporting.")
    if any(link.objective_id == objective.id for link in initiative.objective_links):
        raise FieldError("objective", f"{initiative.code} is already linked to {objective.code}. Unlink it first.")
    link = ObjectiveLink(initiative=initiative, objective=objective, role=role, rationale=rationale)
    db.session.add(link)
    db.session.flush()
    changes = {"link_id": link.id, "objective": objective.code, "role": role, "rationale": rationale}
    summary = f"{initiative.code} serves {objective.code} ({role})"
    _record(initiative, user, "initiative.objective.link", summary, changes)
    return link


def unlink_objective(link: ObjectiveLink, *, user: User) -> None:
    initiative = link.initiative
    _ensure_can_edit(initiative, user)
    code = link.objective.code
    changes = {"link_id": link.id, "objective": code, "role": link.role, "rationale": link.rationale}
    db.session.delete(link)
    db.session.flush()
    summary = f"{initiative.code} no longer linked to {code}"
    _record(initiative, user, "initiative.objective.unlink", summary, changes)
