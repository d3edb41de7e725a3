"""Plan scope (the objectives and initiatives a plan covers) and the pages that analyse it: the traceability
matrix, gaps and portfolio balance."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from app.core.db import utcnow
from app.core.errors import ensure
from app.core.forms import MAX_PAGE, int_param
from app.objectives.models import PolicyObjective
from app.plans import scope
from app.plans.models import Plan
from app.plans.scope import PlanScope
from app.plans.views.shared import bp, ensure_can_edit, load_plan, run_service
from app.portfolio import traceability
from app.portfolio.blocks import render_section
from app.portfolio.models import Category, Initiative
from app.portfolio.money import format_money
from app.portfolio.traceability.charts import category_chart, year_chart

bp.add_app_template_global(render_section, "render_section")
bp.add_app_template_global(format_money, "format_money")


class ScopeForm(FlaskForm):
    """The ticked objectives and initiatives; choices are set per plan by the view."""

    objectives = SelectMultipleField(
        coerce=int, invalid_choice_message="One of the ticked objectives is no longer available. Tick again."
    )
    initiatives = SelectMultipleField(
        coerce=int, invalid_choice_message="One of the ticked initiatives is no longer available. Tick again."
    )


@bp.route("/<int:plan_id>/scope", methods=["GET", "POST"])
def edit_scope(plan_id: int):  # type: ignore[no-untyped-def]
    plan = load_plan(plan_id)
    ensure_can_edit(plan)
    objectives, initiatives = scope.objective_choices(plan), scope.initiative_choices(plan)
    form = ScopeForm()
    form.objectives.choices = [(o.id, o.code) for o in objectives]
    form.initiatives.choices = [(i.id, i.code) for i in initiatives]
    if form.validate_on_submit():
        if "include_all" in request.form:
            form.objectives.data, form.initiatives.data = [o.id for o in objectives], [i.id for i in initiatives]
        changed = run_service(
            lambda: scope.set_scope(
                plan,
                user=current_user,
                objective_ids=form.objectives.data or [],
                initiative_ids=form.initiatives.data or [],
            )
        )
        if changed is not None:
            flash("Saved what the plan covers." if changed else "Nothing changed.", "success" if changed else "info")
        return redirect(url_for("plans.edit_scope", plan_id=plan_id))
    return _scope_page(plan, form, objectives, initiatives)


def _scope_page(  # type: ignore[no-untyped-def]
    plan: Plan, form: ScopeForm, objectives: list[PolicyObjective], initiatives: list[Initiative]
):
    # after a refused submission, show what the user ticked rather than what is saved
    chosen = scope.chosen_ids(plan) if request.method == "GET" else _ticked()
    return render_template(
        "traceability/scope.html",
        plan=plan,
        form=form,
        scope=scope.scope_of(plan),
        objectives=objectives,
        initiatives=initiatives,
        chosen_objectives=chosen[0],
        chosen_initiatives=chosen[1],
        editable=plan.is_editable,
    ), (422 if form.errors else 200)


def _ticked() -> tuple[set[int], set[int]]:
    ticked = [{int(v) for v in request.form.getlist(name) if v.isdigit()} for name in ("objectives", "initiatives")]
    return ticked[0], ticked[1]


def _analysis_page(plan_id: int) -> tuple[PlanScope, dict[str, object]]:
    """Load a plan a member may view and its scope; return the scope and the context every analysis page needs."""
    plan = load_plan(plan_id)
    plan_scope = scope.scope_of(plan)
    return plan_scope, {"plan": plan, "scope": plan_scope, "can_edit_scope": plan.can_edit(current_user)}


@bp.get("/<int:plan_id>/traceability", endpoint="traceability")
def traceability_matrix(plan_id: int):  # type: ignore[no-untyped-def]
    plan_scope, page = _analysis_page(plan_id)
    goal, number = request.args.get("goal") or None, int_param("page", 1, maximum=MAX_PAGE)
    found = traceability.matrix(plan_scope, goal=goal, page=number)
    ensure(found is not None)  # no goal with that code in this plan
    return render_template("traceability/matrix.html", matrix=found, per_page=traceability.COLUMNS_PER_PAGE, **page)


@bp.get("/<int:plan_id>/gaps")
def gaps(plan_id: int):  # type: ignore[no-untyped-def]
    plan_scope, page = _analysis_page(plan_id)
    today = utcnow().date()
    found = traceability.gaps(plan_scope, today)
    return render_template(
        "traceability/gaps.html", gaps=found, today=today, high_score=traceability.HIGH_RISK_SCORE, **page
    )


@bp.get("/<int:plan_id>/balance")
def balance(plan_id: int):  # type: ignore[no-untyped-def]
    plan_scope, page = _analysis_page(plan_id)
    result = traceability.balance(plan_scope)
    return render_template(
        "traceability/balance.html",
        balance=result,
        categories=list(Category),
        category_chart=category_chart(result.by_category, chart_id="balance-category-chart"),
        year_chart=year_chart(result.by_year, chart_id="balance-year-chart"),
        **page,
    )
