"""Workforce actions (hiring, training, contracting...): listing, adding, editing and deleting them."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth.context import current_organization
from app.core.forms import int_param
from app.extensions import db
from app.workforce import queries, services
from app.workforce.forms import ActionForm
from app.workforce.models import ActionStatus, ActionType, WorkforceAction
from app.workforce.views.shared import (
    FAILED,
    _attempt,
    _can_edit,
    _edit_page,
    _ensure_editor,
    _form_page,
    _load,
    _save_form,
    bp,
)


def _action_choices(form: ActionForm, organization_id: int) -> None:
    roles = queries.role_names(organization_id)
    form.role_id.choices = [SelectChoice("", "No particular role")] + [SelectChoice(str(i), n) for i, n in roles]
    gaps = db.session.scalars(queries.gaps_of(organization_id)).all()
    form.gap_ids.choices = [
        SelectChoice(str(g.id), f"{g.role.name}: {g.skill.name} ({g.priority} priority)") for g in gaps
    ]


def _action_fields(form: ActionForm) -> services.ActionFields:
    return services.ActionFields(
        action_type=form.action_type.data or "",
        title=form.title.data or "",
        description=(form.description.data or "").strip(),
        cost=form.cost.data if form.cost.data is not None else services.ZERO,
        fiscal_year=form.fiscal_year.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        owner=form.owner.data or "",
        status=form.status.data or "",
        role_id=form.role_id.data,
        gap_ids=tuple(form.gap_ids.data or ()),
    )


@bp.get("/workforce/actions")
def list_actions():  # type: ignore[no-untyped-def]
    organization = current_organization()
    actions = db.session.scalars(queries.actions_of(organization.id)).all()
    return render_template(
        "workforce/actions.html",
        actions=actions,
        total=sum((a.cost for a in actions if a.status != ActionStatus.CANCELLED.value), start=services.ZERO),
        types=list(ActionType),
        can_edit=_can_edit(),
    )


@bp.route("/workforce/actions/new", methods=["GET", "POST"])
def new_action():  # type: ignore[no-untyped-def]
    organization = current_organization()
    _ensure_editor()
    form = ActionForm()
    if request.method == "GET":
        form = ActionForm(formdata=None, role_id=int_param("role"))
    _action_choices(form, organization.id)
    cancel = url_for("workforce.list_actions")
    page = partial(_form_page, form, title="Add an action", submit="Add action", cancel=cancel)
    if request.method == "GET":
        return page()
    create = partial(services.create_action, organization=organization, user=current_user, fields=_action_fields(form))

    def done(action: WorkforceAction):  # type: ignore[no-untyped-def]
        flash(f"Added the action “{action.title}”.", "success")
        return redirect(url_for("workforce.list_actions"))

    return _save_form(form, create, done=done, page=page)


@bp.route("/workforce/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(action_id: int):  # type: ignore[no-untyped-def]
    action: WorkforceAction = _load(WorkforceAction, action_id, edit=True)
    if request.method == "GET":
        form = ActionForm(obj=action, version=str(action.version), gap_ids=[g.id for g in action.gaps])
    else:
        form = ActionForm()
    _action_choices(form, action.organization_id)
    return _edit_page(
        action,
        form,
        services.update_action,
        fields=_action_fields,
        title=lambda: f"Edit the action {action.title}",
        submit="Save action",
        saved=lambda: f"Saved “{action.title}”.",
        back=url_for("workforce.list_actions"),
    )


@bp.post("/workforce/actions/<int:action_id>/delete")
def delete_action(action_id: int):  # type: ignore[no-untyped-def]
    action: WorkforceAction = _load(WorkforceAction, action_id, edit=True)
    title = action.title
    if _attempt(partial(services.delete_action, action, user=current_user)) is not FAILED:
        flash(f"Deleted the action “{title}”.", "success")
    return redirect(url_for("workforce.list_actions"))
