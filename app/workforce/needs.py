"""The FTE of each role an initiative needs per fiscal year. Recorded on the initiative, like its costs."""

from __future__ import annotations

from decimal import Decimal

from app.auth.models import User
from app.core.errors import PermissionDenied
from app.extensions import db
from app.portfolio.models import Initiative
from app.workforce.common import FieldError, apply, audit, fte_problem
from app.workforce.models import InitiativeFteNeed, JobRole


def _ensure_can_edit(initiative: Initiative, user: User) -> None:
    if not initiative.can_edit(user):
        raise PermissionDenied("You need the editor or administrator role to change initiatives.")


def _check(initiative: Initiative, role: JobRole, fiscal_year: int, fte: Decimal, current_id: int | None) -> None:
    if role.organization_id != initiative.organization_id:
        raise FieldError("role", "Choose one of your organization’s roles.")
    if not 2000 <= fiscal_year <= 2100:
        raise FieldError("fiscal_year", "Enter a fiscal year between 2000 and 2100.")
    problem = fte_problem(fte, positive=True)
    if problem:
        raise FieldError("fte", problem)
    clash = db.session.scalar(
        db.select(InitiativeFteNeed.id).where(
            InitiativeFteNeed.initiative_id == initiative.id,
            InitiativeFteNeed.role_id == role.id,
            InitiativeFteNeed.fiscal_year == fiscal_year,
            InitiativeFteNeed.id != current_id,
        )
    )
    if clash is not None:
        raise FieldError(
            "fiscal_year",
            f"{initiative.code} already needs {role.name} in FY{fiscal_year}. Change that row instead.",
        )


def _record(initiative: Initiative, user: User, verb: str, summary: str, changes: dict[str, object]) -> None:
    audit(
        f"initiative.fte_need.{verb}",
        user=user,
        organization_id=initiative.organization_id,
        object_type="initiative",
        object_id=initiative.id,
        summary=summary,
        changes=changes,
    )


def _label(need: InitiativeFteNeed) -> str:
    return f"{need.fte.normalize():f} FTE of {need.role.name} in FY{need.fiscal_year}"


def add_need(initiative: Initiative, *, user: User, role: JobRole, fiscal_year: int, fte: Decimal) -> InitiativeFteNeed:
    """The initiative needs ``fte`` of ``role`` in ``fiscal_year`` (one row per role and year)."""
    _ensure_can_edit(initiative, user)
    _check(initiative, role, fiscal_year, fte, None)
    need = InitiativeFteNeed(initiative=initiative, role=role, fiscal_year=fiscal_year, fte=fte)
    db.session.add(need)
    db.session.flush()
    changes = {"need_id": need.id, "role": role.name, "fiscal_year": fiscal_year, "fte": f"{fte:f}"}
    _record(initiative, user, "create", f"{initiative.code} needs {_label(need)}", changes)
    return need


def update_need(need: InitiativeFteNeed, *, user: User, role: JobRole, fiscal_year: int, fte: Decimal) -> bool:
    """Change the role, year or FTE of a need; False when nothing changed."""
    initiative = need.initiative
    _ensure_can_edit(initiative, user)
    _check(initiative, role, fiscal_year, fte, need.id)
    before_role = need.role.name
    changes = apply(need, {"fiscal_year": fiscal_year, "fte": fte})
    if need.role_id != role.id:
        need.role = role
        changes["role"] = {"before": before_role, "after": role.name}
    if not changes:
        return False
    db.session.flush()
    _record(initiative, user, "update", f"{initiative.code} now needs {_label(need)}", {"need_id": need.id, **changes})
    return True


def remove_need(need: InitiativeFteNeed, *, user: User) -> None:
    initiative = need.initiative
    _ensure_can_edit(initiative, user)
    label = _label(need)
    changes = {"need_id": need.id, "role": need.role.name, "fiscal_year": need.fiscal_year, "fte": f"{need.fte:f}"}
    db.session.delete(need)
    db.session.flush()
    _record(initiative, user, "delete", f"{initiative.code} no longer needs {label}", changes)
