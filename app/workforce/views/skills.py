"""The skills catalogue: listing, adding, editing and deleting skills."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.context import current_organization
from app.extensions import db
from app.workforce import queries, services
from app.workforce.forms import SkillForm
from app.workforce.models import Skill, SkillGap
from app.workforce.views.shared import (
    FAILED,
    _attempt,
    _can_edit,
    _conflict_version,
    _ensure_editor,
    _form_page,
    _load,
    _save_form,
    bp,
)


def _skill_fields(form: SkillForm) -> services.SkillFields:
    return services.SkillFields(
        name=form.name.data or "", category=form.category.data or "", description=(form.description.data or "").strip()
    )


def _skills_page(form: SkillForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    organization = current_organization()
    skills = db.session.scalars(queries.skills_of(organization.id)).all()
    counts: dict[int, int] = {
        skill_id: count
        for skill_id, count in db.session.execute(
            db.select(SkillGap.skill_id, db.func.count())
            .join(Skill, Skill.id == SkillGap.skill_id)
            .where(Skill.organization_id == organization.id)
            .group_by(SkillGap.skill_id)
        )
    }
    return render_template(
        "workforce/skills.html",
        skills=skills,
        gap_counts=counts,
        form=form or SkillForm(formdata=None),
        can_edit=_can_edit(),
    ), status


@bp.route("/workforce/skills", methods=["GET", "POST"])
def list_skills():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _skills_page()
    organization = current_organization()
    _ensure_editor()
    form = SkillForm()
    create = partial(services.create_skill, organization=organization, user=current_user, fields=_skill_fields(form))

    def done(skill: Skill):  # type: ignore[no-untyped-def]
        flash(f"Added “{skill.name}” to the skills catalogue.", "success")
        return redirect(url_for("workforce.list_skills"))

    return _save_form(form, create, done=done, page=lambda status, **_: _skills_page(form, status), noun="skill")


@bp.route("/workforce/skills/<int:skill_id>/edit", methods=["GET", "POST"])
def edit_skill(skill_id: int):  # type: ignore[no-untyped-def]
    skill: Skill = _load(Skill, skill_id, edit=True)
    form = SkillForm(obj=skill, version=str(skill.version)) if request.method == "GET" else SkillForm()
    cancel = url_for("workforce.list_skills")

    def page(status: int = 200, conflict: bool = False):  # type: ignore[no-untyped-def]
        if conflict:
            _conflict_version(form, skill)
        return _form_page(form, title=f"Edit the skill {skill.name}", submit="Save skill", cancel=cancel, status=status)

    if request.method == "GET":
        return page()

    def done(changed: bool):  # type: ignore[no-untyped-def]
        flash(f"Saved “{skill.name}”." if changed else "Nothing had changed, so nothing was saved.", "success")
        return redirect(url_for("workforce.list_skills"))

    update = partial(
        services.update_skill, skill, user=current_user, fields=_skill_fields(form), base_version=form.base_version()
    )
    return _save_form(form, update, done=done, page=page, noun="skill")


@bp.post("/workforce/skills/<int:skill_id>/delete")
def delete_skill(skill_id: int):  # type: ignore[no-untyped-def]
    skill: Skill = _load(Skill, skill_id, edit=True)
    name = skill.name
    if _attempt(partial(services.delete_skill, skill, user=current_user)) is not FAILED:
        flash(f"Deleted “{name}” from the catalogue, with the roles’ gaps in it.", "success")
    return redirect(url_for("workforce.list_skills"))
