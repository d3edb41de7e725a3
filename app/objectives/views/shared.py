"""The objectives blueprint and what its pages share: loading with access checks, the service runner that
commits once, breadcrumbs, and the KPI template filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from flask import Blueprint, abort, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError

from app.core.charts import with_unit
from app.core.db import utcnow
from app.core.errors import FAILED, attempt, ensure
from app.core.forms import MAX_ID
from app.extensions import db
from app.objectives import queries, services
from app.objectives.models import Kpi, PolicyObjective
from app.portfolio.models import Initiative

bp = Blueprint("objectives", __name__)

T = TypeVar("T")
Crumbs = list[tuple[str, str]]


@bp.app_template_filter("kpi_value")
def kpi_value(value: Decimal | None, unit: str = "") -> str:
    """62.5000 with unit "%" → "62.5%"; 1250 with unit "USD" → "1,250 USD"."""
    return "—" if value is None else with_unit(value, unit)


@bp.app_template_filter("kpi_date")
def kpi_date(value: date | None) -> str:
    return "—" if value is None else f"{value.day} {value:%b %Y}"


def today() -> date:
    """Pages call this as ``shared.today()`` so that tests can fix the date in one place."""
    return utcnow().date()


# --- loading and access -----------------------------------------------------------------------------


def load_objective(objective_id: int) -> PolicyObjective:
    objective = db.session.scalar(queries.objective_with_context(objective_id))
    ensure(objective is not None and objective.can_view(current_user))
    return objective  # type: ignore[return-value]


def load_kpi(kpi_id: int) -> Kpi:
    kpi = db.session.scalar(queries.kpi_with_history(kpi_id))
    ensure(kpi is not None and _can_view_kpi(kpi))
    return kpi  # type: ignore[return-value]


def _can_view_kpi(kpi: Kpi) -> bool:
    """Kpi.can_view covers members only; an agency also reads the KPIs on its parent's published objectives."""
    if kpi.deleted_at is not None:
        return False
    if kpi.objective is not None:
        return kpi.objective.can_view(current_user)
    initiative = db.session.get(Initiative, kpi.initiative_id)
    return kpi.can_view(current_user) and initiative is not None and initiative.can_view(current_user)


def ensure_can_edit(subject: PolicyObjective | Kpi) -> None:
    if not subject.can_edit(current_user):
        abort(403)


def parent_from_args() -> PolicyObjective | None:
    raw = request.args.get("parent_id")
    if raw is None:
        return None
    ensure(raw.isdigit() and len(raw) <= len(str(MAX_ID)) and int(raw) <= MAX_ID)  # past the ids: not found
    return load_objective(int(raw))


def commit(action: Callable[[], T], form: FlaskForm | None = None) -> T | None:
    """Run a service and commit; None when it refused (shown on the field it concerns, or flashed).

    An EditConflict is raised again, after the rollback: the caller shows both versions."""
    result = attempt(action, form, conflicts=(services.EditConflict,), field_errors=(services.InvalidField,))
    return None if result is FAILED else result


# --- breadcrumbs -----------------------------------------------------------------------------------


def objective_trail(objective: PolicyObjective | None) -> Crumbs:
    """Objectives list, then each ancestor down to (and including) ``objective``."""
    line: list[PolicyObjective] = []
    while objective is not None:
        line.insert(0, objective)
        objective = objective.parent
    crumbs = [("Objectives", url_for("objectives.list_objectives"))]
    return crumbs + [(f"{o.code} {o.title}", url_for("objectives.show_objective", objective_id=o.id)) for o in line]


def kpi_trail(kpi: Kpi) -> Crumbs:
    if kpi.objective is not None:
        return objective_trail(kpi.objective)
    initiative = db.session.get(Initiative, kpi.initiative_id)
    label = f"{initiative.code} {initiative.title}" if initiative else "Initiative"
    try:  # the initiative pages belong to the portfolio blueprint and may not exist yet
        return [
            ("Initiatives", url_for("portfolio.list_initiatives")),
            (label, url_for("portfolio.show_initiative", initiative_id=kpi.initiative_id)),
        ]
    except BuildError:
        return [(label, "")]
