"""Plan pages: the list, a new plan from a template, and a plan with its sections."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.context import current_organization
from app.core.errors import DomainError
from app.extensions import db
from app.plans import queries, services
from app.plans.forms import NewPlanForm, NewSectionForm, VersionForm
from app.plans.models import SectionState
from app.plans.templates import all_templates, get_template
from app.plans.views.shared import bp, load_plan


def _template_dir() -> str:
    return str(current_app.config["PLAN_TEMPLATE_DIR"])


@bp.get("")
def list_plans():  # type: ignore[no-untyped-def]
    organization = current_organization()
    page = db.paginate(queries.plans_in(organization.id), per_page=25, error_out=False)
    progress = queries.plan_progress([p.id for p in page.items])
    return render_template(
        "plans/list.html",
        page=page,
        progress=progress,
        organization=organization,
        can_create=current_user.can_edit_in(organization.id),
    )


@bp.route("/new", methods=["GET", "POST"])
def create_plan():  # type: ignore[no-untyped-def]
    organization = current_organization()
    if not current_user.can_edit_in(organization.id):
        abort(403)
    templates = all_templates(_template_dir())
    form = NewPlanForm()
    form.template.choices = [(t.key, t.name) for t in templates]
    if form.validate_on_submit():
        template = get_template(_template_dir(), form.template.data or "")
        if template is None:
            abort(400)
        try:
            plan = services.create_plan(
                organization=organization,
                owner=current_user,
                title=form.title.data or "",
                first_fiscal_year=form.first_fiscal_year.data or 0,
                last_fiscal_year=form.last_fiscal_year.data or 0,
                template=template,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"Created “{plan.title}” with {len(template.sections)} sections from {template.name}.", "success")
            return redirect(url_for("plans.show_plan", plan_id=plan.id))
    status = 422 if form.errors else 200
    return render_template("plans/new.html", form=form, templates=templates), status


@bp.get("/<int:plan_id>")
def show_plan(plan_id: int):  # type: ignore[no-untyped-def]
    plan = load_plan(plan_id)
    visible = [s for s in plan.sections if not s.is_deleted]
    removed = [s for s in plan.sections if s.is_deleted]
    states = {state: sum(1 for s in visible if s.state is state) for state in SectionState}
    completeness = round(100 * states[SectionState.READY] / len(visible)) if visible else 0
    return render_template(
        "plans/show.html",
        plan=plan,
        sections=visible,
        removed=removed,
        states=states,
        completeness=completeness,
        can_edit=plan.can_edit(current_user) and plan.is_editable,
        new_section_form=NewSectionForm(),
        button_form=VersionForm(),
    )
