"""What the portfolio pages share: the blueprint, loading and authorizing, running a service, and the
initiative page that a refused sub-form (milestone, risk, cost, dependency, objective) is shown again on.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.core.errors import FAILED, attempt, ensure
from app.extensions import db
from app.portfolio import queries, services
from app.portfolio.forms import CATEGORY_HINTS, CostForm, DependencyForm, MilestoneForm, ObjectiveLinkForm, RiskForm
from app.portfolio.models import Initiative, InitiativeCost, InitiativeDependency, Milestone, ObjectiveLink, Risk
from app.portfolio.money import format_money
from app.portfolio.panels import initiative_panels

bp = Blueprint("portfolio", __name__)

# Run a service and commit; a refusal goes on the form's field or is flashed; FAILED when refused.
_attempt = partial(attempt, conflicts=(services.EditConflict,))
Child = TypeVar("Child", Milestone, Risk, InitiativeCost, InitiativeDependency, ObjectiveLink)


@bp.context_processor
def page_helpers() -> dict[str, Any]:
    return {"money": format_money, "CATEGORY_HINTS": CATEGORY_HINTS}


# --- loading and authorizing -------------------------------------------------------------------


def _load(initiative_id: int) -> Initiative:
    initiative = db.session.scalar(queries.initiative_detail(initiative_id))
    ensure(initiative is not None and initiative.can_view(current_user))
    return initiative  # type: ignore[return-value]


def _load_editable(initiative_id: int) -> Initiative:
    initiative = _load(initiative_id)
    if not initiative.can_edit(current_user):
        abort(403)
    return initiative


def _load_child(model: type[Child], child_id: int, initiative_id: int) -> Child:
    """A milestone, risk, cost, dependency or link of the initiative in the URL, else 404."""
    child = db.session.get(model, child_id)
    ensure(child is not None and child.initiative_id == initiative_id)
    _load_editable(initiative_id)
    return child  # type: ignore[return-value]


def _show(initiative_id: int, anchor: str | None = None):  # type: ignore[no-untyped-def]
    return redirect(url_for("portfolio.show_initiative", initiative_id=initiative_id, _anchor=anchor))


# --- the initiative page and its sub-forms -----------------------------------------------------

FORM_CLASSES: dict[str, type[FlaskForm]] = {
    "milestone": MilestoneForm,
    "risk": RiskForm,
    "cost": CostForm,
    "dependency": DependencyForm,
    "link": ObjectiveLinkForm,
}


def _objective_choices(form: ObjectiveLinkForm, initiative: Initiative) -> None:
    objectives = db.session.scalars(queries.objectives_for(initiative.organization)).all()
    own = initiative.organization_id
    form.objective.choices = [SelectChoice("", "Choose an objective")] + [
        SelectChoice(
            str(o.id), f"{o.code} {o.title}" + ("" if o.organization_id == own else f" ({o.organization.name})")
        )
        for o in objectives
    ]


def _detail_page(initiative: Initiative, *, failed: FlaskForm | None = None):  # type: ignore[no-untyped-def]
    can_edit = initiative.can_edit(current_user)
    forms = {key: cls(formdata=None, prefix=key) for key, cls in FORM_CLASSES.items()} if can_edit else {}
    if failed is not None:
        forms[next(key for key, cls in FORM_CLASSES.items() if isinstance(failed, cls))] = failed
    if can_edit:
        _objective_choices(forms["link"], initiative)  # type: ignore[arg-type]
    return render_template(
        "portfolio/show.html",
        initiative=initiative,
        dependents=db.session.scalars(queries.dependents_of(initiative.id)).all(),
        total_cost=sum((cost.total for cost in initiative.costs), start=Decimal("0.00")),
        high_risk_score=services.HIGH_RISK_SCORE,
        can_edit=can_edit,
        forms=forms,
        failed=failed,
        deletable=[status.value for status in services.DELETABLE],
        panels=initiative_panels(initiative, current_user),
    ), (200 if failed is None else 422)


def _add(initiative: Initiative, form: FlaskForm, action: Callable[[], Any], message: str, anchor: str):  # type: ignore[no-untyped-def]
    if form.validate() and _attempt(action, form) is not FAILED:
        flash(message, "success")
        return _show(initiative.id, anchor)
    return _detail_page(initiative, failed=form)


def _remove(initiative_id: int, action: Callable[[], Any], message: str, anchor: str):  # type: ignore[no-untyped-def]
    if _attempt(action) is not FAILED:
        flash(message, "success")
    return _show(initiative_id, anchor)
