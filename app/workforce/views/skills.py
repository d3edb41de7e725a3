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
    _edit_page,
    _ensure_editor,
    _load,
    _named_fields,
    _save_form,
    bp,
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
    fields = _named_fields(form, services.SkillFields)
    create = partial(services.create_skill, organization=organization, user=current_user, fields=fields)

    def done(skill: Skill):  # type: ignore[no-untyped-def]
        flash(f"Added “{skill.name}” to the skills catalogue.", "success")
        return redirect(url_for("workforce.list_skills"))

    return _save_form(form, create, done=done, page=lambda status, **_: _skills_page(form, status))


@bp.route("/workforce/skills/<int:skill_id>/edit", methods=["GET", "POST"])
def edit_skill(skill_id: int):  # type: ignore[no-untyped-def]
    skill: Skill = _load(Skill, skill_id, edit=True)
    form = SkillForm(obj=skill, version=str(skill.version)) if request.method == "GET" else SkillForm()
    return _edit_page(
        skill,
        form,
        services.update_skill,
        fields=lambda form: _named_fields(form, services.SkillFields),
        title=lambda: f"Edit the skill {skill.name}",
        submit="Save skill",
        saved=lambda: f"Saved “{skill.name}”.",
        back=url_for("workforce.list_skills"),
    )


@bp.post("/workforce/skills/<int:skill_id>/delete")
def delete_skill(skill_id: int):  # type: ignore[no-untyped-def]
    skill: Skill = _load(Skill, skill_id, edit=True)
    name = skill.name
    if _attempt(partial(services.delete_skill, skill, user=current_user)) is not FAILED:
        flash(f"Deleted “{name}” from the catalogue, with the roles’ gaps in it.", "success")
    return redirect(url_for("workforce.list_skills"))
