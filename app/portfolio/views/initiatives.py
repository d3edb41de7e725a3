"""One initiative: adding it, its page, editing it (a stale form shows both versions), its status and deleting it.

Adding and editing check their own form token, so an expired token shows the typed text again (400)
instead of an error page; text typed while signed out is put back after signing in.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.audit.services import record_security_event
from app.auth.context import current_organization
from app.auth.services import discard_form_drafts, latest_form_draft
from app.extensions import csrf, db
from app.portfolio import queries, services
from app.portfolio.forms import InitiativeForm, StatusForm
from app.portfolio.models import Initiative
from app.portfolio.views.shared import FAILED, _attempt, _detail_page, _load, _load_editable, _show, bp


def _fields(form: InitiativeForm) -> services.InitiativeFields:
    return services.InitiativeFields(**{name: form[name].data or _blank(name) for name in services.FIELD_NAMES})


def _blank(name: str) -> Any:
    return None if name.endswith("_date") else ""


def _with_draft(form: InitiativeForm) -> InitiativeForm:
    """Put back text the user submitted while signed out, if any."""
    draft = latest_form_draft(current_user, request.path)
    if not draft:
        return form
    flash("Your unsaved changes from before you signed in again have been put back. Check them and save.", "info")
    return InitiativeForm(formdata=MultiDict(draft))


def _refused_submission(form: InitiativeForm) -> int:
    """400 for an expired form token (the text is kept), 422 for anything else."""
    if "csrf_token" not in form.errors:
        return 422
    record_security_event("security.csrf_failed", detail=f"Expired or missing form token on {request.path}")
    flash(
        "Your form expired for security reasons before it was saved. Your text is kept: select Save again.", "warning"
    )
    return 400


def _form_page(form: InitiativeForm, initiative: Initiative | None = None, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    template = "portfolio/edit.html" if initiative else "portfolio/new.html"
    return render_template(template, form=form, initiative=initiative, **context), status


@bp.route("/initiatives/new", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired token shows the text again instead of an error page
def new_initiative():  # type: ignore[no-untyped-def]
    organization = current_organization()
    if not current_user.can_edit_in(organization.id):
        abort(403)
    if request.method == "GET":
        form = InitiativeForm(formdata=None, code=queries.next_free_code(organization.id))
        return _form_page(_with_draft(form))
    form = InitiativeForm()
    if not form.validate():
        return _form_page(form, status=_refused_submission(form))
    discard_form_drafts(current_user, request.path)  # rolled back with the rest if the save is refused
    create = partial(services.create_initiative, organization=organization, user=current_user, fields=_fields(form))
    initiative = _attempt(create, form)
    if initiative is FAILED:
        return _form_page(form, status=422)
    flash(f"Added {initiative.code} “{initiative.title}”. It is proposed until it goes to a board.", "success")
    return _show(initiative.id)


@bp.get("/initiatives/<int:initiative_id>")
def show_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    return _detail_page(_load(initiative_id))


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired token shows the text again instead of an error page
def edit_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    if request.method == "GET":
        form = InitiativeForm(formdata=None, obj=initiative, version=str(initiative.version))
        return _form_page(_with_draft(form), initiative)
    form = InitiativeForm()
    if not form.validate():
        return _form_page(form, initiative, status=_refused_submission(form))
    discard_form_drafts(current_user, request.path)  # rolled back with the rest if the save is refused
    update = partial(
        services.update_initiative,
        initiative,
        user=current_user,
        fields=_fields(form),
        base_version=form.base_version(),
    )
    try:
        changed = _attempt(update, form)
    except services.EditConflict as conflict:
        db.session.rollback()
        return _conflict_page(form, conflict.initiative.id)
    if changed is FAILED:
        return _form_page(form, initiative, status=422)
    flash(f"Saved {initiative.code}." if changed else "Nothing had changed, so nothing was saved.", "success")
    return _show(initiative.id)


def _conflict_page(form: InitiativeForm, initiative_id: int):  # type: ignore[no-untyped-def]
    """409: the saved values beside the user's, whose input stays in the form; saving again keeps the user's."""
    current = _load(initiative_id)
    differences = [
        (form[name].label.text, _shown(getattr(current, name)), _shown(form[name].data))
        for name in services.FIELD_NAMES
        if _shown(getattr(current, name)) != _shown(form[name].data)
    ]
    form.version.data = str(current.version)
    return _form_page(form, current, status=409, differences=differences)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


@bp.post("/initiatives/<int:initiative_id>/status")
def change_status(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    new_status = StatusForm().status.data or ""
    if _attempt(partial(services.change_status, initiative, user=current_user, new_status=new_status)) is not FAILED:
        flash(f"{initiative.code} is now {initiative.status_enum.label.lower()}.", "success")
    return _show(initiative_id)


@bp.post("/initiatives/<int:initiative_id>/delete")
def delete_initiative(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = _load_editable(initiative_id)
    code, title = initiative.code, initiative.title
    if _attempt(partial(services.delete_initiative, initiative, user=current_user)) is not FAILED:
        flash(f"Deleted {code} “{title}”.", "success")
        return redirect(url_for("portfolio.list_initiatives"))
    return _show(initiative_id)
