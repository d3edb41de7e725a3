"""Role pages: adding, showing, editing and deleting a job role."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.auth.context import current_organization
from app.extensions import db
from app.portfolio.models import Initiative
from app.workforce import queries, services
from app.workforce.forms import CapacityForm, GapForm, RoleForm
from app.workforce.models import InitiativeFteNeed, JobRole, SkillGap, WorkforceAction
from app.workforce.views.shared import (
    FAILED,
    _attempt,
    _edit_page,
    _ensure_editor,
    _form_page,
    _load,
    _named_fields,
    _save_form,
    bp,
)


def _show_role(role_id: int, anchor: str | None = None):  # type: ignore[no-untyped-def]
    return redirect(url_for("workforce.show_role", role_id=role_id, _anchor=anchor))


@bp.route("/workforce/roles/new", methods=["GET", "POST"])
def new_role():  # type: ignore[no-untyped-def]
    organization = current_organization()
    _ensure_editor()
    form = RoleForm()
    page = partial(_form_page, form, title="Add a role", submit="Add role", cancel=url_for("workforce.show_workforce"))
    if request.method == "GET":
        return page()

    def done(role: JobRole):  # type: ignore[no-untyped-def]
        flash(f"Added the role “{role.name}”. Add its figures for each fiscal year below.", "success")
        return _show_role(role.id)

    fields = _named_fields(form, services.RoleFields)
    create = partial(services.create_role, organization=organization, user=current_user, fields=fields)
    return _save_form(form, create, done=done, page=page)


def _role_page(role: JobRole, *, failed: FlaskForm | None = None):  # type: ignore[no-untyped-def]
    can_edit = role.can_edit(current_user)
    capacity_form = failed if isinstance(failed, CapacityForm) else CapacityForm(formdata=None, prefix="capacity")
    gap_form = failed if isinstance(failed, GapForm) else GapForm(formdata=None, prefix="gap")
    _skill_choices(gap_form, role.organization_id)
    needs = db.session.execute(
        db.select(InitiativeFteNeed, Initiative.code, Initiative.title)
        .join(Initiative, Initiative.id == InitiativeFteNeed.initiative_id)
        .where(InitiativeFteNeed.role_id == role.id, Initiative.deleted_at.is_(None))
        .order_by(InitiativeFteNeed.fiscal_year, Initiative.code)
    ).all()
    actions = db.session.scalars(
        queries.actions_of(role.organization_id).where(WorkforceAction.role_id == role.id)
    ).all()
    gaps = db.session.scalars(queries.gaps_of(role.organization_id).where(SkillGap.role_id == role.id)).all()
    return render_template(
        "workforce/role.html",
        role=role,
        gaps=gaps,
        gap_actions=queries.actions_by_gap([gap.id for gap in gaps]),
        needs=needs,
        actions=actions,
        can_edit=can_edit,
        capacity_form=capacity_form,
        gap_form=gap_form,
        failed=failed,
    ), (200 if failed is None else 422)


def _skill_choices(form: GapForm, organization_id: int) -> None:
    skills = db.session.scalars(queries.skills_of(organization_id)).all()
    form.skill.choices = [SelectChoice("", "Choose a skill")] + [SelectChoice(str(s.id), s.name) for s in skills]


@bp.get("/workforce/roles/<int:role_id>")
def show_role(role_id: int):  # type: ignore[no-untyped-def]
    return _role_page(_load(JobRole, role_id))


@bp.route("/workforce/roles/<int:role_id>/edit", methods=["GET", "POST"])
def edit_role(role_id: int):  # type: ignore[no-untyped-def]
    role: JobRole = _load(JobRole, role_id, edit=True)
    form = RoleForm(obj=role, version=str(role.version)) if request.method == "GET" else RoleForm()
    return _edit_page(
        role,
        form,
        services.update_role,
        fields=lambda form: _named_fields(form, services.RoleFields),
        title=lambda: f"Edit the role {role.name}",
        submit="Save role",
        saved=lambda: f"Saved the role “{role.name}”.",
        back=url_for("workforce.show_role", role_id=role.id),
    )


@bp.post("/workforce/roles/<int:role_id>/delete")
def delete_role(role_id: int):  # type: ignore[no-untyped-def]
    role: JobRole = _load(JobRole, role_id, edit=True)
    name = role.name
    if _attempt(partial(services.delete_role, role, user=current_user)) is FAILED:
        return _show_role(role_id)
    flash(f"Deleted the role “{name}” with its figures, skill gaps and initiatives’ FTE needs.", "success")
    return redirect(url_for("workforce.show_workforce"))
