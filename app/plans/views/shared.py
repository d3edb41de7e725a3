"""The plans blueprint and what its pages share: loading with access checks, and the service runner that
commits once (the core's, named here too). Governance's adoption pages use ``load_plan`` and ``run_service``."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from app.core.errors import ensure, run_service
from app.extensions import db
from app.plans import queries
from app.plans.models import Plan, PlanSection

__all__ = ["bp", "ensure_can_edit", "load_plan", "load_section", "run_service"]

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
