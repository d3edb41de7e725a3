"""A role's capacity rows (figures per fiscal year) and skill gaps: add, edit, remove."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import flash, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from app.workforce import services
from app.workforce.common import FieldError
from app.workforce.forms import CapacityForm, GapForm
from app.workforce.models import JobRole, RoleCapacity, Skill, SkillGap
from app.workforce.views.roles import _role_page, _show_role, _skill_choices
from app.workforce.views.shared import FAILED, _attempt, _load, _load_role_part, _posted, bp


def _capacity_fields(form: CapacityForm) -> services.CapacityFields:
    return services.CapacityFields(
        fiscal_year=form.fiscal_year.data,
        current_fte=form.current_fte.data or services.ZERO,
        vacancies=form.vacancies.data or services.ZERO,
        attrition=form.attrition.data or services.ZERO,
        required_fte=form.required_fte.data or services.ZERO,
    )


def _item_page(role: JobRole, form: FlaskForm, *, noun: str, anchor: str, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("workforce/item_edit.html", role=role, form=form, noun=noun, anchor=anchor), status


@bp.post("/workforce/roles/<int:role_id>/capacity")
def add_capacity(role_id: int):  # type: ignore[no-untyped-def]
    role: JobRole = _load(JobRole, role_id, edit=True)
    form = CapacityForm(prefix="capacity")
    if form.validate():
        add = partial(services.add_capacity, role, user=current_user, fields=_capacity_fields(form))
        if _attempt(add, form) is not FAILED:
            flash(f"Added the FY{form.fiscal_year.data} figures of {role.name}.", "success")
            return _show_role(role.id, "capacity")
    return _role_page(role, failed=form)


@bp.route("/workforce/roles/<int:role_id>/capacity/<int:capacity_id>/edit", methods=["GET", "POST"])
def edit_capacity(role_id: int, capacity_id: int):  # type: ignore[no-untyped-def]
    capacity: RoleCapacity = _load_role_part(RoleCapacity, capacity_id, role_id)
    form = CapacityForm(obj=capacity, prefix="capacity")
    if request.method == "POST" and form.validate():
        update = partial(services.update_capacity, capacity, user=current_user, fields=_capacity_fields(form))
        changed = _attempt(update, form)
        if changed is not FAILED:
            flash("Saved the figures." if changed else "Nothing had changed, so nothing was saved.", "success")
            return _show_role(role_id, "capacity")
    status = 422 if request.method == "POST" else 200
    return _item_page(capacity.role, form, noun=f"FY{capacity.fiscal_year} figures", anchor="capacity", status=status)


@bp.post("/workforce/roles/<int:role_id>/capacity/<int:capacity_id>/delete")
def remove_capacity(role_id: int, capacity_id: int):  # type: ignore[no-untyped-def]
    capacity: RoleCapacity = _load_role_part(RoleCapacity, capacity_id, role_id)
    year = capacity.fiscal_year
    if _attempt(partial(services.remove_capacity, capacity, user=current_user)) is not FAILED:
        flash(f"Removed the FY{year} figures.", "success")
    return _show_role(role_id, "capacity")


def _gap_fields(form: GapForm) -> services.GapFields:
    return services.GapFields(
        current_level=form.current_level.data, target_level=form.target_level.data, priority=form.priority.data
    )


def _gap_action(form: GapForm, skill: Skill | None, save: Callable[[Skill], Any]) -> Callable[[], Any]:
    def run() -> Any:
        if skill is None:
            raise FieldError("skill", "Choose a skill from the list.")
        return save(skill)

    return run


@bp.post("/workforce/roles/<int:role_id>/gaps")
def add_gap(role_id: int):  # type: ignore[no-untyped-def]
    role: JobRole = _load(JobRole, role_id, edit=True)
    form = GapForm(prefix="gap")
    _skill_choices(form, role.organization_id)
    skill = _posted(Skill, form.skill, role.organization_id)
    if form.validate():
        save = partial(services.add_gap, role, user=current_user, fields=_gap_fields(form))
        if _attempt(_gap_action(form, skill, lambda s: save(skill=s)), form) is not FAILED:
            flash(f"Added the {skill.name if skill else ''} gap to {role.name}.", "success")
            return _show_role(role.id, "gaps")
    return _role_page(role, failed=form)


@bp.route("/workforce/roles/<int:role_id>/gaps/<int:gap_id>/edit", methods=["GET", "POST"])
def edit_gap(role_id: int, gap_id: int):  # type: ignore[no-untyped-def]
    gap: SkillGap = _load_role_part(SkillGap, gap_id, role_id)
    form = GapForm(obj=gap, prefix="gap") if request.method == "GET" else GapForm(prefix="gap")
    if request.method == "GET":
        form.skill.data = gap.skill_id  # the form's "skill" is the id, the gap's is the object
    _skill_choices(form, gap.role.organization_id)
    if request.method == "POST":
        skill = _posted(Skill, form.skill, gap.role.organization_id)
        if form.validate():
            save = partial(services.update_gap, gap, user=current_user, fields=_gap_fields(form))
            changed = _attempt(_gap_action(form, skill, lambda s: save(skill=s)), form)
            if changed is not FAILED:
                flash("Saved the skill gap." if changed else "Nothing had changed, so nothing was saved.", "success")
                return _show_role(role_id, "gaps")
    status = 422 if request.method == "POST" else 200
    return _item_page(gap.role, form, noun=f"{gap.skill.name} gap", anchor="gaps", status=status)


@bp.post("/workforce/roles/<int:role_id>/gaps/<int:gap_id>/delete")
def remove_gap(role_id: int, gap_id: int):  # type: ignore[no-untyped-def]
    gap: SkillGap = _load_role_part(SkillGap, gap_id, role_id)
    name = gap.skill.name
    if _attempt(partial(services.remove_gap, gap, user=current_user)) is not FAILED:
        flash(f"Removed the {name} gap.", "success")
    return _show_role(role_id, "gaps")
