"""Section pages: read, edit (keeping the text through an expired form or a conflicting save), preview, add,
move, remove and restore."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit.services import record_security_event
from app.auth.services import discard_form_drafts, latest_form_draft
from app.core.diff import diff_stats, word_diff
from app.core.errors import DomainError
from app.core.markdown import render_markdown
from app.extensions import csrf, db
from app.plans import services
from app.plans.forms import NewSectionForm, SectionForm
from app.plans.models import PlanSection
from app.plans.views.shared import bp, ensure_can_edit, load_plan, load_section, run_service
from app.portfolio.blocks import render_plan_markdown


@bp.get("/<int:plan_id>/sections/<int:section_id>")
def show_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = load_section(plan_id, section_id)
    return render_template(
        "plans/section.html",
        section=section,
        plan=section.plan,
        can_edit=section.plan.can_edit(current_user) and section.plan.is_editable,
    )


@bp.route("/<int:plan_id>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired token re-shows the text instead of an error page
def edit_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = load_section(plan_id, section_id)
    ensure_can_edit(section.plan)
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
    section = load_section(plan_id, section_id)
    body = request.form.get("body", "")[:200_000]
    return render_template("plans/_preview.html", preview=render_plan_markdown(section.plan, body))


@bp.post("/<int:plan_id>/sections")
def add_section(plan_id: int):  # type: ignore[no-untyped-def]
    plan = load_plan(plan_id)
    ensure_can_edit(plan)
    form = NewSectionForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor="add-section"))
    section = run_service(
        lambda: services.add_section(
            plan, user=current_user, title=form.title.data or "", guidance=form.guidance.data or ""
        )
    )
    if section is not None:
        flash(f"Added “{section.title}” at the end of the plan.", "success")
        return redirect(url_for("plans.edit_section", plan_id=plan_id, section_id=section.id))
    return redirect(url_for("plans.show_plan", plan_id=plan_id))


@bp.post("/<int:plan_id>/sections/<int:section_id>/move")
def move_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = load_section(plan_id, section_id)
    ensure_can_edit(section.plan)
    direction = -1 if request.form.get("direction") == "up" else 1
    run_service(lambda: services.move_section(section, user=current_user, direction=direction))
    return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor=f"section-{section_id}"))


@bp.post("/<int:plan_id>/sections/<int:section_id>/delete")
def remove_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = load_section(plan_id, section_id)
    ensure_can_edit(section.plan)
    if run_service(lambda: services.remove_section(section, user=current_user)):
        flash(f"Removed “{section.title}”. It is listed under “Removed sections” and can be restored.", "success")
    return redirect(url_for("plans.show_plan", plan_id=plan_id))


@bp.post("/<int:plan_id>/sections/<int:section_id>/restore")
def restore_section(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = load_section(plan_id, section_id, deleted=True)
    ensure_can_edit(section.plan)
    if run_service(lambda: services.restore_section(section, user=current_user)):
        flash(f"Restored “{section.title}” at the end of the plan.", "success")
    return redirect(url_for("plans.show_plan", plan_id=plan_id, _anchor=f"section-{section_id}"))
