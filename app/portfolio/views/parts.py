"""Milestones, risks and costs: added from the initiative page, each edited on a small page of its own."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from app.portfolio import services
from app.portfolio.forms import CostForm, MilestoneForm, RiskForm
from app.portfolio.models import Initiative, InitiativeCost, Milestone, Risk
from app.portfolio.views.shared import FAILED, _add, _attempt, _load_child, _load_editable, _remove, _show, bp


def _edit_child(initiative: Initiative, form: FlaskForm, action: Callable[[], Any], *, noun: str, anchor: str):  # type: ignore[no-untyped-def]
    """A small page that edits one milestone, risk or cost of the initiative."""
    status = 200
    if request.method == "POST":
        if form.validate() and (changed := _attempt(action, form)) is not FAILED:
            flash(f"Saved the {noun}." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _show(initiative.id, anchor)
        status = 422
    return render_template(
        "portfolio/item_edit.html", initiative=initiative, form=form, noun=noun, anchor=anchor
    ), status


@bp.post("/initiatives/<int:initiative_id>/milestones")
def add_milestone(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = MilestoneForm(prefix="milestone")
    add = partial(services.add_milestone, initiative, user=current_user, **_milestone_values(form))
    return _add(initiative, form, add, f"Added the milestone “{form.title.data}”.", "milestones")


def _milestone_values(form: MilestoneForm) -> dict[str, Any]:
    return {"title": form.title.data or "", "due_date": form.due_date.data, "done_date": form.done_date.data}


@bp.route("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
def edit_milestone(initiative_id: int, milestone_id: int):  # type: ignore[no-untyped-def]
    milestone = _load_child(Milestone, milestone_id, initiative_id)
    form = MilestoneForm(obj=milestone, prefix="milestone")
    update = partial(services.update_milestone, milestone, user=current_user, **_milestone_values(form))
    return _edit_child(milestone.initiative, form, update, noun="milestone", anchor="milestones")


@bp.post("/initiatives/<int:initiative_id>/milestones/<int:milestone_id>/delete")
def remove_milestone(initiative_id: int, milestone_id: int):  # type: ignore[no-untyped-def]
    milestone = _load_child(Milestone, milestone_id, initiative_id)
    remove = partial(services.remove_milestone, milestone, user=current_user)
    return _remove(initiative_id, remove, f"Removed the milestone “{milestone.title}”.", "milestones")


def _risk_fields(form: RiskForm) -> services.RiskFields:
    return services.RiskFields(
        title=form.title.data or "",
        likelihood=form.likelihood.data,
        impact=form.impact.data,
        mitigation=(form.mitigation.data or "").strip(),
        owner=form.owner.data or "",
        status=form.status.data,
    )


@bp.post("/initiatives/<int:initiative_id>/risks")
def add_risk(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = RiskForm(prefix="risk")
    add = partial(services.add_risk, initiative, user=current_user, fields=_risk_fields(form))
    return _add(initiative, form, add, f"Added the risk “{form.title.data}”.", "risks")


@bp.route("/initiatives/<int:initiative_id>/risks/<int:risk_id>/edit", methods=["GET", "POST"])
def edit_risk(initiative_id: int, risk_id: int):  # type: ignore[no-untyped-def]
    risk = _load_child(Risk, risk_id, initiative_id)
    form = RiskForm(obj=risk, prefix="risk")
    update = partial(services.update_risk, risk, user=current_user, fields=_risk_fields(form))
    return _edit_child(risk.initiative, form, update, noun="risk", anchor="risks")


@bp.post("/initiatives/<int:initiative_id>/risks/<int:risk_id>/delete")
def remove_risk(initiative_id: int, risk_id: int):  # type: ignore[no-untyped-def]
    risk = _load_child(Risk, risk_id, initiative_id)
    remove = partial(services.remove_risk, risk, user=current_user)
    return _remove(initiative_id, remove, f"Removed the risk “{risk.title}”.", "risks")


def _cost_values(form: CostForm) -> dict[str, Any]:
    return {"fiscal_year": form.fiscal_year.data, "capital": form.capital.data, "operating": form.operating.data}


@bp.post("/initiatives/<int:initiative_id>/costs")
def add_cost(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    form = CostForm(prefix="cost")
    add = partial(services.add_cost, initiative, user=current_user, **_cost_values(form))
    return _add(initiative, form, add, f"Added the FY{form.fiscal_year.data} costs.", "costs")


@bp.route("/initiatives/<int:initiative_id>/costs/<int:cost_id>/edit", methods=["GET", "POST"])
def edit_cost(initiative_id: int, cost_id: int):  # type: ignore[no-untyped-def]
    cost = _load_child(InitiativeCost, cost_id, initiative_id)
    form = CostForm(obj=cost, prefix="cost")
    update = partial(services.update_cost, cost, user=current_user, **_cost_values(form))
    return _edit_child(cost.initiative, form, update, noun="costs", anchor="costs")


@bp.post("/initiatives/<int:initiative_id>/costs/<int:cost_id>/delete")
def remove_cost(initiative_id: int, cost_id: int):  # type: ignore[no-untyped-def]
    cost = _load_child(InitiativeCost, cost_id, initiative_id)
    remove = partial(services.remove_cost, cost, user=current_user)
    return _remove(initiative_id, remove, f"Removed the FY{cost.fiscal_year} costs.", "costs")
