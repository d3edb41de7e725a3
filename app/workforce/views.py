"""Workforce pages: the overview, roles with their capacity and skill gaps, the skills catalogue, actions and
the capacity view. Initiative FTE needs and spreadsheets are in ``initiative_views`` and ``transfer_views``.

Each view loads (404 for another organization's object), authorizes (403 for readers), validates, calls one
service, commits once and redirects; a refused form is shown again, status 422, with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.auth.context import current_organization
from app.core.charts import format_number
from app.core.db import utcnow
from app.core.errors import DomainError, PermissionDenied, ensure
from app.core.fiscal import fiscal_year
from app.extensions import db
from app.plans.models import Plan
from app.plans.scope import scope_of
from app.portfolio.models import Initiative
from app.portfolio.money import format_money
from app.workforce import queries, services
from app.workforce.charts import capacity_chart
from app.workforce.common import EditConflict, FieldError
from app.workforce.forms import ActionForm, CapacityForm, GapForm, RoleForm, SkillForm
from app.workforce.models import (
    ActionStatus,
    ActionType,
    InitiativeFteNeed,
    JobRole,
    Priority,
    RoleCapacity,
    Skill,
    SkillGap,
    WorkforceAction,
)

bp = Blueprint("workforce", __name__)
FAILED = object()  # what _attempt returns when the service refused


@bp.context_processor
def page_helpers() -> dict[str, Any]:
    return {"money": format_money}


@bp.app_template_global("fte")
def fte(value: Any) -> str:
    """An FTE figure as people write it, on every page and live block: 12, 2.5, 0.25."""
    return format_number(value)


# --- shared steps ------------------------------------------------------------------------------------------


def _can_edit() -> bool:
    return bool(current_user.can_edit_in(current_organization().id))


def _ensure_editor() -> None:
    if not _can_edit():
        abort(403)


def _load(model: type[Any], object_id: int, *, edit: bool = False) -> Any:
    """The object if the signed-in user's organization owns it (404 otherwise); 403 to change it as a reader."""
    found: Any = db.session.get(model, object_id)
    ensure(found is not None and found.can_view(current_user))
    if edit and not found.can_edit(current_user):
        abort(403)
    return found


def _load_role_part(model: type[RoleCapacity] | type[SkillGap], part_id: int, role_id: int) -> Any:
    part: Any = db.session.get(model, part_id)
    ensure(part is not None and part.role_id == role_id)
    _load(JobRole, role_id, edit=True)
    return part


def _attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> Any:
    """Run a service and commit; on refusal roll back and put the message on the form's field, or flash it."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except EditConflict:
        db.session.rollback()
        raise
    except DomainError as exc:
        db.session.rollback()
        if form is not None and isinstance(exc, FieldError) and exc.field in form:
            form[exc.field].errors.append(exc.message)
        else:
            flash(str(exc), "error")
        return FAILED
    db.session.commit()
    return result


def _form_page(form: FlaskForm, *, title: str, submit: str, cancel: str, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    return render_template(
        "workforce/form.html", form=form, title=title, submit=submit, cancel=cancel, **context
    ), status


def _save_form(  # type: ignore[no-untyped-def]
    form: FlaskForm, save: Callable[[], Any], *, done: Callable[[Any], Any], page: Callable[..., Any], noun: str
):
    """Validate, save, and redirect; the form again with 422 (refused) or 409 (someone saved first)."""
    if not form.validate():
        return page(status=422)
    try:
        result = _attempt(save, form)
    except EditConflict as conflict:
        flash(str(conflict), "error")
        return page(status=409, conflict=True)
    if result is FAILED:
        return page(status=422)
    return done(result)


def _conflict_version(form: FlaskForm, obj: Any) -> None:
    """After a conflict the form carries the saved version, so saving again keeps the user's values."""
    db.session.refresh(obj)
    form.version.data = str(obj.version)


# --- overview ----------------------------------------------------------------------------------------------


def _years_to_show(organization_id: int, start_month: int) -> list[int]:
    years = queries.fiscal_years(organization_id)
    this_year = fiscal_year(utcnow().date(), start_month)
    return years[-6:] if years else [this_year]


@bp.get("/workforce")
def show_workforce():  # type: ignore[no-untyped-def]
    organization = current_organization()
    roles = db.session.scalars(queries.roles_of(organization.id)).all()
    gaps = db.session.scalars(queries.gaps_of(organization.id)).all()
    return render_template(
        "workforce/overview.html",
        organization=organization,
        roles=roles,
        years=_years_to_show(organization.id, organization.fiscal_year_start_month),
        gaps=gaps,
        actions=queries.actions_by_gap([gap.id for gap in gaps]),
        can_edit=_can_edit(),
    )


# --- roles -------------------------------------------------------------------------------------------------


