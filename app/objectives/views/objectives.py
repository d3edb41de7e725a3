"""Objective pages: the tree of goals and objectives, add, show, edit (with the conflict page) and delete."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.context import current_organization
from app.extensions import db
from app.objectives import queries, services
from app.objectives.forms import ObjectiveForm, differences
from app.objectives.models import MAX_OBJECTIVE_DEPTH, PolicyObjective, PolicySourceType
from app.objectives.views import shared
from app.objectives.views.shared import bp, commit, ensure_can_edit, load_objective, objective_trail, parent_from_args


@bp.get("/objectives")
def list_objectives():  # type: ignore[no-untyped-def]
    organization = current_organization()
    parent = organization.parent
    organization_ids = [organization.id] + ([parent.id] if parent else [])
    objectives = db.session.scalars(queries.objectives_in(organization_ids)).all()
    kpis = db.session.scalars(queries.kpis_on_objectives(organization_ids)).all()
    found = queries.assessments(kpis, today=shared.today())
    return render_template(
        "objectives/list.html",
        organization=organization,
        parent=parent,
        rows=queries.as_tree([o for o in objectives if o.organization_id == organization.id], kpis, found),
        parent_rows=queries.as_tree([o for o in objectives if o.organization_id != organization.id], kpis, found),
        can_create=current_user.can_edit_in(organization.id),
    )


@bp.route("/objectives/new", methods=["GET", "POST"])
def new_objective():  # type: ignore[no-untyped-def]
    parent = parent_from_args()
    organization = parent.organization if parent else current_organization()
    if not current_user.can_edit_in(organization.id):
        abort(403)
    if request.method == "GET" and parent is not None and parent.depth >= MAX_OBJECTIVE_DEPTH:
        flash(
            f"{parent.code} is at level {MAX_OBJECTIVE_DEPTH}, the deepest level: it cannot have sub-objectives.",
            "error",
        )
        return redirect(url_for("objectives.show_objective", objective_id=parent.id))
    form = ObjectiveForm()
    if form.validate_on_submit():
        action = partial(
            services.create_objective,
            organization=organization,
            user=current_user,
            fields=form.to_fields(),
            parent=parent,
        )
        if (objective := commit(action, form)) is not None:
            flash(f"Added {objective.code} “{objective.title}”.", "success")
            return redirect(url_for("objectives.show_objective", objective_id=objective.id))
    return _objective_form_page(form, parent=parent, status=422 if request.method == "POST" else 200)


def _objective_form_page(
    form: ObjectiveForm,
    *,
    parent: PolicyObjective | None = None,
    objective: PolicyObjective | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    if objective is not None:
        heading, action = f"Edit {objective.code}", url_for("objectives.edit_objective", objective_id=objective.id)
        cancel, trail = url_for("objectives.show_objective", objective_id=objective.id), objective_trail(objective)
    else:
        level = services.LEVEL_NAMES.get(parent.depth + 1 if parent else 1, "sub-objective")
        heading = f"Add {'an' if level[0] in 'aeiou' else 'a'} {level} under {parent.code}" if parent else "Add a goal"
        action = url_for("objectives.new_objective", parent_id=parent.id if parent else None)
        trail = objective_trail(parent)
        cancel = trail[-1][1]
    return render_template(
        "objectives/objective_form.html",
        form=form,
        heading=heading,
        action=action,
        cancel_url=cancel,
        trail=trail,
        parent=parent,
        conflict=conflict,
    ), status


@bp.get("/objectives/<int:objective_id>")
def show_objective(objective_id: int):  # type: ignore[no-untyped-def]
    objective = load_objective(objective_id)
    children = sorted(
        db.session.scalars(queries.children_of(objective.id)).all(), key=lambda o: queries.code_sort_key(o.code)
    )
    kpis = db.session.scalars(queries.kpis_of_objective(objective.id)).all()
    return render_template(
        "objectives/show.html",
        objective=objective,
        trail=objective_trail(objective)[:-1],
        children=children,
        kpi_counts=queries.kpi_counts([c.id for c in children]),
        kpis=kpis,
        found=queries.assessments(kpis, today=shared.today()),
        source_label=PolicySourceType(objective.policy_source_type).label,
        level=services.LEVEL_NAMES[objective.depth],
        can_edit=objective.can_edit(current_user),
        can_add_child=objective.depth < MAX_OBJECTIVE_DEPTH,
        own=current_user.is_member_of(objective.organization_id),
    )


@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
def edit_objective(objective_id: int):  # type: ignore[no-untyped-def]
    objective = load_objective(objective_id)
    ensure_can_edit(objective)
    if request.method == "GET":
        form = ObjectiveForm(obj=objective, version=str(objective.version))
        return _objective_form_page(form, objective=objective)
    form = ObjectiveForm()
    if not form.validate():
        return _objective_form_page(form, objective=objective, status=422)
    try:
        action = partial(
            services.update_objective,
            objective,
            user=current_user,
            fields=form.to_fields(),
            base_version=form.base_version(),
        )
        saved = commit(action, form)
    except services.EditConflict:
        return _objective_conflict(form, load_objective(objective_id))
    if saved is None:
        return _objective_form_page(form, objective=objective, status=422)
    flash(f"Saved {saved.code} “{saved.title}”.", "success")
    return redirect(url_for("objectives.show_objective", objective_id=objective_id))


def _objective_conflict(form: ObjectiveForm, current: PolicyObjective):  # type: ignore[no-untyped-def]
    changed = differences(form, ObjectiveForm(formdata=None, obj=current))
    form.version.data = str(current.version)  # saving again now means "keep mine"
    return _objective_form_page(form, objective=current, conflict=changed, status=409)


@bp.post("/objectives/<int:objective_id>/delete")
def delete_objective(objective_id: int):  # type: ignore[no-untyped-def]
    objective = load_objective(objective_id)
    ensure_can_edit(objective)
    code, title, parent_id = objective.code, objective.title, objective.parent_id
    if commit(lambda: services.delete_objective(objective, user=current_user)) is None:
        return redirect(url_for("objectives.show_objective", objective_id=objective_id))
    flash(f"Deleted {code} “{title}”.", "success")
    if parent_id is not None:
        return redirect(url_for("objectives.show_objective", objective_id=parent_id))
    return redirect(url_for("objectives.list_objectives"))
