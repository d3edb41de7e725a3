"""Standards: listing with how many services follow each, adding, editing and deleting them."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.architecture import queries, services
from app.architecture.forms import StandardForm
from app.architecture.models import ServiceStandard, Standard
from app.architecture.views.shared import FAILED, _attempt, _delete, _editor_of, _load_editable, bp
from app.auth.context import current_organization
from app.extensions import db


@bp.route("/architecture/standards", methods=["GET", "POST"])
def list_standards():  # type: ignore[no-untyped-def]
    organization = current_organization()
    can_edit = current_user.can_edit_in(organization.id)
    form = StandardForm() if request.method == "POST" else StandardForm(formdata=None)
    status = 200
    if request.method == "POST":
        _editor_of(organization.id)
        if form.validate():
            create = partial(
                services.create_standard,
                organization=organization,
                user=current_user,
                name=form.name.data or "",
                reference=form.reference.data or "",
            )
            if _attempt(create, form) is not FAILED:
                flash(f"Added the standard “{form.name.data}”.", "success")
                return redirect(url_for("architecture.list_standards"))
        status = 422
    standards = queries.standards_of(organization.id)
    counts = _standard_use(organization.id)
    return render_template(
        "architecture/standards.html", standards=standards, counts=counts, form=form, can_edit=can_edit
    ), status


def _standard_use(organization_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(  # type: ignore[arg-type]
            db.select(ServiceStandard.standard_id, db.func.count(ServiceStandard.id))
            .join(Standard, Standard.id == ServiceStandard.standard_id)
            .where(Standard.organization_id == organization_id)
            .group_by(ServiceStandard.standard_id)
        ).all()
    )


@bp.route("/architecture/standards/<int:standard_id>/edit", methods=["GET", "POST"])
def edit_standard(standard_id: int):  # type: ignore[no-untyped-def]
    standard = _load_editable(Standard, standard_id)
    form = StandardForm(obj=standard) if request.method == "POST" else StandardForm(formdata=None, obj=standard)
    if request.method == "POST":
        if form.validate():
            update = lambda: services.update_standard(  # noqa: E731
                standard, user=current_user, name=form.name.data or "", reference=form.reference.data or ""
            )
            changed = _attempt(update, form)
            if changed is not FAILED:
                flash("Saved the standard." if changed else "Nothing had changed, so nothing was saved.", "success")
                return redirect(url_for("architecture.list_standards"))
        return render_template("architecture/standard_form.html", form=form, standard=standard), 422
    return render_template("architecture/standard_form.html", form=form, standard=standard)


@bp.post("/architecture/standards/<int:standard_id>/delete")
def delete_standard(standard_id: int):  # type: ignore[no-untyped-def]
    standard = _load_editable(Standard, standard_id)
    removed = f"Removed the standard “{standard.name}”."
    return _delete(standard, services.delete_standard, removed=removed, back=url_for("architecture.list_standards"))
