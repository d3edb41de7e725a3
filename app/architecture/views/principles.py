"""Architecture principles: listing, adding, editing and deleting them."""

from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.architecture import queries, services
from app.architecture.forms import PrincipleForm
from app.architecture.models import Principle
from app.architecture.views.shared import FAILED, _attempt, _editor_of, bp
from app.auth.context import current_organization
from app.core.errors import ensure
from app.extensions import db


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


def _load_principle(principle_id: int) -> Principle:
    principle = db.session.get(Principle, principle_id)
    ensure(principle is not None and current_user.is_member_of(principle.organization_id))
    _editor_of(principle.organization_id)  # type: ignore[union-attr]
    return principle  # type: ignore[return-value]


@bp.route("/architecture/principles/<int:principle_id>/edit", methods=["GET", "POST"])
def edit_principle(principle_id: int):  # type: ignore[no-untyped-def]
    principle = _load_principle(principle_id)
    if request.method == "GET":
        return _principle_page(PrincipleForm(formdata=None, obj=principle, version=str(principle.version)), principle)
    form = PrincipleForm()
    if not form.validate():
        return _principle_page(form, principle, 422)
    update = lambda: services.update_principle(  # noqa: E731
        principle, user=current_user, fields=_principle_fields(form), base_version=form.base_version()
    )
    try:
        changed = _attempt(update, form)
    except services.EditConflict as conflict:
        current = _load_principle(principle_id)
        form.version.data = str(current.version)
        flash(str(conflict), "error")
        return _principle_page(form, current, 409)
    if changed is FAILED:
        return _principle_page(form, principle, 422)
    flash("Saved the principle." if changed else "Nothing had changed, so nothing was saved.", "success")
    return redirect(url_for("architecture.list_principles", _anchor=f"principle-{principle.id}"))


@bp.post("/architecture/principles/<int:principle_id>/delete")
def delete_principle(principle_id: int):  # type: ignore[no-untyped-def]
    principle = _load_principle(principle_id)
    title = principle.title
    if _attempt(lambda: services.delete_principle(principle, user=current_user)) is not FAILED:
        flash(f"Removed the principle “{title}”.", "success")
    return redirect(url_for("architecture.list_principles"))
