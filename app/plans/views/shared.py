"""The plans blueprint and what its pages share: loading with access checks and the service runner that
commits once. Governance's adoption pages use ``load_plan`` and ``run_service`` too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash
from flask_login import current_user

from app.core.errors import DomainError, PermissionDenied, ensure
from app.extensions import db
from app.plans import queries
from app.plans.models import Plan, PlanSection

bp = Blueprint("plans", __name__, url_prefix="/plans")


def load_plan(plan_id: int) -> Plan:
    plan = db.session.scalar(queries.plan_with_sections(plan_id))
    ensure(plan is not None and plan.can_view(current_user))
    return plan  # type: ignore[return-value]


def load_section(plan_id: int, section_id: int, *, deleted: bool = False) -> PlanSection:
    section = db.get_or_404(PlanSection, section_id)
    ensure(section.plan_id == plan_id and section.plan.can_view(current_user) and section.is_deleted == deleted)
    return section


def ensure_can_edit(plan: Plan) -> None:
    if not plan.can_edit(current_user):
        abort(403)


def run_service(action: Callable[[], Any]) -> Any:
    """Run a service; commit on success; on refusal roll back and flash (403 for a permission refusal).

    Returns the service's result, True for a service that returns nothing, None after a refusal."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    return True if result is None else result
