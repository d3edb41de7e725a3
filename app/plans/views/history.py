"""A section's revision history: the list, a word-level comparison of two revisions, and restoring one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.core.diff import diff_stats, word_diff
from app.core.errors import DomainError, ensure
from app.core.forms import int_param
from app.extensions import db
from app.plans import queries, services
from app.plans.forms import VersionForm
from app.plans.models import PlanSection, SectionRevision
from app.plans.views.shared import bp, ensure_can_edit, load_section


@bp.get("/<int:plan_id>/sections/<int:section_id>/history")
def section_history(plan_id: int, section_id: int):  # type: ignore[no-untyped-def]
    section = load_section(plan_id, section_id)
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
    section = load_section(plan_id, section_id)
    old = _load_revision(section, int_param("from"))
    new = _load_revision(section, int_param("to"))
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
    section = load_section(plan_id, section_id)
    ensure_can_edit(section.plan)
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
