from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from app.audit.services import record_security_event
from app.auth.context import current_organization
from app.auth.services import discard_form_drafts, latest_form_draft
from app.core.db import utcnow
from app.core.diff import diff_stats, word_diff
from app.core.errors import DomainError, PermissionDenied, ensure
from app.core.markdown import render_markdown
from app.extensions import csrf, db
from app.objectives.models import PolicyObjective
from app.plans import queries, scope, services
from app.plans.forms import NewPlanForm, NewSectionForm, SectionForm, VersionForm
from app.plans.models import Plan, PlanSection, SectionRevision, SectionState
from app.plans.scope import PlanScope
from app.plans.templates import all_templates, get_template
from app.portfolio import traceability
from app.portfolio.blocks import render_plan_markdown, render_section
from app.portfolio.models import Category, Initiative
from app.portfolio.money import format_money
from app.portfolio.traceability.charts import category_chart, year_chart

bp = Blueprint("plans", __name__, url_prefix="/plans")


def _template_dir() -> str:
    return str(current_app.config["PLAN_TEMPLATE_DIR"])


def _load_plan(plan_id: int) -> Plan:
    plan = db.session.scalar(queries.plan_with_sections(plan_id))
    ensure(plan is not None and plan.can_view(current_user))
    return plan  # type: ignore[return-value]


def _load_section(plan_id: int, section_id: int, *, deleted: bool = False) -> PlanSection:
    section = db.get_or_404(PlanSection, section_id)
    ensure(section.plan_id == plan_id and section.plan.can_view(current_user) and section.is_deleted == deleted)
    return section


def _ensure_can_edit(plan: Plan) -> None:
    if not plan.can_edit(current_user):
        abort(403)


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
    plan = _load_plan(plan_id)
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


@bp.get("/<int:plan_id>/sections/<int:section_id>")
def show_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    return render_template(
        "plans/section.html",
        section=section,
        plan=section.plan,
        can_edit=section.plan.can_edit(current_user) and section.plan.is_editable,
    )


@bp.route("/<int:plan_id>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired token re-shows the text instead of an error page
def edit_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    _ensure_can_edit(section.plan)
    form = SectionForm()
    if request.method == "GET":
        # Do not offer a form whose text could never be saved, unless it holds kept unsaved text.
        if not section.plan.is_editable and latest_form_draft(current_user, request.path) is None:
            flash(f"This plan is {section.plan.status_enum.label.lower()}; only draft plans can be changed.", "error")
            return redirect(url_for("plans.show_section", plan_id=plan_id, section_id=section_id))
        return _edit_page(section, _prefilled_form(section))
    if not form.validate():
        if "csrf_token" in form.errors:
            record_security_event("security.csrf_failed", detail=f"Expired or missing form token on {request.path}")
            return _edit_page(section, form, status=400)
        return _edit_page(section, form, status=422)
    if "preview" in request.form:
        return _edit_page(section, form, preview=render_plan_markdown(section.plan, form.body.data or ""))
    try:
        revision = services.save_section(
            section,
            user=current_user,
            title=form.title.data or "",
            body=form.body.data or "",
            base_version=form.base_version(),
            ready=bool(form.ready.data),
        )
    except services.EditConflict as conflict:
        db.session.rollback()
        return _conflict_page(conflict, form)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _edit_page(section, form, status=422)
    discard_form_drafts(current_user, request.path)
    db.session.commit()
    flash(
        f"Saved “{section.title}”" + (f" as revision {revision.number}." if revision else " (no changes)."), "success"
    )
    return redirect(url_for("plans.show_section", plan_id=plan_id, section_id=section_id))


def _prefilled_form(section: PlanSection) -> SectionForm:
    draft = latest_form_draft(current_user, request.path)
    form = SectionForm(formdata=None, obj=section)
    form.version.data = str(section.version)
    if draft:
        form.title.data = draft.get("title", section.title)
        form.body.data = draft.get("body", section.body)
        form.version.data = draft.get("version", str(section.version))
        form.ready.data = draft.get("ready") == "y"
        flash("Your unsaved text from before you signed in again has been put back. Check it and save.", "info")
    return form


def _edit_page(section: PlanSection, form: SectionForm, *, status: int = 200, preview: object = None):  # type: ignore[no-untyped-def]
    if "csrf_token" in form.errors:
        flash(
            "Your form expired for security reasons before it was saved. Your text is kept below: "
            "check it and select Save again.",
            "warning",
        )
    return render_template(
        "plans/section_edit.html",
        section=section,
        plan=section.plan,
        form=form,
        preview=preview,
        guidance=render_markdown(section.guidance),
    ), status


def _conflict_page(conflict: services.EditConflict, form: SectionForm):  # type: ignore[no-untyped-def]
    current = db.get_or_404(PlanSection, conflict.section.id)
    chunks = word_diff(current.body, conflict.your_body)
    form.version.data = str(current.version)  # resubmitting now means “I have merged”
    return render_template(
        "plans/section_conflict.html",
        section=current,
        plan=current.plan,
        form=form,
        chunks=chunks,
        stats=diff_stats(chunks),
        your_title=conflict.your_title,
    ), 409


@bp.post("/<int:plan_id>/sections/<int:section_id>/preview")
def preview_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    body = request.form.get("body", "")[:200_000]
    return render_template("plans/_preview.html", preview=render_plan_markdown(section.plan, body))


@bp.post("/<int:plan_id>/sections")
def add_section(plan_id: int):  # type: ignore[no-untyped-def]
    plan = _load_plan(plan_id)
    _ensure_can_edit(plan)
    form = NewSectionForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor="add-section"))
    section = _run(
        lambda: services.add_section(
            plan, user=current_user, title=form.title.data or "", guidance=form.guidance.data or ""
        )
    )
    if section is not None:
        flash(f"Added “{section.title}” at the end of the plan.", "success")
        return redirect(url_for("plans.edit_section", plan_id=plan_id, section_id=section.id))
    return redirect(url_for("plans.show_plan", plan_id=plan_id))


