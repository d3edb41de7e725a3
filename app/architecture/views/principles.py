"""Architecture principles: listing, adding, editing and deleting them."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.architecture import queries, services
from app.architecture.forms import PrincipleForm
from app.architecture.models import Principle
from app.architecture.views.shared import FAILED, _attempt, _delete, _editor_of, _load_editable, _save_edit, bp
from app.auth.context import current_organization


@bp.get("/architecture/principles")
def list_principles():  # type: ignore[no-untyped-def]
    organization = current_organization()
    return render_template(
        "architecture/principles.html",
        principles=queries.principles_of(organization.id),
        can_edit=current_user.can_edit_in(organization.id),
    )


def _principle_fields(form: PrincipleForm) -> services.PrincipleFields:
    return services.PrincipleFields(
        title=form.title.data or "",
        statement=form.statement.data or "",
        rationale=form.rationale.data or "",
        implications=form.implications.data or "",
        position=form.position.data or 1,
    )


def _principle_page(form: PrincipleForm, principle: Principle | None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("architecture/principle_form.html", form=form, principle=principle), status


@bp.route("/architecture/principles/new", methods=["GET", "POST"])
def new_principle():  # type: ignore[no-untyped-def]
    organization = current_organization()
    _editor_of(organization.id)
    if request.method == "GET":
        position = len(queries.principles_of(organization.id)) + 1
        return _principle_page(PrincipleForm(formdata=None, position=position), None)
    form = PrincipleForm()
    if not form.validate():
        return _principle_page(form, None, 422)
    create = partial(
        services.create_principle, organization=organization, user=current_user, fields=_principle_fields(form)
    )
    principle = _attempt(create, form)
    if principle is FAILED:
        return _principle_page(form, None, 422)
    flash(f"Added the principle “{principle.title}”.", "success")
    return redirect(url_for("architecture.list_principles", _anchor=f"principle-{principle.id}"))


@bp.route("/architecture/principles/<int:principle_id>/edit", methods=["GET", "POST"])
def edit_principle(principle_id: int):  # type: ignore[no-untyped-def]
    principle = _load_editable(Principle, principle_id)
    if request.method == "GET":
        return _principle_page(PrincipleForm(formdata=None, obj=principle, version=str(principle.version)), principle)
    form = PrincipleForm()
    if not form.validate():
        return _principle_page(form, principle, 422)
    update = lambda: services.update_principle(  # noqa: E731
        principle, user=current_user, fields=_principle_fields(form), base_version=form.base_version()
    )
    return _save_edit(
        principle,
        form,
        update,
        reload=lambda: _load_editable(Principle, principle_id),
        page=lambda current, status: _principle_page(form, current, status),
        saved=lambda: "Saved the principle.",
        back=url_for("architecture.list_principles", _anchor=f"principle-{principle.id}"),
    )


@bp.post("/architecture/principles/<int:principle_id>/delete")
def delete_principle(principle_id: int):  # type: ignore[no-untyped-def]
    principle = _load_editable(Principle, principle_id)
    removed = f"Removed the principle “{principle.title}”."
    return _delete(principle, services.delete_principle, removed=removed, back=url_for("architecture.list_principles"))