def _role_fields(form: RoleForm) -> services.RoleFields:
    return services.RoleFields(
        name=form.name.data or "", family=form.family.data or "", description=(form.description.data or "").strip()
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

    create = partial(services.create_role, organization=organization, user=current_user, fields=_role_fields(form))
    return _save_form(form, create, done=done, page=page, noun="role")


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
    cancel = url_for("workforce.show_role", role_id=role.id)

    def page(status: int = 200, conflict: bool = False):  # type: ignore[no-untyped-def]
        if conflict:
            _conflict_version(form, role)
        return _form_page(form, title=f"Edit the role {role.name}", submit="Save role", cancel=cancel, status=status)

    if request.method == "GET":
        return page()

    def done(changed: bool):  # type: ignore[no-untyped-def]
        flash(f"Saved the role “{role.name}”." if changed else "Nothing had changed, so nothing was saved.", "success")
        return _show_role(role.id)

    update = partial(
        services.update_role, role, user=current_user, fields=_role_fields(form), base_version=form.base_version()
    )
    return _save_form(form, update, done=done, page=page, noun="role")


@bp.post("/workforce/roles/<int:role_id>/delete")
def delete_role(role_id: int):  # type: ignore[no-untyped-def]
    role: JobRole = _load(JobRole, role_id, edit=True)
    name = role.name
    if _attempt(partial(services.delete_role, role, user=current_user)) is FAILED:
        return _show_role(role_id)
    flash(f"Deleted the role “{name}” with its figures, skill gaps and initiatives’ FTE needs.", "success")
    return redirect(url_for("workforce.show_workforce"))


# --- capacity rows and skill gaps of a role --------------------------------------------------------------


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


def _posted_skill(form: GapForm, organization_id: int) -> Skill | None:
    """The skill chosen, if any; 404 for one of another organization ("not found", never "forbidden")."""
    raw = (form.skill.raw_data or [""])[0]
    if not raw.isdigit():
        return None
    skill = db.session.get(Skill, int(raw))
    ensure(skill is not None and skill.organization_id == organization_id)
    return skill


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
    skill = _posted_skill(form, role.organization_id)
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
        skill = _posted_skill(form, gap.role.organization_id)
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


# --- the skills catalogue ----------------------------------------------------------------------------------


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


# --- actions -----------------------------------------------------------------------------------------------


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
        form = ActionForm(formdata=None, role_id=request.args.get("role", type=int))
    _action_choices(form, organization.id)
    cancel = url_for("workforce.list_actions")
    page = partial(_form_page, form, title="Add an action", submit="Add action", cancel=cancel)
    if request.method == "GET":
        return page()
    create = partial(services.create_action, organization=organization, user=current_user, fields=_action_fields(form))

    def done(action: WorkforceAction):  # type: ignore[no-untyped-def]
        flash(f"Added the action “{action.title}”.", "success")
        return redirect(url_for("workforce.list_actions"))

    return _save_form(form, create, done=done, page=page, noun="action")


@bp.route("/workforce/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(action_id: int):  # type: ignore[no-untyped-def]
    action: WorkforceAction = _load(WorkforceAction, action_id, edit=True)
    if request.method == "GET":
        form = ActionForm(obj=action, version=str(action.version), gap_ids=[g.id for g in action.gaps])
    else:
        form = ActionForm()
    _action_choices(form, action.organization_id)
    cancel = url_for("workforce.list_actions")

    def page(status: int = 200, conflict: bool = False):  # type: ignore[no-untyped-def]
        if conflict:
            _conflict_version(form, action)
        title = f"Edit the action {action.title}"
        return _form_page(form, title=title, submit="Save action", cancel=cancel, status=status)

    if request.method == "GET":
        return page()

    def done(changed: bool):  # type: ignore[no-untyped-def]
        flash(f"Saved “{action.title}”." if changed else "Nothing had changed, so nothing was saved.", "success")
        return redirect(url_for("workforce.list_actions"))

    update = partial(
        services.update_action, action, user=current_user, fields=_action_fields(form), base_version=form.base_version()
    )
    return _save_form(form, update, done=done, page=page, noun="action")


@bp.post("/workforce/actions/<int:action_id>/delete")
def delete_action(action_id: int):  # type: ignore[no-untyped-def]
    action: WorkforceAction = _load(WorkforceAction, action_id, edit=True)
    title = action.title
    if _attempt(partial(services.delete_action, action, user=current_user)) is not FAILED:
        flash(f"Deleted the action “{title}”.", "success")
    return redirect(url_for("workforce.list_actions"))


# --- the capacity view -------------------------------------------------------------------------------------


@bp.get("/workforce/capacity")
def show_capacity():  # type: ignore[no-untyped-def]
    organization = current_organization()
    years = queries.fiscal_years(organization.id)
    this_year = fiscal_year(utcnow().date(), organization.fiscal_year_start_month)
    year = request.args.get("fy", type=int)
    if year is None or not 2000 <= year <= 2100:
        year = this_year if this_year in years or not years else years[0]
    plans = db.session.scalars(
        db.select(Plan).where(Plan.organization_id == organization.id).order_by(Plan.title)
    ).all()
    plan_id = request.args.get("plan", type=int)
    plan = next((p for p in plans if p.id == plan_id), None)
    ensure(plan_id is None or plan is not None)  # another organization's plan is not found
    scope = scope_of(plan).initiative_filter() if plan else queries.organization_scope(organization.id)
    lines = queries.capacity_lines(organization.id, year, scope)
    return render_template(
        "workforce/capacity.html",
        lines=lines,
        year=year,
        years=sorted({*years, this_year, year}),
        plan=plan,
        plans=plans,
        chart=capacity_chart(lines, year=year, chart_id="capacity-chart"),
        priorities=list(Priority),
    )


# Initiative FTE needs, the initiative panel, spreadsheets and live blocks register themselves on import.
from app.workforce import blocks, initiative_views, transfer_views  # noqa: E402, F401