def _run(action):  # type: ignore[no-untyped-def]
    """Run a service, commit on success, flash the domain error and roll back on refusal."""
    try:
        result = action()
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return None
    db.session.commit()
    return result if result is not None else True


@bp.post("/<int:plan_id>/sections/<int:section_id>/move")
def move_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    _ensure_can_edit(section.plan)
    direction = -1 if request.form.get("direction") == "up" else 1
    _run(lambda: services.move_section(section, user=current_user, direction=direction))
    return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor=f"section-{section_id}"))


@bp.post("/<int:plan_id>/sections/<int:section_id>/delete")
def remove_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    _ensure_can_edit(section.plan)
    if _run(lambda: services.remove_section(section, user=current_user)):
        flash(f"Removed “{section.title}”. It is listed under “Removed sections” and can be restored.", "success")
    return redirect(url_for("plans.show_plan", plan_id=plan_id))


@bp.post("/<int:plan_id>/sections/<int:section_id>/restore")
def restore_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id, deleted=True)
    _ensure_can_edit(section.plan)
    if _run(lambda: services.restore_section(section, user=current_user)):
        flash(f"Restored “{section.title}” at the end of the plan.", "success")
    return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor=f"section-{section_id}"))


@bp.get("/<int:plan_id>/sections/<int:section_id>/history")
def section_history(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    revisions = db.session.scalars(queries.section_revisions(section.id)).all()
    return render_template(
        "plans/section_history.html",
        section=section,
        plan=section.plan,
        revisions=revisions,
        can_edit=section.plan.can_edit(current_user) and section.plan.is_editable,
        button_form=VersionForm(),
    )


def _load_revision(section: PlanSection, number: int | None) -> SectionRevision | None:
    if number is None:
        return None
    return db.session.scalar(
        db.select(SectionRevision).where(SectionRevision.section_id == section.id, SectionRevision.number == number)
    )


@bp.get("/<int:plan_id>/sections/<int:section_id>/compare")
def compare_revisions(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    old = _load_revision(section, request.args.get("from", type=int))
    new = _load_revision(section, request.args.get("to", type=int))
    if old is None or new is None:
        flash("Choose two revisions to compare.", "error")
        return redirect(url_for("plans.section_history", plan_id=plan_id, section_id=section_id))
    chunks = word_diff(old.body, new.body)
    return render_template(
        "plans/section_compare.html",
        section=section,
        plan=section.plan,
        old=old,
        new=new,
        chunks=chunks,
        stats=diff_stats(chunks),
    )


@bp.post("/<int:plan_id>/sections/<int:section_id>/revisions/<int:number>/restore")
def restore_revision(plan_id: int, section_id: int, number: int):  # type: ignore[no-untyped-def]
    section = _load_section(plan_id, section_id)
    _ensure_can_edit(section.plan)
    revision = _load_revision(section, number)
    ensure(revision is not None)
    form = VersionForm()
    base_version = int(form.version.data) if (form.version.data or "").isdigit() else -1
    try:
        new = services.restore_revision(revision, user=current_user, base_version=base_version)  # type: ignore[arg-type]
    except services.EditConflict:
        db.session.rollback()
        flash(
            "The section changed since you opened its history. Look at the newest revision, then restore again.",
            "error",
        )
        return redirect(url_for("plans.section_history", plan_id=plan_id, section_id=section_id))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("plans.section_history", plan_id=plan_id, section_id=section_id))
    db.session.commit()
    flash(f"Restored the text of revision {number}" + (f" as new revision {new.number}." if new else "."), "success")
    return redirect(url_for("plans.section_history", plan_id=plan_id, section_id=section_id))


# --- Plan scope, traceability matrix, gaps and portfolio balance --------------------------------

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
    plan = _load_plan(plan_id)
    _ensure_can_edit(plan)
    objectives, initiatives = scope.objective_choices(plan), scope.initiative_choices(plan)
    form = ScopeForm()
    form.objectives.choices = [(o.id, o.code) for o in objectives]
    form.initiatives.choices = [(i.id, i.code) for i in initiatives]
    if form.validate_on_submit():
        if "include_all" in request.form:
            form.objectives.data, form.initiatives.data = [o.id for o in objectives], [i.id for i in initiatives]
        changed = _run(
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
    plan = _load_plan(plan_id)
    plan_scope = scope.scope_of(plan)
    return plan_scope, {"plan": plan, "scope": plan_scope, "can_edit_scope": plan.can_edit(current_user)}


@bp.get("/<int:plan_id>/traceability", endpoint="traceability")
def traceability_matrix(plan_id: int):  # type: ignore[no-untyped-def]
    plan_scope, page = _analysis_page(plan_id)
    goal, number = request.args.get("goal") or None, request.args.get("page", 1, type=int)
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
